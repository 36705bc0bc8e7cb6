import { AssumeRoleCommand, type AssumeRoleCommandOutput } from "@aws-sdk/client-sts";
import type { AwsClients, AwsCredentialIdentity } from "./clients";
import { stsClient } from "./sts";

export interface AssumeRoleOptions {
  /** Required by the role's trust policy when it has an sts:ExternalId condition. */
  externalId?: string;
  /** 900 by default; 3600 is allowed by every role (MaxSessionDuration is at least 1 hour, role chaining at most). */
  durationSeconds?: number;
}

/** The same settings with another role's temporary credentials. */
export async function assumingRole(
  aws: AwsClients,
  roleArn: string,
  sessionName = "ec2ConfigRules",
  options: AssumeRoleOptions = {},
): Promise<AwsClients> {
  const sts = stsClient(aws);
  let answer: AssumeRoleCommandOutput;
  try {
    answer = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: options.durationSeconds ?? 900,
        ...(options.externalId !== undefined ? { ExternalId: options.externalId } : {}),
      }),
    );
  } finally {
    sts.destroy();
  }
  const { Credentials } = answer;
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
