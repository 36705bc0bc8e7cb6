import type { ComplianceType, Evaluation } from "../lib/engine/rule";
import { buildReport, type Report, reportRuleOf } from "../lib/reports/model";
import { RULES } from "../rules";
import { Rng } from "./bench/random";

/**
 * Synthetic evaluations for the report benchmark and the 100k-finding browser test: the six
 * rules' resource types, a realistic mix of verdicts over four regions, and annotations shaped
 * like the rules' own (most carry resource ids, so most are distinct, which is the worst case for
 * the HTML's dictionary encoding). The same seed gives the same findings; `changed` gives a
 * second run where about one finding in ten has flipped, for the diff; `allFailing` makes every
 * finding non-compliant, the worst case for a report that lists the failing ones.
 */
const REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2", "eu-central-1"];
const ACCOUNT = "111122223333";

/**
 * Joined, not grown a character at a time: a flat string, as an id a parser produced is (the rules'
 * ids come from the model); grown by `+=` it would be a chain of fragments several times its size.
 */
const hex = (rng: Rng, length: number): string => {
  const digits: string[] = [];
  for (let index = 0; index < length; index++) digits.push("0123456789abcdef"[rng.int(16)] as string);
  return digits.join("");
};
/**
 * An id as the model holds it, parsed from JSON: one flat string. A template literal would make a
 * string of two pieces, which the report's sort flattens into a copy that real ids never need.
 */
const parsedId = (prefix: string, id: string): string => [prefix, id].join("");
const ip = (rng: Rng): string => `${rng.pick([3, 18, 34, 52, 54])}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`;

type Maker = (rng: Rng, id: string, state: ComplianceType) => { resourceType: string; resourceId: string; annotation: string };

const MAKERS: Record<string, Maker> = {
  "eip-attached": (rng, id, state) => ({
    resourceType: "AWS::EC2::EIP",
    resourceId: parsedId("eipalloc-", id),
    annotation:
      state === "NON_COMPLIANT"
        ? `EIP ${ip(rng)} is not associated: it has no AssociationId`
        : `EIP ${ip(rng)} is attached to instance i-${hex(rng, 17)}`,
  }),
  "ec2-no-public-ip": (rng, id, state) => ({
    resourceType: "AWS::EC2::Instance",
    resourceId: parsedId("i-", id),
    annotation:
      state === "NON_COMPLIANT"
        ? `Public IPv4 on eni-${hex(rng, 17)} primary: ${ip(rng)} (auto-assigned)`
        : `No public IPv4 address on its ${1 + rng.int(3)} network interface(s)`,
  }),
  "imdsv2-required": (rng, id, state) => ({
    resourceType: "AWS::EC2::Instance",
    resourceId: parsedId("i-", id),
    annotation:
      state === "NON_COMPLIANT"
        ? "HttpTokens is optional (IMDSv1 allowed), not required"
        : `HttpTokens is required (IMDSv2 only), hop limit ${1 + rng.int(2)}`,
  }),
  "sg-attached-to-eni": (rng, id, state) => ({
    resourceType: "AWS::EC2::SecurityGroup",
    resourceId: parsedId("sg-", id),
    annotation:
      state === "NON_COMPLIANT"
        ? rng.chance(0.5)
          ? "Not used by any ENI and not referenced by any other group's rules"
          : `Not used by any ENI; referenced by the ingress rules of sg-${hex(rng, 17)}`
        : `Used by 2 ENIs: 2 interface (eni-${hex(rng, 17)}, eni-${hex(rng, 17)})`,
  }),
  "endpoint-route-present": (rng, id, state) => ({
    resourceType: "AWS::EC2::RouteTable",
    resourceId: parsedId("rtb-", id),
    annotation:
      state === "NON_COMPLIANT"
        ? `s3 route to pl-6da54004 via vpce-${hex(rng, 17)} is blackhole. Private subnets affected: subnet-${hex(rng, 17)}, subnet-${hex(rng, 17)}`
        : `Routes to s3 and dynamodb through vpce-${hex(rng, 17)} are active for 2 private subnet(s)`,
  }),
  "placement-group-limits": (rng, id, state) => ({
    resourceType: "AWS::EC2::PlacementGroup",
    resourceId: parsedId("pg-", id),
    annotation:
      state === "NON_COMPLIANT"
        ? `spread group has 8 instances in one AZ (max 7): i-${hex(rng, 17)}, i-${hex(rng, 17)} and 6 more`
        : "spread group: at most 7 instances per AZ",
  }),
};
const RULE_IDS = Object.keys(MAKERS);

function stateFor(rng: Rng): { complianceType: ComplianceType; exempted: boolean } {
  const roll = rng.next();
  if (roll < 0.3) return { complianceType: "NON_COMPLIANT", exempted: false };
  if (roll < 0.85) return { complianceType: "COMPLIANT", exempted: false };
  if (roll < 0.95) return { complianceType: "NOT_APPLICABLE", exempted: false };
  if (roll < 0.98) return { complianceType: "NOT_APPLICABLE", exempted: true };
  return { complianceType: "INSUFFICIENT_DATA", exempted: false };
}

export interface SyntheticOptions {
  seed?: number;
  changed?: boolean;
  allFailing?: boolean;
  accountId?: string;
  regions?: readonly string[];
}

export const syntheticEvaluations = (count: number, options: SyntheticOptions = {}): Evaluation[] => [
  ...syntheticEvaluationStream(count, options),
];

/** The same evaluations as {@link syntheticEvaluations}, made one at a time, as the rules give them to a report. */
export function* syntheticEvaluationStream(count: number, options: SyntheticOptions = {}): Generator<Evaluation> {
  const regions = options.regions ?? REGIONS;
  const accountId = options.accountId ?? ACCOUNT;
  const ids = new Rng(options.seed ?? 42);
  const flips = new Rng((options.seed ?? 42) + 1);
  for (let index = 0; index < count; index++) {
    const rng = new Rng(ids.int(2 ** 31));
    const ruleId = RULE_IDS[index % RULE_IDS.length] as string;
    const region = regions[rng.int(regions.length)] as string;
    let { complianceType, exempted } = stateFor(rng);
    if (options.changed && flips.chance(0.1)) ({ complianceType, exempted } = stateFor(flips));
    if (options.allFailing) ({ complianceType, exempted } = { complianceType: "NON_COMPLIANT", exempted: false });
    const made = (MAKERS[ruleId] as Maker)(rng, hex(rng, 17), complianceType);
    const annotation =
      complianceType === "NOT_APPLICABLE"
        ? exempted
          ? "Exempted (file) by platform-team until 2027-03-31: legacy workload, migration planned"
          : "Terminated instance or default security group: not applicable"
        : complianceType === "INSUFFICIENT_DATA"
          ? "Cannot evaluate: missing AWS::EC2::NetworkInterface (UnauthorizedOperation: not allowed)"
          : made.annotation;
    yield {
      ruleId,
      resourceType: made.resourceType,
      resourceId: made.resourceId,
      region,
      accountId,
      complianceType,
      annotation,
    };
  }
}

export const SYNTHETIC_SCOPES = REGIONS.map((region) => ({ region, accountId: ACCOUNT }));

/**
 * The report of a run over `count` synthetic findings, diffed against `previous` when given (the
 * second day's report, built from `changed` evaluations). Dated so that reruns give the same bytes.
 */
export function syntheticReport(count: number, tool: { name: string; version: string }, previous?: Report): Report {
  return buildReport({
    evaluations: syntheticEvaluations(count, { changed: previous !== undefined }),
    rules: RULES.map(reportRuleOf),
    scopes: SYNTHETIC_SCOPES,
    previous,
    tool,
    now: () => new Date(previous ? "2026-11-02T00:00:00Z" : "2026-11-01T00:00:00Z"),
  });
}
