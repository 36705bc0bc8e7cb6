import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateRouteTableCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { buildSampleEvent } from "../../lib/cli/commands/event";
import { main } from "../../lib/cli/main";
import { runRules } from "../../lib/engine/run";
import type { Evaluation } from "../../lib/engine/rule";
import { createRuleHandler } from "../../lib/lambda/handler";
import { localContext } from "../../lib/lambda/local-context";
import { loadSnapshots } from "../../lib/sources/load";
import { findRule, RULES } from "../../rules";
import { type MotoServer, startMoto } from "./moto-server";

// `record` against moto's server on 127.0.0.1 (started here), then `evaluate` on what it recorded
// must give the verdicts of the live periodic Lambda run on the same account.
const REGION = "eu-west-1";
const saved = { endpoint: process.env.AWS_ENDPOINT_URL, attempts: process.env.AWS_MAX_ATTEMPTS };
const tmp = mkdtempSync(join(tmpdir(), "record-moto-"));
let moto: MotoServer | undefined;

beforeAll(async () => {
  moto = await startMoto();
  if (!moto) return;
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  // moto answers DescribePlacementGroups with an error page; don't wait out ten backed-off retries.
  process.env.AWS_MAX_ATTEMPTS = "2";
  const ec2 = new EC2Client({ region: REGION });
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.7.0.0/16" }));
  const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc?.VpcId, CidrBlock: "10.7.1.0/24", AvailabilityZone: `${REGION}a` }));
  const used = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "used", Description: "used", VpcId: Vpc?.VpcId }));
  await ec2.send(new CreateSecurityGroupCommand({ GroupName: "unused", Description: "unused", VpcId: Vpc?.VpcId }));
  const launch = async (HttpTokens: "optional" | "required") =>
    (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-0123456789abcdef0",
          InstanceType: "t3.micro",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: Subnet?.SubnetId,
          SecurityGroupIds: [used.GroupId as string],
          MetadataOptions: { HttpTokens, HttpEndpoint: "enabled" },
        }),
      )
    ).Instances?.[0]?.InstanceId;
  const instance = await launch("optional");
  await launch("required");
  const attached = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
  await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
  await ec2.send(new AssociateAddressCommand({ AllocationId: attached.AllocationId, InstanceId: instance }));
  const { RouteTable } = await ec2.send(new CreateRouteTableCommand({ VpcId: Vpc?.VpcId }));
  await ec2.send(new AssociateRouteTableCommand({ RouteTableId: RouteTable?.RouteTableId, SubnetId: Subnet?.SubnetId }));
  await ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: Vpc?.VpcId,
      ServiceName: `com.amazonaws.${REGION}.s3`,
      VpcEndpointType: "Gateway",
      RouteTableIds: [RouteTable?.RouteTableId as string],
    }),
  );
}, 60_000);

afterAll(async () => {
  for (const [name, value] of [
    ["AWS_ENDPOINT_URL", saved.endpoint],
    ["AWS_MAX_ATTEMPTS", saved.attempts],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await moto?.stop();
});

/** Runs the CLI in-process, returning its exit code and what it wrote to stderr. */
async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const error = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const previousExitCode = process.exitCode;
  try {
    return { code: await main(["node", "ec2-config-rules", ...args]), stderr };
  } finally {
    error.mockRestore();
    process.exitCode = previousExitCode;
  }
}

const motoIt = (name: string, fn: () => Promise<void>, timeout = 60_000) =>
  it(
    name,
    async () => {
      if (!moto) {
        console.warn(`skipped (moto not installed): ${name}`);
        return;
      }
      await fn();
    },
    timeout,
  );

const comparable = (evaluations: readonly Evaluation[]) =>
  evaluations
    .map((evaluation) => `${evaluation.ruleId} ${evaluation.resourceId} ${evaluation.complianceType} ${evaluation.annotation}`)
    .sort();

describe("record against moto", () => {
  motoIt("a call that fails after retries: nothing written, exit 1, the failure named", async () => {
    const output = join(tmp, "strict.json.gz");
    const { code, stderr } = await cli("record", "--regions", REGION, "--output", output);
    expect(code).toBe(1);
    expect(stderr).toMatch(/eu-west-1 DescribePlacementGroups failed after retries/);
    expect(stderr).toContain("nothing written");
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(tmp).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  motoIt("--allow-partial writes the snapshot with the failure listed; evaluate gives the live periodic run's verdicts", async () => {
    const output = join(tmp, "partial.json.gz");
    const { code, stderr } = await cli("record", "--regions", REGION, "--output", output, "--allow-partial");
    expect(code).toBe(0);
    expect(stderr).toContain(`record: wrote ${output}`);
    // Plain log lines when stderr is not a terminal (two launches: two reservations).
    expect(stderr).toMatch(/record: eu-west-1 DescribeInstances: 2 item\(s\), 1 page\(s\)/);

    const snapshot = JSON.parse(gunzipSync(readFileSync(output)).toString("utf8"));
    expect(snapshot).toMatchObject({ schemaVersion: "1.0", accountId: "123456789012" });
    expect(snapshot.failures).toEqual([expect.objectContaining({ region: REGION, operation: "DescribePlacementGroups" })]);
    expect(snapshot.regions[REGION].DescribePlacementGroups).toBeUndefined();
    expect(snapshot.regions[REGION].DescribeInstanceTypes.InstanceTypes.map((type: { InstanceType: string }) => type.InstanceType)).toEqual([
      "t3.micro",
    ]);

    const { model } = await loadSnapshots([output]);
    const offline = runRules(model, { rules: RULES });
    // The placement-group rule cannot judge without the failed call: a gap, never COMPLIANT.
    expect(offline.filter((evaluation) => evaluation.ruleId === "placement-group-limits")).toEqual([
      expect.objectContaining({ complianceType: "INSUFFICIENT_DATA", annotation: expect.stringContaining("DescribePlacementGroups") }),
    ]);
    for (const rule of RULES.filter((candidate) => candidate.meta.id !== "placement-group-limits")) {
      const event = await buildSampleEvent(rule.meta.id, { type: "scheduled", region: REGION, resultToken: "TESTMODE", status: "OK" });
      const live = await createRuleHandler(findRule(rule.meta.id) ?? rule)(event, localContext(rule.meta.id));
      const recorded = offline.filter((evaluation) => evaluation.ruleId === rule.meta.id);
      expect(recorded.length).toBeGreaterThan(0);
      expect(comparable(recorded)).toEqual(comparable(live.evaluations));
    }
  });

  motoIt("refuses a bad region list before any call", async () => {
    const { code, stderr } = await cli("record", "--regions", "eu-west-1,mars", "--output", join(tmp, "x.json"));
    expect(code).toBe(2);
    expect(stderr).toMatch(/field --regions: not a region name: "mars"/);
  });
});
