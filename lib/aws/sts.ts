import { STSClient } from "@aws-sdk/client-sts";
import type { AwsClients } from "./clients";

export const stsClient = (aws: AwsClients): STSClient => aws.make(STSClient, "sts");
