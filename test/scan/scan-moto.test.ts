import { gunzipSync } from "node:zlib";
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { CloseAccountCommand, CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { handler as itemHandler } from "../../handlers/scan-item";
import { handler as mergeHandler } from "../../handlers/scan-merge";
import { handler as planHandler } from "../../handlers/scan-plan";
import type { Evaluation } from "../../lib/engine/rule";
import { localContext } from "../../lib/lambda/local-context";
import { MAP_RESULTS_PREFIX, scanKeys } from "../../lib/scan/keys";
import type { ScanReport } from "../../lib/scan/merge";
import { useMotoServer } from "../integration/moto-server";

// The scan's three Lambdas against moto's server (127.0.0.1, started here): an organization of a
// management account and two members, each member seeded through an assumed role (moto keeps one
// backend per account, chosen by the assumed role's credentials).
const REGION = "eu-west-1";
const BUCKET = "scan-bucket";
const ROLE = "ec2-config-rules-member";
const MANAGEMENT = "123456789012";
const members: string[] = [];
let topicArn = "";
let queueUrl = "";
/** Per member, what was created there. */
const seeded: Record<string, { idleEip: string; attachedEip: string; unusedGroup: string; instance: string }> = {};

const s3 = () => new S3Client({ region: REGION, forcePathStyle: true });

async function memberEc2(accountId: string): Promise<EC2Client> {
  const { Credentials } = await new STSClient({ region: REGION }).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${ROLE}`, RoleSessionName: "seed" }),
  );
  return new EC2Client({
    region: REGION,
    credentials: {
      accessKeyId: Credentials?.AccessKeyId as string,
      secretAccessKey: Credentials?.SecretAccessKey as string,
      sessionToken: Credentials?.SessionToken,
    },
  });
}

async function seedMember(accountId: string, cidr: string) {
  const ec2 = await memberEc2(accountId);
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: `${cidr}.0.0/16` }));
  const { Subnet } = await ec2.send(
    new CreateSubnetCommand({ VpcId: Vpc?.VpcId, CidrBlock: `${cidr}.1.0/24`, AvailabilityZone: `${REGION}a` }),
  );
  const used = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "used", Description: "used", VpcId: Vpc?.VpcId }));
  const unused = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "unused", Description: "unused", VpcId: Vpc?.VpcId }));
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      SubnetId: Subnet?.SubnetId,
      SecurityGroupIds: [used.GroupId as string],
      MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
    }),
  );
  const instance = run.Instances?.[0]?.InstanceId as string;
  const attached = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
  const idle = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
  await ec2.send(new AssociateAddressCommand({ AllocationId: attached.AllocationId, InstanceId: instance }));
  seeded[accountId] = {
    idleEip: idle.AllocationId as string,
    attachedEip: attached.AllocationId as string,
    unusedGroup: unused.GroupId as string,
    instance,
  };
}

const { motoIt } = useMotoServer({
  // moto answers DescribePlacementGroups with an error page: don't wait out ten backed-off retries.
  env: {
    AWS_MAX_ATTEMPTS: "2",
    AWS_REGION: REGION,
    SCAN_BUCKET: BUCKET,
    SCAN_ROLE_NAME: ROLE,
    SCAN_REGIONS: JSON.stringify([REGION, "us-east-2"]),
  },
  setup: async () => {
    const organizations = new OrganizationsClient({ region: "us-east-1" });
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
    for (const name of ["member-a", "member-b", "closed"]) {
      const created = await organizations.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
      members.push(created.CreateAccountStatus?.AccountId as string);
    }
    // A closed account is not ACTIVE: the plan leaves it out.
    await organizations.send(new CloseAccountCommand({ AccountId: members[2] }));
    await seedMember(members[0] as string, "10.1");
    await seedMember(members[1] as string, "10.2");
    await s3().send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    const sns = new SNSClient({ region: REGION });
    topicArn = (await sns.send(new CreateTopicCommand({ Name: "alerts" }))).TopicArn as string;
    const sqs = new SQSClient({ region: REGION });
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "digest" }))).QueueUrl as string;
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: "sqs",
        Endpoint: Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    process.env.ALERTS_TOPIC_ARN = topicArn;
  },
});

afterAll(() => {
  delete process.env.ALERTS_TOPIC_ARN;
});

const context = (name: string) => ({
  ...localContext(name),
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${MANAGEMENT}:function:${name}`,
});

async function objectText(key: string): Promise<string> {
  const object = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).toString("utf8");
}

async function gzLines<T>(key: string): Promise<T[]> {
  const object = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const bytes = await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  return gunzipSync(bytes)
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

async function receiveDigests(): Promise<Record<string, unknown>[]> {
  const messages = await new SQSClient({ region: REGION }).send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return (messages.Messages ?? []).map((message) => JSON.parse(message.Body as string));
}

type Plan = { scanId: string; manifestKey: string; items: number; accounts: number; bucket: string };

async function runScan(): Promise<{ plan: Plan; merged: { reportKey: string; notified: boolean } }> {
  const plan = (await planHandler({}, context("scan-plan"))) as Plan;
  const manifest = JSON.parse(await objectText(plan.manifestKey)) as { accountId: string; region: string }[];
  for (const item of manifest) await itemHandler({ ...item, scanId: plan.scanId }, context("scan-item"));
  const merged = (await mergeHandler({ scanId: plan.scanId }, context("scan-merge"))) as { reportKey: string; notified: boolean };
  return { plan, merged };
}

let first: Awaited<ReturnType<typeof runScan>>;

describe("organization scan Lambdas against moto", () => {
  motoIt(
    "plan: the active accounts (management and members, not the closed one) × the stage's regions, sorted, into the manifest",
    async () => {
      const plan = (await planHandler({}, context("scan-plan"))) as Plan;
      expect(plan).toMatchObject({ bucket: BUCKET, accounts: 3, items: 6, manifestKey: scanKeys(plan.scanId).manifest });
      const manifest = JSON.parse(await objectText(plan.manifestKey));
      const expected = [MANAGEMENT, members[0], members[1]]
        .sort()
        .flatMap((accountId) => ["eu-west-1", "us-east-2"].map((region) => ({ accountId, region })));
      expect(manifest).toEqual(expected);
    },
  );

  motoIt("item: the member's own resources, recorded through the assumed role, evaluated, sorted by key", async () => {
    const [a, b] = members as [string, string];
    const scanId = "2026-12-01T00-00-00-000Z";
    const result = await itemHandler({ accountId: a, region: REGION, scanId }, context("scan-item"));
    expect(result).toMatchObject({ accountId: a, region: REGION, key: scanKeys(scanId).item({ accountId: a, region: REGION }) });
    const findings = await gzLines<Evaluation>(result.key);
    expect(findings.length).toBe(result.findings);
    expect(new Set(findings.map((finding) => `${finding.accountId} ${finding.region}`))).toEqual(new Set([`${a} ${REGION}`]));
    const verdict = (ruleId: string, id: string) =>
      findings.find((finding) => finding.ruleId === ruleId && finding.resourceId === id)?.complianceType;
    expect(verdict("eip-attached", seeded[a]?.idleEip as string)).toBe("NON_COMPLIANT");
    expect(verdict("eip-attached", seeded[a]?.attachedEip as string)).toBe("COMPLIANT");
    expect(verdict("sg-attached-to-eni", seeded[a]?.unusedGroup as string)).toBe("NON_COMPLIANT");
    expect(verdict("imdsv2-required", seeded[a]?.instance as string)).toBe("COMPLIANT");
    // None of the other member's resources.
    expect(findings.some((finding) => finding.resourceId === seeded[b]?.idleEip)).toBe(false);
    // moto fails DescribePlacementGroups: that rule is INSUFFICIENT_DATA, never COMPLIANT.
    expect(result.recordFailures).toBeGreaterThan(0);
    expect(findings.filter((finding) => finding.ruleId === "placement-group-limits").map((finding) => finding.complianceType)).toEqual([
      "INSUFFICIENT_DATA",
    ]);
    const keys = findings.map((finding) => [finding.ruleId, finding.resourceType, finding.resourceId].join("\u0000"));
    expect(keys).toEqual([...keys].sort());
  });

  motoIt("item: a bad event is refused, naming the field", async () => {
    await expect(
      itemHandler({ accountId: "12", region: REGION, scanId: "2026-12-01T00-00-00-000Z" }, context("scan-item")),
    ).rejects.toThrow(/accountId/);
    await expect(itemHandler({ accountId: members[0], region: REGION }, context("scan-item"))).rejects.toThrow(/scanId/);
  });

  motoIt("merge: one report of every account and region, per-account breakdown, findings file, latest pointer, digest", async () => {
    first = await runScan();
    const report = JSON.parse(await objectText(first.merged.reportKey)) as ScanReport;
    expect(report.kind).toBe("organization-scan-report");
    expect(report.scan).toMatchObject({ scanId: first.plan.scanId, items: 6, accounts: 3, regions: ["eu-west-1", "us-east-2"] });
    expect(report.diff).toBeUndefined();
    const [a, b] = members as [string, string];
    // Each member: one idle EIP, one unused group; the management account holds nothing (but is listed).
    expect(Object.keys(report.summary.byAccount).sort()).toEqual([MANAGEMENT, a, b].sort());
    for (const member of [a, b]) expect(report.summary.byAccount[member]?.NON_COMPLIANT).toBeGreaterThanOrEqual(2);
    const findings = await gzLines<Evaluation & { firstSeen: string }>(scanKeys(first.plan.scanId).findings);
    expect(findings.length).toBe(report.findings.count);
    expect(findings.length).toBe(report.summary.totals.total);
    const keys = findings.map((finding) =>
      [finding.accountId, finding.region, finding.ruleId, finding.resourceType, finding.resourceId].join("\u0000"),
    );
    expect(keys).toEqual([...keys].sort());
    expect(JSON.parse(await objectText("scans/latest.json"))).toMatchObject({
      scanId: first.plan.scanId,
      findingsKey: scanKeys(first.plan.scanId).findings,
    });
    expect(first.merged.notified).toBe(true);
    const [digest] = await receiveDigests();
    expect(digest).toMatchObject({ kind: "compliance-report", scope: "organization-scan", scanId: first.plan.scanId, accounts: 3 });
  });

  motoIt("merge: the second scan's diff against the first (merge-join): a fixed EIP is resolved, a new unused group is new", async () => {
    const [a] = members as [string];
    const ec2 = await memberEc2(a);
    await ec2.send(
      new AssociateAddressCommand({ AllocationId: seeded[a]?.idleEip, InstanceId: seeded[a]?.instance, AllowReassociation: true }),
    );
    const vpcs = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
    const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "later", Description: "later", VpcId: vpcs.Vpc?.VpcId }));
    // Scan ids are timestamps to the millisecond.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await runScan();
    const report = JSON.parse(await objectText(second.merged.reportKey)) as ScanReport;
    expect(report.diff?.previousGeneratedAt).toBeDefined();
    const idle = seeded[a]?.idleEip;
    expect(report.diff?.resolved.map((finding) => finding.resourceId)).toContain(idle);
    expect(report.diff?.new.map((finding) => `${finding.ruleId} ${finding.resourceId}`)).toContain(`sg-attached-to-eni ${group.GroupId}`);
    // The new VPC's default group is new too, unattached; the attached EIP was already compliant.
    expect(report.diff?.counts.resolved).toBe(1);
    const findings = await gzLines<{ resourceId: string; change: string; firstSeen: string }>(scanKeys(second.plan.scanId).findings);
    const unchanged = findings.find((finding) => finding.resourceId === seeded[a]?.attachedEip);
    expect(unchanged?.change).toBe("unchanged");
    expect(unchanged?.firstSeen).toBe(report.diff?.previousGeneratedAt);
    const digests = await receiveDigests();
    expect(digests[0]).toMatchObject({ changes: expect.objectContaining({ resolved: 1 }) });
    // The merge run again (a retry) still diffs against the first scan, not against itself.
    const again = (await mergeHandler({ scanId: second.plan.scanId }, context("scan-merge"))) as { reportKey: string };
    const rerun = JSON.parse(await objectText(again.reportKey)) as ScanReport;
    expect(rerun.diff?.counts).toEqual(report.diff?.counts);
    await receiveDigests();
  });

  motoIt("merge: a missing item file fails the merge, and the last good scan stays the baseline", async () => {
    const plan = (await planHandler({}, context("scan-plan"))) as Plan;
    // The plan wrote a manifest, but no item ran.
    await expect(mergeHandler({ scanId: plan.scanId }, context("scan-merge"))).rejects.toMatchObject({ name: "NoSuchKey" });
    expect(JSON.parse(await objectText("scans/latest.json")).scanId).not.toBe(plan.scanId);
  });

  motoIt("failed map: every failed item in the ResultWriter's FAILED files is listed in the alert", async () => {
    const scanId = "2026-12-02T00-00-00-000Z";
    const failed = [
      {
        Input: JSON.stringify({ accountId: members[1], region: "us-east-2", scanId }),
        Error: "AccessDenied",
        Cause: "not authorized to perform sts:AssumeRole",
      },
      { Input: JSON.stringify({ accountId: members[0], region: REGION, scanId }), Error: "States.Timeout", Cause: "timed out" },
    ];
    await s3().send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${MAP_RESULTS_PREFIX}/run-1/FAILED_0.json`, Body: JSON.stringify(failed) }),
    );
    // Another scan's failures, in another map run's files: not this scan's.
    const other = [
      { Input: JSON.stringify({ accountId: members[0], region: REGION, scanId: "2026-11-30T00-00-00-000Z" }), Error: "X", Cause: "y" },
    ];
    await s3().send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${MAP_RESULTS_PREFIX}/run-0/FAILED_0.json`, Body: JSON.stringify(other) }),
    );
    const result = await mergeHandler(
      {
        scanId,
        failed: true,
        error: { Error: "States.ExceedToleratedFailureThreshold", Cause: "The specified tolerated failure threshold was exceeded" },
      },
      context("scan-merge"),
    );
    expect(result).toEqual({ scanId, failedItems: 2 });
    const [alert] = await receiveDigests();
    expect(alert).toMatchObject({ kind: "organization-scan-failure", scanId, failedItemCount: 2 });
    // Sorted by account and region, each with its error.
    expect(alert?.failedItems).toEqual(
      [
        { accountId: members[1], region: "us-east-2", error: "AccessDenied", cause: "not authorized to perform sts:AssumeRole" },
        { accountId: members[0], region: REGION, error: "States.Timeout", cause: "timed out" },
      ].sort((x, y) => ((x.accountId as string) + x.region < (y.accountId as string) + y.region ? -1 : 1)),
    );
    const listing = await s3().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `scans/${scanId}/report` }));
    expect(listing.Contents ?? []).toEqual([]);
  });
});
