import { OrganizationsClient } from "@aws-sdk/client-organizations";
import type { AwsClients } from "./clients";

export const organizationsClient = (aws: AwsClients): OrganizationsClient => aws.make(OrganizationsClient, "organizations");
