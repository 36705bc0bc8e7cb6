import { SSMClient } from "@aws-sdk/client-ssm";
import type { AwsClients } from "./clients";

export const ssmClient = (aws: AwsClients): SSMClient => aws.make(SSMClient, "ssm");
