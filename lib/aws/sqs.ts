import { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "./clients";

export const sqsClient = (aws: AwsClients): SQSClient => aws.make(SQSClient, "sqs");
