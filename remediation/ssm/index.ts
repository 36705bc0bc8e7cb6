import * as z from "../../lib/zod";
import { DEFAULT_REMEDIATION_CAP } from "../cap";
import { DEFAULT_RELEASE_AFTER_DAYS } from "../release-guard";
import deleteUnusedSecurityGroup from "./delete-unused-security-group.json";
import disassociateInstanceEips from "./disassociate-instance-eips.json";
import enforceImdsv2 from "./enforce-imdsv2.json";
import releaseElasticIp from "./release-elastic-ip.json";
import routeGatewayEndpoints from "./route-gateway-endpoints.json";

/** An SSM Automation document (schemaVersion 0.3) that fixes one rule's resources, and how Config feeds it. */
export interface AutomationBinding {
  ruleId: string;
  /** Suffix of the deployed document's name (`<prefix>-<suffix>`). */
  nameSuffix: string;
  /** The document parameter Config fills with the evaluated resource id (RESOURCE_ID). */
  resourceParameter: string;
  /** Set only where the rule reports one resource type. */
  resourceType?: string;
  /** Every EC2 action the document calls: the Automation role's policy, and nothing more. */
  iamActions: readonly string[];
  /** The fix cannot be undone (a released address may be gone for good): never automatic unless `allowRelease` says so. */
  irreversible?: boolean;
  /** Document parameters filled from the stage settings (StaticValue). */
  staticParameters?: (settings: RuleRemediationSettings) => Record<string, string>;
}

/** Every rule with an automatic fix. placement-group-limits has none: moving instances means stopping them. */
export const AUTOMATION_DOCUMENTS: readonly AutomationBinding[] = [
  {
    ruleId: "eip-attached",
    nameSuffix: "ReleaseElasticIp",
    resourceParameter: "AllocationId",
    resourceType: "AWS::EC2::EIP",
    iamActions: ["ec2:DescribeAddresses", "ec2:ReleaseAddress"],
    irreversible: true,
    staticParameters: (settings) => ({ ReleaseAfterDays: String(settings.releaseAfterDays) }),
  },
  {
    ruleId: "ec2-no-public-ip",
    nameSuffix: "DisassociateInstanceEips",
    resourceParameter: "InstanceId",
    resourceType: "AWS::EC2::Instance",
    iamActions: ["ec2:DescribeInstances", "ec2:DescribeAddresses", "ec2:CreateTags", "ec2:DisassociateAddress"],
  },
  {
    ruleId: "sg-attached-to-eni",
    nameSuffix: "DeleteUnusedSecurityGroup",
    resourceParameter: "GroupId",
    resourceType: "AWS::EC2::SecurityGroup",
    iamActions: ["ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces", "ec2:DeleteSecurityGroup"],
  },
  {
    ruleId: "endpoint-route-present",
    nameSuffix: "RouteGatewayEndpoints",
    resourceParameter: "ResourceId",
    iamActions: [
      "ec2:DescribeVpcEndpoints",
      "ec2:DescribeRouteTables",
      "ec2:DescribePrefixLists",
      "ec2:DeleteRoute",
      "ec2:ModifyVpcEndpoint",
    ],
  },
  {
    ruleId: "imdsv2-required",
    nameSuffix: "EnforceImdsV2",
    resourceParameter: "InstanceId",
    resourceType: "AWS::EC2::Instance",
    iamActions: ["ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions"],
  },
];

/** Each document's JSON, by rule id. Only the CloudFormation resources read it, so that rule bundles leave it out. */
export const AUTOMATION_DOCUMENT_CONTENT: Readonly<Record<string, Record<string, unknown>>> = {
  "eip-attached": releaseElasticIp,
  "ec2-no-public-ip": disassociateInstanceEips,
  "sg-attached-to-eni": deleteUnusedSecurityGroup,
  "endpoint-route-present": routeGatewayEndpoints,
  "imdsv2-required": enforceImdsv2,
};

export const DEFAULT_DOCUMENT_PREFIX = "Ec2ConfigRules";

export function automationFor(ruleId: string): AutomationBinding | undefined {
  return AUTOMATION_DOCUMENTS.find((binding) => binding.ruleId === ruleId);
}

export const documentName = (binding: AutomationBinding, prefix = DEFAULT_DOCUMENT_PREFIX): string => `${prefix}-${binding.nameSuffix}`;

/**
 * How a rule remediates, from the deploy parameters:
 * - manual (default): the remediation is attached in Config, run by a person ("Remediate");
 * - automatic: the rule's Lambda starts the automation for newly non-compliant resources, at
 *   most `cap` per run (above it none, and the alert says why); Config's own automatic mode
 *   stays off so that no resource is remediated twice;
 * - config-automatic: Config runs it for every non-compliant resource (MaximumAutomaticAttempts,
 *   RetryAttemptSeconds, ExecutionControls apply; there is no per-run cap); the Lambda starts none.
 */
const integer = (min: number, max: number, fallback: number) => z._default(z.int().check(z.gte(min), z.lte(max)), fallback);

const ruleSettings = z.strictObject({
  mode: z._default(z.enum(["manual", "automatic", "config-automatic"]), "manual"),
  cap: integer(0, 1000, DEFAULT_REMEDIATION_CAP),
  maximumAutomaticAttempts: integer(1, 25, 5),
  retryAttemptSeconds: integer(1, 2_678_000, 60),
  concurrentExecutionRatePercentage: integer(1, 100, 10),
  errorPercentage: integer(1, 100, 50),
  /** eip-attached only: let `automatic`/`config-automatic` release addresses (still only after releaseAfterDays). */
  allowRelease: z._default(z.boolean(), false),
  /** eip-attached only: days an address must be known unassociated before it is released. */
  releaseAfterDays: integer(0, 3650, DEFAULT_RELEASE_AFTER_DAYS),
});

export type RuleRemediationSettings = z.output<typeof ruleSettings>;
const remediationSettingsSchema = z.record(z.string(), ruleSettings);

/** Validates per-rule settings (`{ "imdsv2-required": { "mode": "automatic" } }`), naming the bad field. */
export function parseRemediationSettings(raw: unknown, where = "remediation settings"): Record<string, RuleRemediationSettings> {
  const result = remediationSettingsSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${where}: field ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  for (const [ruleId, settings] of Object.entries(result.data)) {
    const binding = automationFor(ruleId);
    if (!binding) throw new Error(`${where}: field ${ruleId}: no automatic fix exists for this rule`);
    const given = (raw as Record<string, Record<string, unknown>>)[ruleId] ?? {};
    for (const field of ["allowRelease", "releaseAfterDays"]) {
      if (!binding.irreversible && field in given)
        throw new Error(`${where}: field ${ruleId}.${field}: only eip-attached releases addresses`);
    }
    if (binding.irreversible && settings.mode !== "manual" && !settings.allowRelease) {
      throw new Error(
        `${where}: field ${ruleId}.mode: "${settings.mode}" would release Elastic IPs without a person, and a released address cannot reliably be got back; ` +
          `set ${ruleId}.allowRelease: true to allow it (releases still wait releaseAfterDays=${settings.releaseAfterDays} after a disassociation), or keep mode "manual"`,
      );
    }
  }
  return result.data;
}

/** A CloudFormation value: a literal or an intrinsic such as `{ Ref: … }`. */
export type CfnValue = string | Record<string, unknown>;

export interface CloudFormationOptions {
  settings?: Record<string, RuleRemediationSettings>;
  /** The role Automation assumes (must trust ssm.amazonaws.com). */
  assumeRoleArn: CfnValue;
  /** Each rule's deployed Config rule name (e.g. `{ Ref: "EipAttachedConfigRule" }`). */
  configRuleName: (ruleId: string) => CfnValue;
  /** Logical ids of the Config rules, so that each remediation waits for its rule. */
  configRuleLogicalId?: (ruleId: string) => string;
  documentPrefix?: string;
  /** Only these rules (those deployed). */
  ruleIds?: readonly string[];
}

const logicalName = (ruleId: string) =>
  ruleId
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");

/** The AWS::SSM::Document and AWS::Config::RemediationConfiguration resources for serverless.yml. */
export function remediationCloudFormation(options: CloudFormationOptions): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const binding of AUTOMATION_DOCUMENTS) {
    if (options.ruleIds && !options.ruleIds.includes(binding.ruleId)) continue;
    const settings = options.settings?.[binding.ruleId] ?? ruleSettings.parse({});
    const name = logicalName(binding.ruleId);
    const automatic = settings.mode === "config-automatic";
    resources[`${name}RemediationDocument`] = {
      Type: "AWS::SSM::Document",
      Properties: {
        Name: documentName(binding, options.documentPrefix),
        DocumentType: "Automation",
        DocumentFormat: "JSON",
        UpdateMethod: "NewVersion",
        Content: AUTOMATION_DOCUMENT_CONTENT[binding.ruleId],
      },
    };
    resources[`${name}Remediation`] = {
      Type: "AWS::Config::RemediationConfiguration",
      ...(options.configRuleLogicalId ? { DependsOn: [options.configRuleLogicalId(binding.ruleId)] } : {}),
      Properties: {
        ConfigRuleName: options.configRuleName(binding.ruleId),
        TargetType: "SSM_DOCUMENT",
        TargetId: { Ref: `${name}RemediationDocument` },
        ...(binding.resourceType ? { ResourceType: binding.resourceType } : {}),
        Parameters: {
          [binding.resourceParameter]: { ResourceValue: { Value: "RESOURCE_ID" } },
          AutomationAssumeRole: { StaticValue: { Values: [options.assumeRoleArn] } },
          ...Object.fromEntries(
            Object.entries(binding.staticParameters?.(settings) ?? {}).map(([name, value]) => [name, { StaticValue: { Values: [value] } }]),
          ),
        },
        Automatic: automatic,
        ...(automatic
          ? {
              MaximumAutomaticAttempts: settings.maximumAutomaticAttempts,
              RetryAttemptSeconds: settings.retryAttemptSeconds,
              ExecutionControls: {
                SsmControls: {
                  ConcurrentExecutionRatePercentage: settings.concurrentExecutionRatePercentage,
                  ErrorPercentage: settings.errorPercentage,
                },
              },
            }
          : {}),
      },
    };
  }
  return resources;
}
