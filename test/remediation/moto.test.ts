import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { alertOnRuleRun } from "../../lib/alerts";
import { main } from "../../lib/cli/main";
import type { Evaluation } from "../../lib/engine/rule";
import { useMotoServer } from "../integration/moto-server";

// Real HTTP against a moto server this file starts on 127.0.0.1; every client reaches it through
// the SDK's standard AWS_ENDPOINT_URL, as `remediate --apply` would reach AWS.
const REGION = "eu-west-1";
const MOTO_ACCOUNT = "123456789012";
const { motoIt } = useMotoServer();
const withMoto = (name: string, body: () => Promise<void>) => motoIt(name, body, 60_000);

async function cli(...args: string[]) {
  let stdout = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const code = await main(["node", "ec2-config-rules", ...args]);
    return { code, json: JSON.parse(stdout) };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

const apply = (ruleId: string) =>
  cli("remediate", "--apply", "--rule", ruleId, "--region", REGION, "--account-id", MOTO_ACCOUNT, "--yes", "--format", "json");

async function network(ec2: EC2Client) {
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.77.0.0/16" }));
  const vpcId = Vpc?.VpcId as string;
  const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.77.1.0/24", AvailabilityZone: `${REGION}a` }));
  return { vpcId, subnetId: Subnet?.SubnetId as string };
}

async function launch(ec2: EC2Client, subnetId: string, extra: Record<string, unknown> = {}) {
  const { Instances } = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnetId,
      ...extra,
    }),
  );
  return Instances?.[0]?.InstanceId as string;
}

describe("remediation against moto", () => {
  withMoto("releases an unassociated EIP, keeps the associated one, and does nothing the second time", async () => {
    const ec2 = new EC2Client({ region: REGION });
    const { subnetId } = await network(ec2);
    const instanceId = await launch(ec2, subnetId);
    const idle = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    // Taken off an instance by ec2-no-public-ip long ago: past the grace period.
    await ec2.send(
      new CreateTagsCommand({
        Resources: [idle.AllocationId as string],
        Tags: [{ Key: "ec2-config-rules:disassociated-at", Value: "2026-01-01T00:00:00.000Z" }],
      }),
    );
    const used = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    await ec2.send(new AssociateAddressCommand({ AllocationId: used.AllocationId, InstanceId: instanceId }));

    const first = await apply("eip-attached");
    expect(first.code).toBe(0);
    expect(first.json.report.outcomes).toEqual([
      expect.objectContaining({
        resourceId: idle.AllocationId,
        status: "applied",
        after: "deleted",
        calls: [expect.objectContaining({ dryRun: "DryRunOperation", result: "ok" })],
      }),
    ]);
    const { Addresses } = await ec2.send(new DescribeAddressesCommand({}));
    expect(Addresses?.map((address) => address.AllocationId)).toEqual([used.AllocationId]);

    const second = await apply("eip-attached");
    expect(second.json.plan.actions).toEqual([]);
    expect(second.json.report.outcomes).toEqual([]);
  });

  withMoto("never cascades: the EIP ec2-no-public-ip takes off an instance is tagged, and eip-attached then releases nothing", async () => {
    const ec2 = new EC2Client({ region: REGION });
    const { subnetId } = await network(ec2);
    const instanceId = await launch(ec2, subnetId);
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    await ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, InstanceId: instanceId }));

    // Other tests' instances share this moto server: only ours is looked at.
    const disassociated = await cli(
      "remediate",
      "--apply",
      "--rule",
      "ec2-no-public-ip",
      "--resource",
      instanceId,
      "--region",
      REGION,
      "--account-id",
      MOTO_ACCOUNT,
      "--yes",
      "--format",
      "json",
    );
    expect(disassociated.json.report.outcomes).toEqual([
      expect.objectContaining({ resourceId: instanceId, status: "applied", after: "COMPLIANT" }),
    ]);
    expect(disassociated.code).toBe(0);
    const tagged = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId as string] }))).Addresses?.[0];
    expect(tagged?.AssociationId).toBeUndefined();
    expect(tagged?.Tags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Key: "ec2-config-rules:disassociated-from", Value: expect.stringContaining(instanceId) }),
      ]),
    );

    const release = await cli(
      "remediate",
      "--apply",
      "--rule",
      "eip-attached",
      "--resource",
      eip.AllocationId as string,
      "--region",
      REGION,
      "--account-id",
      MOTO_ACCOUNT,
      "--yes",
      "--format",
      "json",
    );
    expect(release.json.plan.actions).toEqual([expect.objectContaining({ resourceId: eip.AllocationId, status: "skip", calls: [] })]);
    expect(release.json.plan.actions[0].why).toContain(`disassociated from ${instanceId}`);
    expect(release.json.report.outcomes).toEqual([]);
    // Still non-compliant, on purpose: exit 1, and the address is still the account's.
    expect(release.code).toBe(1);
    const { Addresses } = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId as string] }));
    expect(Addresses).toHaveLength(1);
  });

  withMoto("deletes an unused security group, never the default one nor a referenced or used one", async () => {
    const ec2 = new EC2Client({ region: REGION });
    const { vpcId, subnetId } = await network(ec2);
    const group = (name: string) =>
      ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId })).then((g) => g.GroupId as string);
    const unused = await group("unused");
    const referenced = await group("referenced");
    const referrer = await group("referrer");
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: referrer,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: referenced }] }],
      }),
    );
    await launch(ec2, subnetId, { SecurityGroupIds: [referrer] });

    const { code, json } = await apply("sg-attached-to-eni");
    // The referenced group is left (and still non-compliant): exit 1.
    expect(code).toBe(1);
    const outcomes = Object.fromEntries(json.report.outcomes.map((outcome: { resourceId: string }) => [outcome.resourceId, outcome]));
    expect(outcomes[unused]).toMatchObject({ status: "applied", after: "deleted" });
    const skipped = json.report.notApplied.find((action: { resourceId: string }) => action.resourceId === referenced);
    expect(skipped).toMatchObject({ status: "skip", why: `${referenced} is referenced by the rules of ${referrer}: not deleted` });

    const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
    const left = SecurityGroups?.map((g) => g.GroupName).sort();
    expect(left).toEqual(["default", "referenced", "referrer"]);
  });

  withMoto("enforces IMDSv2 keeping the endpoint and hop limit", async () => {
    const ec2 = new EC2Client({ region: REGION });
    const { subnetId } = await network(ec2);
    const instanceId = await launch(ec2, subnetId, {
      MetadataOptions: { HttpTokens: "optional", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 3 },
    });

    const { code, json } = await apply("imdsv2-required");
    expect(code).toBe(0);
    const outcome = json.report.outcomes.find((o: { resourceId: string }) => o.resourceId === instanceId);
    expect(outcome).toMatchObject({ status: "applied", after: "COMPLIANT" });
    expect(outcome.calls[0].parameters).toEqual({
      InstanceId: instanceId,
      HttpTokens: "required",
      HttpEndpoint: "enabled",
      HttpPutResponseHopLimit: 3,
    });
    // moto (5.2) ignores DryRun on ModifyInstanceMetadataOptions and applies it at once: the report says so.
    expect(outcome.calls[0]).toMatchObject({
      dryRun: "ignored: the endpoint made the change during the dry run",
      result: "ok (during dry run)",
    });

    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    expect(Reservations?.[0]?.Instances?.[0]?.MetadataOptions).toMatchObject({
      HttpTokens: "required",
      HttpEndpoint: "enabled",
      HttpPutResponseHopLimit: 3,
    });
  });
});

/** moto's SQS through its JSON protocol (the project has no SQS client; the test only reads one queue). */
async function sqs(target: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(`${process.env.AWS_ENDPOINT_URL}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.0",
      "X-Amz-Target": `AmazonSQS.${target}`,
      // moto reads the region from the credential scope; it does not check the signature.
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20261123/${REGION}/sqs/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`sqs ${target}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

async function drain(queueUrl: string): Promise<{ Body: string }[]> {
  const messages: { Body: string }[] = [];
  for (;;) {
    const { Messages } = (await sqs("ReceiveMessage", { QueueUrl: queueUrl, MaxNumberOfMessages: 10 })) as {
      Messages?: { Body: string; ReceiptHandle: string }[];
    };
    if (!Messages?.length) return messages;
    messages.push(...Messages);
    for (const message of Messages) await sqs("DeleteMessage", { QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle });
  }
}

describe("alerts against moto", () => {
  const evaluation = (id: string, complianceType: Evaluation["complianceType"]): Evaluation => ({
    ruleId: "eip-attached",
    resourceType: "AWS::EC2::EIP",
    resourceId: id,
    region: REGION,
    accountId: MOTO_ACCOUNT,
    complianceType,
    annotation: `EIP ${id} is not associated`,
  });

  withMoto(
    "delivers the digest's JSON body and attributes to an SQS subscriber, split when large, and nothing when nothing changed",
    async () => {
      const sns = new SNSClient({ region: REGION });
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "compliance-alerts" }));
      const { QueueUrl } = (await sqs("CreateQueue", { QueueName: "alerts-reader" })) as { QueueUrl: string };
      const { Attributes } = (await sqs("GetQueueAttributes", { QueueUrl, AttributeNames: ["QueueArn"] })) as {
        Attributes: { QueueArn: string };
      };
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes.QueueArn }));

      const base = {
        sns,
        topicArn: TopicArn,
        rule: { id: "eip-attached", severity: "low" as const },
        accountId: MOTO_ACCOUNT,
        region: REGION,
      };
      const previous = new Map([
        ["AWS::EC2::EIP|eipalloc-fixed", { resourceType: "AWS::EC2::EIP", resourceId: "eipalloc-fixed", complianceType: "NON_COMPLIANT" }],
      ]);
      await alertOnRuleRun({
        ...base,
        evaluations: [evaluation("eipalloc-new", "NON_COMPLIANT"), evaluation("eipalloc-fixed", "COMPLIANT")],
        previous,
      });

      const [delivered, ...rest] = await drain(QueueUrl);
      expect(rest).toEqual([]);
      const envelope = JSON.parse(delivered?.Body ?? "{}");
      expect(envelope.Subject).toBe(`[LOW] eip-attached: 1 newly non-compliant, 1 back to compliant in ${MOTO_ACCOUNT} ${REGION}`);
      const body = JSON.parse(envelope.Message);
      expect(body).toMatchObject({ kind: "compliance-digest", ruleId: "eip-attached", part: 1, parts: 1 });
      expect(body.newlyNonCompliant.map((item: { resourceId: string }) => item.resourceId)).toEqual(["eipalloc-new"]);
      expect(body.backToCompliant.map((item: { resourceId: string }) => item.resourceId)).toEqual(["eipalloc-fixed"]);
      expect(envelope.MessageAttributes).toMatchObject({
        ruleId: { Type: "String", Value: "eip-attached" },
        severity: { Type: "String", Value: "low" },
        accountId: { Type: "String", Value: MOTO_ACCOUNT },
        region: { Type: "String", Value: REGION },
        complianceType: { Type: "String.Array" },
      });

      // Unchanged: no message at all.
      await alertOnRuleRun({ ...base, evaluations: [evaluation("eipalloc-fixed", "COMPLIANT")], previous: new Map() });
      expect(await drain(QueueUrl)).toEqual([]);

      // A digest above the size limit arrives in parts that together hold every resource.
      const many = Array.from({ length: 60 }, (_, i) => evaluation(`eipalloc-${String(i).padStart(3, "0")}`, "NON_COMPLIANT"));
      await alertOnRuleRun({ ...base, evaluations: many, previous: new Map(), maxMessageBytes: 16_384 });
      const parts = (await drain(QueueUrl)).map((message) => JSON.parse(JSON.parse(message.Body).Message));
      expect(parts.length).toBeGreaterThan(1);
      expect(parts.every((part) => part.parts === parts.length)).toBe(true);
      const ids = parts.flatMap((part) => part.newlyNonCompliant.map((item: { resourceId: string }) => item.resourceId)).sort();
      expect(ids).toEqual(many.map((e) => e.resourceId));
    },
  );
});
