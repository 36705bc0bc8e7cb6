import type { AwsSecurityFinding, ComplianceStatus, Partition, RecordState, SeverityLabel } from "@aws-sdk/client-securityhub";
import { relatedRequirement } from "../engine/controls";
import { ACCOUNT_RESOURCE_TYPE, type ComplianceType, type ControlMapping, type Evaluation, type Severity } from "../engine/rule";
import { KINDS, RESOURCE_KINDS } from "../model/kinds";

/** The ASFF version every finding declares (the only one Security Hub defines). */
export const ASFF_SCHEMA_VERSION = "2018-10-08";

/** The prefix of every finding Id and GeneratorId: the same from the CLI and the Lambda, so either updates the other's findings. */
export const FINDING_ID_PREFIX = "ec2-config-rules";

export const FINDING_TYPE = "Software and Configuration Checks/AWS Security Best Practices";

const LIMITS = { title: 256, description: 1024, note: 512, requirements: 32 } as const;

/** The partition of a region, as ARNs write it: China and GovCloud regions have their own. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  return "aws";
}

/** The same partition as ASFF's `Resources[].Partition` enum spells it. */
const ASFF_PARTITION: Readonly<Record<string, Partition>> = {
  aws: "aws",
  "aws-cn": "aws-cn",
  "aws-us-gov": "aws-us-gov",
  "aws-iso": "aws-us-iso",
  "aws-iso-b": "aws-us-iso-b",
};

/** The account's own product, which any account with Security Hub enabled can import findings into. */
export const defaultProductArn = (region: string, accountId: string): string =>
  `arn:${partitionOfRegion(region)}:securityhub:${region}:${accountId}:product/${accountId}/default`;

/**
 * Config's compliance types in ASFF terms. INSUFFICIENT_DATA is WARNING, which ASFF defines as
 * "some information is missing": the check could not be made, so it is neither passed nor failed.
 * NOT_APPLICABLE is NOT_AVAILABLE, as Security Hub writes Config's own NOT_APPLICABLE results.
 */
export const COMPLIANCE_STATUS: Readonly<Record<ComplianceType, ComplianceStatus>> = {
  COMPLIANT: "PASSED",
  NON_COMPLIANT: "FAILED",
  INSUFFICIENT_DATA: "WARNING",
  NOT_APPLICABLE: "NOT_AVAILABLE",
};

const SEVERITY_LABEL: Readonly<Record<Severity, SeverityLabel>> = {
  low: "LOW",
  medium: "MEDIUM",
  high: "HIGH",
  critical: "CRITICAL",
};

/** A type's fact of the kind table, by Config type, with what no kind holds (the account, VPCs). */
const byConfigType = (fact: "asffType" | "arnResource", others: Record<string, string>): ReadonlyMap<string, string> =>
  new Map([
    ...RESOURCE_KINDS.flatMap((kind) => {
      const value = KINDS[kind][fact];
      return value === undefined ? [] : [[KINDS[kind].configType, value] as const];
    }),
    ...Object.entries(others),
  ]);

/** ASFF resource types of the Config types the rules report on; "Other" where ASFF has none (placement groups, VPC endpoints). */
const ASFF_RESOURCE_TYPE = byConfigType("asffType", { "AWS::EC2::VPC": "AwsEc2Vpc", [ACCOUNT_RESOURCE_TYPE]: "AwsAccount" });

/** The ARN path of each EC2 resource type (`arn:…:ec2:<region>:<account>:<path>/<id>`). */
const EC2_ARN_PATH = byConfigType("arnResource", { "AWS::EC2::VPC": "vpc" });

export const asffResourceType = (configType: string): string => ASFF_RESOURCE_TYPE.get(configType) ?? "Other";

/** The resource's ARN; an account is named as Security Hub names it ("AWS::::Account:<id>"). */
export function resourceArn(evaluation: Pick<Evaluation, "resourceType" | "resourceId" | "region" | "accountId">): string {
  if (evaluation.resourceType === ACCOUNT_RESOURCE_TYPE) return `${ACCOUNT_RESOURCE_TYPE}:${evaluation.accountId}`;
  if (evaluation.resourceId.startsWith("arn:")) return evaluation.resourceId;
  const path = EC2_ARN_PATH.get(evaluation.resourceType);
  if (!path) return evaluation.resourceId;
  return `arn:${partitionOfRegion(evaluation.region)}:ec2:${evaluation.region}:${evaluation.accountId}:${path}/${evaluation.resourceId}`;
}

/** Stable across runs and entry points: the same account, region, rule and resource always make the same Id. */
export const findingId = (evaluation: Pick<Evaluation, "ruleId" | "resourceType" | "resourceId" | "region" | "accountId">): string =>
  `${FINDING_ID_PREFIX}/${evaluation.accountId}/${evaluation.region}/${evaluation.ruleId}/${evaluation.resourceType}/${evaluation.resourceId}`;

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export interface FindingInput {
  evaluation: Evaluation;
  rule: { id: string; description: string; severity: Severity; controls: readonly ControlMapping[] };
  /** When this rule × resource entered its current state (a report's firstSeen). */
  createdAt: string;
  updatedAt: string;
  /** Exempted: imported as SUPPRESSED, with the exemption (reason, owner, expiry) as the note. */
  exempted: boolean;
  /** Resolved because the resource is gone: imported as ARCHIVED. */
  archived?: boolean;
}

/** One rule × resource verdict as an ASFF finding, ready for BatchImportFindings. */
export function toAsffFinding(input: FindingInput): AwsSecurityFinding {
  const { evaluation, rule } = input;
  const status = COMPLIANCE_STATUS[evaluation.complianceType];
  const partition = ASFF_PARTITION[partitionOfRegion(evaluation.region)] ?? "aws";
  const requirements = rule.controls.map(relatedRequirement).slice(0, LIMITS.requirements);
  const finding: AwsSecurityFinding = {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: findingId(evaluation),
    ProductArn: defaultProductArn(evaluation.region, evaluation.accountId),
    GeneratorId: `${FINDING_ID_PREFIX}/${rule.id}`,
    AwsAccountId: evaluation.accountId,
    Region: evaluation.region,
    Types: [FINDING_TYPE],
    CreatedAt: input.createdAt,
    UpdatedAt: input.updatedAt,
    // INFORMATIONAL is ASFF's "no issue was found": Security Hub's own control findings take it once
    // they pass, and so does a resource the rule does not apply to. An exempted finding keeps the
    // rule's severity: the issue is there, only suppressed.
    Severity: {
      Label: status === "PASSED" || (status === "NOT_AVAILABLE" && !input.exempted) ? "INFORMATIONAL" : SEVERITY_LABEL[rule.severity],
      Original: rule.severity,
    },
    Title: clip(`${rule.id}: ${rule.description}`, LIMITS.title),
    Description: clip(`${evaluation.complianceType}: ${evaluation.annotation || "no annotation"}`, LIMITS.description),
    ProductFields: {
      "ec2-config-rules/RuleId": rule.id,
      "ec2-config-rules/ComplianceType": evaluation.complianceType,
      "ec2-config-rules/ResourceType": evaluation.resourceType,
    },
    Resources: [
      {
        Type: asffResourceType(evaluation.resourceType),
        Id: resourceArn(evaluation),
        Partition: partition,
        Region: evaluation.region,
        ...(asffResourceType(evaluation.resourceType) === "Other"
          ? { Details: { Other: { ResourceType: evaluation.resourceType, ResourceId: evaluation.resourceId } } }
          : {}),
      },
    ],
    Compliance: { Status: status, ...(requirements.length > 0 ? { RelatedRequirements: requirements } : {}) },
    RecordState: (input.archived ? "ARCHIVED" : "ACTIVE") satisfies RecordState,
  };
  if (input.exempted) {
    finding.Workflow = { Status: "SUPPRESSED" };
    finding.Note = { Text: clip(evaluation.annotation, LIMITS.note), UpdatedBy: FINDING_ID_PREFIX, UpdatedAt: input.updatedAt };
  }
  return finding;
}
