import { spawnSync } from "node:child_process";
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DescribeAddressesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { AUTOMATION_DOCUMENT_CONTENT } from "../../remediation";
import { useMotoServer } from "../integration/moto-server";

// The Python steps of the SSM documents, run as SSM would (handler(events, context)) with boto3
// against a moto server this file starts: the scripts are code too, and must be able to fail.
const REGION = "eu-west-1";
const { motoIt } = useMotoServer({
  prerequisite: { check: () => spawnSync("python3", ["-c", "import boto3"]).status === 0, missing: "boto3" },
});
const withMoto = (name: string, body: () => Promise<void>) => motoIt(name, body, 60_000);

function script(ruleId: string, step: string): string {
  const content = AUTOMATION_DOCUMENT_CONTENT[ruleId] as { mainSteps: { name: string; inputs: { Script?: string } }[] };
  const found = content.mainSteps.find((candidate) => candidate.name === step)?.inputs.Script;
  if (!found) throw new Error(`no script ${step} in ${ruleId}`);
  return found;
}

/** Runs a step's script; resolves with its output, or the exception's message. */
function runStep(ruleId: string, step: string, events: Record<string, unknown>): { ok: boolean; output: unknown } {
  const runner =
    "import json,sys\nns={}\nexec(sys.stdin.read(),ns)\ntry:\n print(json.dumps({'ok':True,'output':ns['handler'](json.loads(sys.argv[1]),None)}))\nexcept Exception as e:\n print(json.dumps({'ok':False,'output':str(e)}))";
  const result = spawnSync("python3", ["-c", runner, JSON.stringify(events)], {
    input: script(ruleId, step),
    encoding: "utf8",
    env: { ...process.env, AWS_DEFAULT_REGION: REGION, AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL },
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}");
}

const ec2 = () => new EC2Client({ region: REGION });

async function network() {
  const client = ec2();
  const { Vpc } = await client.send(new CreateVpcCommand({ CidrBlock: "10.88.0.0/16" }));
  const vpcId = Vpc?.VpcId as string;
  const { Subnet } = await client.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.88.1.0/24", AvailabilityZone: `${REGION}a` }),
  );
  return { client, vpcId, subnetId: Subnet?.SubnetId as string };
}

const launch = async (client: EC2Client, subnetId: string, extra: Record<string, unknown> = {}) =>
  (
    await client.send(
      new RunInstancesCommand({
        ImageId: "ami-0123456789abcdef0",
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
        ...extra,
      }),
    )
  ).Instances?.[0]?.InstanceId as string;

describe("SSM document scripts against moto", () => {
  withMoto(
    "eip-attached CheckUnassociated passes an address unassociated for ReleaseAfterDays, stops on an associated, a recently disassociated or an unknown one",
    async () => {
      const { client, subnetId } = await network();
      const instanceId = await launch(client, subnetId);
      const allocate = async (tagged?: string) => {
        const address = await client.send(new AllocateAddressCommand({ Domain: "vpc" }));
        if (tagged)
          await client.send(
            new CreateTagsCommand({
              Resources: [address.AllocationId as string],
              Tags: [{ Key: "ec2-config-rules:disassociated-at", Value: tagged }],
            }),
          );
        return address;
      };
      const old = await allocate("2026-01-01T00:00:00.000Z");
      const recent = await allocate(new Date().toISOString());
      const unknown = await allocate();
      const used = await allocate();
      await client.send(new AssociateAddressCommand({ AllocationId: used.AllocationId, InstanceId: instanceId }));
      expect(runStep("eip-attached", "CheckUnassociated", { AllocationId: old.AllocationId, ReleaseAfterDays: "7" })).toEqual({
        ok: true,
        output: { PublicIp: old.PublicIp, Evidence: "disassociated at 2026-01-01T00:00:00.000Z" },
      });
      const refusal = (events: Record<string, unknown>) => {
        const result = runStep("eip-attached", "CheckUnassociated", { ReleaseAfterDays: "7", ...events });
        expect(result.ok).toBe(false);
        return String(result.output);
      };
      expect(refusal({ AllocationId: used.AllocationId })).toMatch(/is associated .*not released/);
      expect(refusal({ AllocationId: recent.AllocationId })).toMatch(/less than ReleaseAfterDays=7 day\(s\) ago: not released/);
      expect(refusal({ AllocationId: unknown.AllocationId })).toMatch(/nothing shows how long it has been unassociated .*not released/);
      expect(refusal({ AllocationId: unknown.AllocationId, UnassociatedSince: new Date().toISOString() })).toMatch(
        /known unassociated only since/,
      );
      expect(
        runStep("eip-attached", "CheckUnassociated", {
          AllocationId: unknown.AllocationId,
          ReleaseAfterDays: "7",
          UnassociatedSince: "2026-01-01T00:00:00Z",
        }),
      ).toMatchObject({ ok: true });
    },
  );

  withMoto("sg-attached-to-eni CheckUnused passes an unused group, stops on default, used and referenced groups", async () => {
    const { client, vpcId, subnetId } = await network();
    const group = async (name: string) =>
      (await client.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }))).GroupId as string;
    const unused = await group("unused");
    const used = await group("used");
    const referenced = await group("referenced");
    await client.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: used,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: referenced }] }],
      }),
    );
    await launch(client, subnetId, { SecurityGroupIds: [used] });
    const { SecurityGroups } = await client.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "group-name", Values: ["default"] },
        ],
      }),
    );
    const defaultGroup = SecurityGroups?.[0]?.GroupId as string;

    expect(runStep("sg-attached-to-eni", "CheckUnused", { GroupId: unused })).toEqual({ ok: true, output: { GroupName: "unused" } });
    expect(runStep("sg-attached-to-eni", "CheckUnused", { GroupId: defaultGroup }).output).toBe(
      `${defaultGroup} is a default security group: never deleted`,
    );
    expect(String(runStep("sg-attached-to-eni", "CheckUnused", { GroupId: used }).output)).toMatch(new RegExp(`^${used} is used by eni-`));
    expect(runStep("sg-attached-to-eni", "CheckUnused", { GroupId: referenced }).output).toBe(
      `${referenced} is referenced by the rules of ${used}: not deleted`,
    );
  });

  withMoto("ec2-no-public-ip DisassociateElasticIps takes the EIP off and keeps it allocated", async () => {
    const { client, subnetId } = await network();
    const instanceId = await launch(client, subnetId);
    const eip = await client.send(new AllocateAddressCommand({ Domain: "vpc" }));
    await client.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, InstanceId: instanceId }));
    const result = runStep("ec2-no-public-ip", "DisassociateElasticIps", { InstanceId: instanceId });
    expect(result).toMatchObject({ ok: true, output: { Disassociated: [eip.PublicIp] } });
    const { Addresses } = await client.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId as string] }));
    expect(Addresses?.[0]).toMatchObject({ AllocationId: eip.AllocationId });
    expect(Addresses?.[0]?.AssociationId).toBeUndefined();
    const tags = Object.fromEntries((Addresses?.[0]?.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
    expect(tags["ec2-config-rules:disassociated-from"]).toMatch(new RegExp(`^${instanceId}/eni-`));
    expect(Date.now() - Date.parse(tags["ec2-config-rules:disassociated-at"] ?? "")).toBeLessThan(120_000);
  });

  withMoto("endpoint-route-present RouteThroughEndpoints adds the table to the S3 gateway endpoint", async () => {
    const { client, vpcId } = await network();
    const { RouteTable } = await client.send(new CreateRouteTableCommand({ VpcId: vpcId }));
    const tableId = RouteTable?.RouteTableId as string;
    const other = (await client.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId as string;
    const { VpcEndpoint } = await client.send(
      new CreateVpcEndpointCommand({
        VpcId: vpcId,
        ServiceName: `com.amazonaws.${REGION}.s3`,
        VpcEndpointType: "Gateway",
        RouteTableIds: [other],
      }),
    );
    const first = runStep("endpoint-route-present", "RouteThroughEndpoints", { ResourceId: tableId, Services: ["s3"] });
    expect(first).toEqual({ ok: true, output: { Changes: [`added ${tableId} to s3 endpoint ${VpcEndpoint?.VpcEndpointId}`] } });
    // AWS then adds the prefix-list route itself; moto (5.2) only records the association, so check that.
    const { VpcEndpoints } = await client.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [VpcEndpoint?.VpcEndpointId as string] }));
    expect(VpcEndpoints?.[0]?.RouteTableIds?.sort()).toEqual([other, tableId].sort());
    // A table already routed through the endpoint is left alone.
    expect(runStep("endpoint-route-present", "RouteThroughEndpoints", { ResourceId: other, Services: ["s3"] })).toEqual({
      ok: true,
      output: { Changes: [] },
    });
  });
});

// A requester-managed endpoint cannot come from moto (it never sets RequesterManaged), so this step
// runs against a stand-in boto3 that answers DescribeVpcEndpoints and records every other call.
describe("endpoint-route-present RouteThroughEndpoints on an interface endpoint, with a stand-in boto3", () => {
  function runWithEndpoint(endpoint: Record<string, unknown>) {
    const runner = [
      "import json, sys, types",
      "endpoint = json.loads(sys.argv[1])",
      "calls = []",
      "class EC2:",
      "    def describe_vpc_endpoints(self, **kw):",
      "        calls.append('describe_vpc_endpoints')",
      "        return {'VpcEndpoints': [endpoint]}",
      "    def __getattr__(self, name):",
      "        def call(**kw):",
      "            calls.append(name)",
      "            return {}",
      "        return call",
      "boto3 = types.ModuleType('boto3')",
      "boto3.client = lambda service: EC2()",
      "sys.modules['boto3'] = boto3",
      "ns = {}",
      "exec(sys.stdin.read(), ns)",
      "print(json.dumps({'output': ns['handler']({'ResourceId': endpoint['VpcEndpointId'], 'Services': ['s3']}, None), 'calls': calls}))",
    ].join("\n");
    const result = spawnSync("python3", ["-c", runner, JSON.stringify(endpoint)], {
      input: script("endpoint-route-present", "RouteThroughEndpoints"),
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout);
  }
  const endpoint = {
    VpcEndpointId: "vpce-0transfer000000001",
    VpcEndpointType: "Interface",
    PrivateDnsEnabled: false,
    ServiceName: "com.amazonaws.eu-west-1.transfer.server",
  };

  it("changes nothing on a requester-managed one (created by an AWS service such as Transfer Family)", () => {
    expect(runWithEndpoint({ ...endpoint, RequesterManaged: true })).toEqual({
      output: { Changes: [] },
      calls: ["describe_vpc_endpoints"],
    });
  });

  it("enables private DNS on the account's own one", () => {
    expect(runWithEndpoint({ ...endpoint, RequesterManaged: false })).toEqual({
      output: { Changes: ["enabled private DNS on vpce-0transfer000000001"] },
      calls: ["describe_vpc_endpoints", "modify_vpc_endpoint"],
    });
  });
});
