import { SNSClient } from "@aws-sdk/client-sns";
import type { AwsClients } from "./clients";

export const snsClient = (aws: AwsClients): SNSClient => aws.make(SNSClient, "sns");
