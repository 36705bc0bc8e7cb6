import { S3Client } from "@aws-sdk/client-s3";
import type { AwsClients } from "./clients";

export const s3Client = (aws: AwsClients): S3Client => aws.make(S3Client, "s3");
