import type { AnyRule } from "../lib/engine/rule";
import { KINDS } from "../lib/model/kinds";
import type { ResourceKind } from "../lib/model/types";

/** A CloudFormation value: a literal or an intrinsic function. */
export type CfnValue = string | Record<string, unknown>;

export interface PolicyStatement {
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: CfnValue | CfnValue[];
  Condition?: Record<string, unknown>;
}

/** `arn:<partition>:<service>:<region>:<account>:<rest>` in this stack's account and region. */
export const localArn = (service: string, rest: string): CfnValue => ({
  "Fn::Sub": `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${rest}`,
});

/** Every kind a rule reads, required or optional: the Lambda collects all of them (lib/lambda/run-event). */
export const kindsRead = (rule: AnyRule): ResourceKind[] => [...new Set([...rule.meta.requires, ...(rule.meta.optional ?? [])])];

/** The EC2 Describe* actions a rule's collection makes, derived from what the rule reads. */
export function describeActions(rule: AnyRule): string[] {
  return [...new Set(kindsRead(rule).map((kind) => `ec2:${KINDS[kind].operation}`))].sort();
}

/**
 * The Config actions of a rule function: PutEvaluations always; GetComplianceDetailsByConfigRule
 * for the periodic stale-result cleanup and the alerts' previous results of a periodic run; on
 * change-triggered rules, GetResourceConfigHistory for oversized notifications and
 * GetComplianceDetailsByResource for the changed resource's previous results (lib/alerts).
 */
export function configActions(rule: AnyRule): string[] {
  const actions = ["config:PutEvaluations", "config:GetComplianceDetailsByConfigRule"];
  if (rule.meta.triggers.includes("change")) actions.push("config:GetResourceConfigHistory", "config:GetComplianceDetailsByResource");
  return actions.sort();
}

/**
 * Statements for the rule's reads and Config reporting. EC2 Describe*, PutEvaluations,
 * GetResourceConfigHistory and GetComplianceDetailsByResource have no resource-level
 * permissions (Service Authorization Reference: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
 * …/list_awsconfig.html); the rule results
 * are scoped to Config rules of this account and region (the rule's own ARN holds its generated
 * id, and naming it would make the role depend on the rule that depends on the function).
 */
export function ruleEvaluationStatements(
  rules: readonly AnyRule[],
  configRules: CfnValue = localArn("config", "config-rule/*"),
): PolicyStatement[] {
  const unscoped = new Set<string>();
  const byRule = new Set<string>();
  for (const rule of rules) {
    for (const action of describeActions(rule)) unscoped.add(action);
    for (const action of configActions(rule)) {
      if (action === "config:GetComplianceDetailsByConfigRule") byRule.add(action);
      else unscoped.add(action);
    }
  }
  return [
    { Effect: "Allow", Action: [...unscoped].sort(), Resource: "*" },
    { Effect: "Allow", Action: [...byRule].sort(), Resource: configRules },
  ];
}

/**
 * The EC2 resource types each write action can be limited to. A write missing here stops
 * packaging, so that a new document action gets a deliberate scope rather than "*".
 */
const WRITE_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  "ec2:ReleaseAddress": ["elastic-ip/*"],
  "ec2:DisassociateAddress": ["elastic-ip/*", "instance/*", "network-interface/*"],
  // Only the disassociation tags on addresses (remediation/release-guard).
  "ec2:CreateTags": ["elastic-ip/*"],
  "ec2:DeleteSecurityGroup": ["security-group/*"],
  "ec2:ModifyInstanceMetadataOptions": ["instance/*"],
  "ec2:ModifyVpcEndpoint": ["vpc-endpoint/*", "route-table/*"],
  "ec2:DeleteRoute": ["route-table/*"],
  "ec2:ModifySubnetAttribute": ["subnet/*"],
};

const isReadOnly = (action: string): boolean => /^ec2:(Describe|Get)/.test(action);

/** The remediation role's statements: reads on "*", each write on its resource types in this account and region. */
export function remediationStatements(actions: readonly string[]): PolicyStatement[] {
  const reads = actions.filter(isReadOnly);
  const writes = actions.filter((action) => !isReadOnly(action));
  const statements: PolicyStatement[] = [];
  if (reads.length > 0) statements.push({ Effect: "Allow", Action: [...reads].sort(), Resource: "*" });
  const byScope = new Map<string, string[]>();
  for (const action of writes) {
    const scope = WRITE_RESOURCES[action];
    if (!scope) throw new Error(`remediation action ${action} has no resource scope in deploy/iam.ts WRITE_RESOURCES`);
    const key = scope.join(",");
    byScope.set(key, [...(byScope.get(key) ?? []), action]);
  }
  for (const [key, grouped] of byScope) {
    statements.push({ Effect: "Allow", Action: grouped.sort(), Resource: key.split(",").map((rest) => localArn("ec2", rest)) });
  }
  return statements;
}

/** Logs of one function: its own log group only (the group itself is created by the stack). */
export const logStatement = (functionName: string): PolicyStatement => ({
  Effect: "Allow",
  Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
  Resource: localArn("logs", `log-group:/aws/lambda/${functionName}:*`),
});

export const assumeRolePolicy = (service: string, condition?: Record<string, unknown>) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: service },
      Action: ["sts:AssumeRole"],
      ...(condition ? { Condition: condition } : {}),
    },
  ],
});

/**
 * The Security Hub sink's one permission: BatchImportFindings into this account's default product
 * in this region, the ARN every imported finding names as its ProductArn (lib/securityhub/finding).
 */
export const importFindingsStatement = (): PolicyStatement => ({
  Effect: "Allow",
  Action: ["securityhub:BatchImportFindings"],
  Resource: { "Fn::Sub": `arn:\${AWS::Partition}:securityhub:\${AWS::Region}:\${AWS::AccountId}:product/\${AWS::AccountId}/default` },
});

/**
 * Organization mode's membership check (lib/config/organization-guard): DescribeAccount on the
 * organization's accounts only. An account's ARN names the management account, unknown to this
 * stack, hence `*` there: `arn:<partition>:organizations::<management>:account/<org>/<account>`.
 */
export const describeAccountStatement = (organizationId: string): PolicyStatement => ({
  Effect: "Allow",
  Action: ["organizations:DescribeAccount"],
  Resource: { "Fn::Sub": `arn:\${AWS::Partition}:organizations::*:account/${organizationId}/*` },
});
