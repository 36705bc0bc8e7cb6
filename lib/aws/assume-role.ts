import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import type { AwsClients, AwsCredentialIdentity } from "./clients";
import { stsClient } from "./sts";

/** The same settings with another role's temporary credentials (`externalId` when the role's trust policy asks for one). */
export async function assumingRole(aws: AwsClients, roleArn: string, sessionName = "ec2ConfigRules", externalId?: string): Promise<AwsClients> {
  const { Credentials } = await stsClient(aws).send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 900, ...(externalId ? { ExternalId: externalId } : {}) }),
  );
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
    throw new Error(`sts:AssumeRole of ${roleArn} returned no credentials`);
  }
  const credentials: AwsCredentialIdentity = {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
    expiration: Credentials.Expiration,
  };
  return aws.withCredentials(credentials);
}
