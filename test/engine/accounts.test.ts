import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Evaluation } from "../../lib/engine/rule";
import { runRules } from "../../lib/engine/run";
import { ExemptionPolicy, parseExemptionsFile } from "../../lib/exemptions/exemptions";
import { buildReport, reportRuleOf } from "../../lib/reports/model";
import { loadSnapshots } from "../../lib/sources/load";
import { planAcrossRules } from "../../remediation/plan";
import { RULES } from "../../rules";
import { RULE_IDS } from "../support/rule-ids";

// Two accounts holding the same resource ids (a shared VPC, an environment copied by IaC) are
// two sets of resources, each judged only against its own account's relations.

const A = "111122223333";
const B = "777788889999";
const REGION = "eu-west-1";
const root = mkdtempSync(join(tmpdir(), "accounts-"));
const example = readFileSync(join(__dirname, "..", "..", "examples", "account-snapshot.json"), "utf8");

function write(name: string, content: unknown): string {
  const path = join(root, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const identity = (evaluation: Evaluation) =>
  `${evaluation.ruleId}|${evaluation.accountId}|${evaluation.region}|${evaluation.resourceType}|${evaluation.resourceId}`;
const byIdentity = (evaluations: readonly Evaluation[]) =>
  [...evaluations].sort((a, b) => (identity(a) < identity(b) ? -1 : identity(a) > identity(b) ? 1 : 0));

async function evaluate(paths: string[], exemptions?: ExemptionPolicy): Promise<Evaluation[]> {
  const { model } = await loadSnapshots(paths);
  return runRules(model, { rules: RULES, params: { "eip-attached": { requireInUseEni: true } }, exemptions });
}

/** A snapshot in which account `accountId` holds sg-1, eni-1, an EIP on eni-1, and a private subnet's route table in vpc-1. */
function snapshot(accountId: string, regions: Record<string, unknown>) {
  const empty = {
    DescribeInstances: { Reservations: [] },
    DescribeAddresses: { Addresses: [] },
    DescribeSecurityGroups: { SecurityGroups: [] },
    DescribeNetworkInterfaces: { NetworkInterfaces: [] },
    DescribeSubnets: { Subnets: [] },
    DescribeRouteTables: { RouteTables: [] },
    DescribeVpcEndpoints: { VpcEndpoints: [] },
    DescribePrefixLists: { PrefixLists: [] },
    DescribePlacementGroups: { PlacementGroups: [] },
    DescribeInstanceTypes: { InstanceTypes: [] },
  };
  return { schemaVersion: "1.0", accountId, capturedAt: "2026-11-20T09:00:00.000Z", regions: { [REGION]: { ...empty, ...regions } } };
}

const group = (accountId: string) => ({
  GroupId: "sg-1",
  GroupName: "app",
  VpcId: "vpc-1",
  OwnerId: accountId,
  IpPermissions: [],
  IpPermissionsEgress: [],
});
const eni = (accountId: string, status: string, groups: string[]) => ({
  NetworkInterfaceId: "eni-1",
  Status: status,
  InterfaceType: "interface",
  OwnerId: accountId,
  VpcId: "vpc-1",
  SubnetId: "subnet-1",
  Groups: groups.map((GroupId) => ({ GroupId, GroupName: GroupId })),
});
const eip = {
  AllocationId: "eipalloc-1",
  PublicIp: "198.51.100.1",
  Domain: "vpc",
  AssociationId: "eipassoc-1",
  NetworkInterfaceId: "eni-1",
};
const subnet = { SubnetId: "subnet-1", VpcId: "vpc-1", AvailabilityZone: "eu-west-1a" };
const table = (routes: unknown[]) => ({
  RouteTableId: "rtb-1",
  VpcId: "vpc-1",
  Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" }, ...routes],
  Associations: [{ Main: true, RouteTableAssociationId: "rtbassoc-1", AssociationState: { State: "associated" } }],
});
const s3Endpoint = {
  VpcEndpointId: "vpce-1",
  VpcId: "vpc-1",
  VpcEndpointType: "Gateway",
  ServiceName: `com.amazonaws.${REGION}.s3`,
  State: "available",
  RouteTableIds: ["rtb-1"],
};

describe("findings keyed by account", () => {
  it("evaluates two recorded accounts holding the same ids as two sets: each finding twice, each verdict as in its account alone", async () => {
    const first = write("a.json", example);
    const second = write("b.json", example.replaceAll(A, B));
    const [alone, aloneB, both] = await Promise.all([evaluate([first]), evaluate([second]), evaluate([first, second])]);
    expect(alone.length).toBeGreaterThan(20);
    expect(new Set(alone.map((evaluation) => evaluation.accountId))).toEqual(new Set([A]));
    expect(byIdentity(both)).toEqual(byIdentity([...alone, ...aloneB]));
    const ids = (accountId: string) =>
      both.filter((evaluation) => evaluation.accountId === accountId).map((evaluation) => `${evaluation.ruleId}|${evaluation.resourceId}`);
    expect(ids(B).sort()).toEqual(ids(A).sort());
    // The report, its diff and the remediation plan keep both too.
    const report = buildReport({ evaluations: both, rules: RULES.map(reportRuleOf), scopes: [], tool: { name: "t", version: "0" } });
    expect(report.findings).toHaveLength(alone.length * 2);
    const { model } = await loadSnapshots([first, second]);
    const plans = planAcrossRules({ rules: RULES, model, context: { now: new Date("2026-11-23T12:00:00Z") } });
    for (const plan of plans) {
      const accounts = plan.actions.map((action) => action.accountId);
      expect(accounts.filter((account) => account === B)).toHaveLength(accounts.filter((account) => account === A).length);
    }
    expect(plans.flatMap((plan) => plan.actions).length).toBeGreaterThan(0);
  });

  it("never lets a relation in one account satisfy a rule in another", async () => {
    // A: sg-1 unused, eni-1 detached (so its EIP is idle), no endpoint. B: the same ids, all in use, with an S3 endpoint.
    const a = write(
      "relations-a.json",
      snapshot(A, {
        DescribeSecurityGroups: { SecurityGroups: [group(A)] },
        DescribeNetworkInterfaces: { NetworkInterfaces: [eni(A, "available", [])] },
        DescribeAddresses: { Addresses: [eip] },
        DescribeSubnets: { Subnets: [subnet] },
        DescribeRouteTables: { RouteTables: [table([])] },
      }),
    );
    const b = write(
      "relations-b.json",
      snapshot(B, {
        DescribeSecurityGroups: { SecurityGroups: [group(B)] },
        DescribeNetworkInterfaces: { NetworkInterfaces: [eni(B, "in-use", ["sg-1"])] },
        DescribeAddresses: { Addresses: [eip] },
        DescribeSubnets: { Subnets: [subnet] },
        DescribeRouteTables: { RouteTables: [table([{ DestinationPrefixListId: "pl-6da54004", GatewayId: "vpce-1", State: "active" }])] },
        DescribeVpcEndpoints: { VpcEndpoints: [s3Endpoint] },
      }),
    );
    const verdict = (evaluations: Evaluation[], ruleId: string, accountId: string, resourceId: string) =>
      evaluations.find(
        (evaluation) => evaluation.ruleId === ruleId && evaluation.accountId === accountId && evaluation.resourceId === resourceId,
      )?.complianceType;
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const both = await evaluate(order);
      expect(verdict(both, "sg-attached-to-eni", A, "sg-1")).toBe("NON_COMPLIANT");
      expect(verdict(both, "sg-attached-to-eni", B, "sg-1")).toBe("COMPLIANT");
      expect(verdict(both, "eip-attached", A, "eipalloc-1")).toBe("NON_COMPLIANT");
      expect(verdict(both, "eip-attached", B, "eipalloc-1")).toBe("COMPLIANT");
      expect(byIdentity(both)).toEqual(byIdentity([...(await evaluate([a])), ...(await evaluate([b]))]));
    }
  });

  it("lets an exemptions-file entry with accountId exempt the id in that account only", async () => {
    const first = write("ex-a.json", example);
    const second = write("ex-b.json", example.replaceAll(A, B));
    const now = new Date("2026-11-23T12:00:00Z");
    const file = parseExemptionsFile(
      {
        exemptions: [
          { rules: "all", resourceId: "sg-0orphan0000000001", accountId: B, reason: "migration", owner: "net", expires: "2027-01-31" },
        ],
      },
      "ex.json",
      { ruleIds: RULE_IDS, now },
    );
    const evaluations = await evaluate([first, second], new ExemptionPolicy({ ruleIds: RULE_IDS, file, now }));
    const group = (accountId: string) =>
      evaluations.find(
        (evaluation) =>
          evaluation.ruleId === "sg-attached-to-eni" &&
          evaluation.resourceId === "sg-0orphan0000000001" &&
          evaluation.accountId === accountId,
      );
    expect(group(B)?.exemption).toBeDefined();
    expect(group(A)).toBeDefined();
    expect(group(A)?.exemption).toBeUndefined();
  });
});
