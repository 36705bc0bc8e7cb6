import { Logger } from "@aws-lambda-powertools/logger";
import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
import { DescribeAddressesCommand, DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { AccountNotFoundException, DescribeAccountCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { createRuleHandler } from "../../lib/lambda/handler";
import { localContext } from "../../lib/lambda/local-context";
import imdsv2Required from "../../rules/imdsv2-required";
import { change, configItem, ec2Error, instance, reservation, scheduled } from "./fixtures";

// Organization mode as deploy/stack.ts configures it: ORGANIZATION_ID in the environment, the
// member role assumed by name in the event's account.
const ORG = "o-a1b2c3d4e5";
const MEMBER_ROLE = { AssumeRoleMode: "true", ExecutionRoleName: "ec2-config-rules-member" };
const MANAGEMENT = "999988887777";
const accountArn = (account: string, organization = ORG) => `arn:aws:organizations::${MANAGEMENT}:account/${organization}/${account}`;

const ec2 = mockClient(EC2Client);
const config = mockClient(ConfigServiceClient);
const sts = mockClient(STSClient);
const organizations = mockClient(OrganizationsClient);

beforeEach(() => {
  for (const mock of [ec2, config, sts, organizations]) mock.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: "AKIAMEMBER", SecretAccessKey: "S", SessionToken: "T", Expiration: new Date(Date.now() + 900_000) },
  });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [reservation(instance("i-1", { httpTokens: "optional" }))] });
  ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
});

const context = localContext("test-rule");
const handler = () => createRuleHandler(imdsv2Required, { env: { ORGANIZATION_ID: ORG } });
/** A periodic event from `account`; each test uses its own account, since members are cached per container. */
const periodicFrom = (account: string) => scheduled("imdsv2-required", { accountId: account, ruleParameters: MEMBER_ROLE });

function expectNothingDone(): void {
  expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
  expect(ec2.calls()).toHaveLength(0);
  expect(config.calls()).toHaveLength(0);
}

describe("organization mode: events from accounts outside the organization are refused", () => {
  it("checks a member account with the function's own credentials, then assumes the member role, collects and posts", async () => {
    organizations
      .on(DescribeAccountCommand, { AccountId: "210000000001" })
      .resolves({ Account: { Id: "210000000001", Arn: accountArn("210000000001") } });
    const result = await handler()(periodicFrom("210000000001"), context);
    expect(organizations).toHaveReceivedCommandTimes(DescribeAccountCommand, 1);
    expect(organizations).toHaveReceivedCommandWith(DescribeAccountCommand, { AccountId: "210000000001" });
    const ownCredentials = await (organizations.call(0).thisValue as OrganizationsClient).config.credentials();
    expect(ownCredentials.accessKeyId).toBe("testing");
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: "arn:aws:iam::210000000001:role/ec2-config-rules-member" });
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(result.evaluations.map((e) => [e.resourceId, e.complianceType])).toEqual([["i-1", "NON_COMPLIANT"]]);
    expect(result.apiCalls["organizations:DescribeAccount"]).toBe(1);
  });

  it("fails the invocation for an account Organizations does not know, with no role assumed, no EC2 call and no PutEvaluations", async () => {
    organizations
      .on(DescribeAccountCommand)
      .rejects(new AccountNotFoundException({ message: "You specified an account that doesn't exist.", $metadata: {} }));
    const logger = new Logger({ serviceName: "test" });
    const logged = jest.spyOn(logger, "error");
    await expect(
      createRuleHandler(imdsv2Required, { env: { ORGANIZATION_ID: ORG }, logger })(periodicFrom("444455556666"), context),
    ).rejects.toThrow(/^account 444455556666 is not in organization o-a1b2c3d4e5: event refused, no evaluation posted$/);
    expectNothingDone();
    expect(logged).toHaveBeenCalledWith("invocation failed", expect.objectContaining({ apiCalls: { "organizations:DescribeAccount": 1 } }));
  });

  it("fails the invocation for an account of another organization", async () => {
    organizations
      .on(DescribeAccountCommand)
      .resolves({ Account: { Id: "210000000002", Arn: accountArn("210000000002", "o-zz9988776655") } });
    await expect(handler()(periodicFrom("210000000002"), context)).rejects.toThrow(
      "account 210000000002 is not in organization o-a1b2c3d4e5 but in o-zz9988776655: event refused, no evaluation posted",
    );
    expectNothingDone();
  });

  it("fails closed when DescribeAccount is denied, and does not remember the failure", async () => {
    organizations
      .on(DescribeAccountCommand)
      .rejectsOnce(ec2Error("AccessDeniedException", 400))
      .resolves({ Account: { Id: "210000000003", Arn: accountArn("210000000003") } });
    await expect(handler()(periodicFrom("210000000003"), context)).rejects.toThrow(
      "cannot verify that account 210000000003 is in organization o-a1b2c3d4e5: organizations:DescribeAccount failed: AccessDeniedException: AccessDeniedException (fake)",
    );
    expectNothingDone();
    await handler()(periodicFrom("210000000003"), context);
    expect(organizations).toHaveReceivedCommandTimes(DescribeAccountCommand, 2);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
  });

  it("asks once per account per container: a second invocation in the same account makes no DescribeAccount call", async () => {
    organizations.on(DescribeAccountCommand).resolves({ Account: { Id: "210000000004", Arn: accountArn("210000000004") } });
    await handler()(periodicFrom("210000000004"), context);
    const second = await handler()(periodicFrom("210000000004"), context);
    expect(organizations).toHaveReceivedCommandTimes(DescribeAccountCommand, 1);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
    expect(second.apiCalls["organizations:DescribeAccount"]).toBeUndefined();
  });

  it("checks the configuration item's account too, when it differs from the event's", async () => {
    organizations
      .on(DescribeAccountCommand, { AccountId: "210000000005" })
      .resolves({ Account: { Id: "210000000005", Arn: accountArn("210000000005") } });
    organizations
      .on(DescribeAccountCommand, { AccountId: "444455556667" })
      .rejects(new AccountNotFoundException({ message: "no such account", $metadata: {} }));
    const ci = configItem("DescribeInstances", reservation(instance("i-1")));
    ci.awsAccountId = "444455556667";
    await expect(
      handler()(change("imdsv2-required", ci, { accountId: "210000000005", ruleParameters: MEMBER_ROLE }), context),
    ).rejects.toThrow(/account 444455556667 is not in organization o-a1b2c3d4e5/);
    expectNothingDone();
  });

  it("refuses a malformed ORGANIZATION_ID before any call", async () => {
    await expect(
      createRuleHandler(imdsv2Required, { env: { ORGANIZATION_ID: "o-BAD" } })(periodicFrom("210000000006"), context),
    ).rejects.toThrow(/ORGANIZATION_ID "o-BAD" is not an AWS Organizations id/);
    expect(organizations.calls()).toHaveLength(0);
    expectNothingDone();
  });

  it("makes no DescribeAccount call outside organization mode", async () => {
    await createRuleHandler(imdsv2Required, { env: {} })(scheduled("imdsv2-required"), context);
    expect(organizations.calls()).toHaveLength(0);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
  });
});
