import { DescribeAccountCommand } from "@aws-sdk/client-organizations";
import type { AwsClients } from "../aws/clients";
import { organizationsClient } from "../aws/organizations";

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** Accounts already found in an organization, keyed `<organization>/<account>`: one call per account per container. */
const members = new Set<string>();

/** The event names an account this deployment does not evaluate, or its membership could not be verified. */
export class OrganizationGuardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OrganizationGuardError";
  }
}

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();

/**
 * Fails unless every account is a member of `organizationId`, asked of AWS Organizations with the
 * function's own credentials (the delegated administrator may call DescribeAccount). The Lambda
 * permission cannot name the organization for Config's service principal, so this is where events
 * from Config in any other account are refused; any doubt (throttling, AccessDenied) refuses too.
 */
export async function assertInOrganization(clients: AwsClients, organizationId: string, accountIds: Iterable<string>): Promise<void> {
  if (!ORGANIZATION_ID.test(organizationId)) {
    throw new OrganizationGuardError(
      `ORGANIZATION_ID "${organizationId}" is not an AWS Organizations id (o- and 10 to 32 lowercase letters or digits)`,
    );
  }
  const organizations = organizationsClient(clients);
  for (const accountId of new Set(accountIds)) {
    const key = `${organizationId}/${accountId}`;
    if (members.has(key)) continue;
    let arn: string | undefined;
    try {
      const { Account } = await organizations.send(new DescribeAccountCommand({ AccountId: accountId }));
      arn = Account?.Arn;
    } catch (error) {
      const { name, message } = error as Error;
      if (name === "AccountNotFoundException") {
        throw new OrganizationGuardError(
          `account ${accountId} is not in organization ${organizationId}: event refused, no evaluation posted`,
        );
      }
      throw new OrganizationGuardError(
        `cannot verify that account ${accountId} is in organization ${organizationId}: organizations:DescribeAccount failed: ${name}: ${oneLine(message)}`,
      );
    }
    // arn:<partition>:organizations::<management account>:account/<organization id>/<account id>
    if (!arn?.includes(`/${organizationId}/`)) {
      const other = arn?.match(/\/(o-[a-z0-9]+)\//)?.[1];
      throw new OrganizationGuardError(
        `account ${accountId} is not in organization ${organizationId}${other ? ` but in ${other}` : ` (DescribeAccount returned ARN ${arn ?? "none"})`}: event refused, no evaluation posted`,
      );
    }
    members.add(key);
  }
}
