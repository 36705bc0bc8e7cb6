import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import type { AwsClients, AwsCredentialIdentity } from "./clients";
import { stsClient } from "./sts";

/** The same settings with another role's temporary credentials. */
export async function assumingRole(aws: AwsClients, roleArn: string, sessionName = "ec2ConfigRules"): Promise<AwsClients> {
  const { Credentials } = await stsClient(aws).send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 900 }),
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
