import { EC2Client } from "@aws-sdk/client-ec2";
import type { AwsClients } from "./clients";

export const ec2Client = (aws: AwsClients): EC2Client => aws.make(EC2Client, "ec2");
