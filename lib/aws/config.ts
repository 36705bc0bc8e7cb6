import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import type { AwsClients } from "./clients";

export const configClient = (aws: AwsClients): ConfigServiceClient => aws.make(ConfigServiceClient, "config");
