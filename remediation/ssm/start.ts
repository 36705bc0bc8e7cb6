import { createHash } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { type SSMClient, StartAutomationExecutionCommand } from "@aws-sdk/client-ssm";
import { DEFAULT_REMEDIATION_CAP } from "../cap";
import { automationFor, documentName } from "./index";

/** SSM wants a UUID as ClientToken; derived from the key, a retried invocation cannot start a second execution. */
export function idempotencyToken(key: string): string {
  const hex = createHash("sha256").update(key).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export interface StartAutomationsOptions {
  ssm: SSMClient;
  ruleId: string;
  /** Newly non-compliant resources of this run (exempted ones are never among them). */
  resourceIds: readonly string[];
  assumeRoleArn: string;
  cap?: number;
  documentPrefix?: string;
  /** Distinguishes runs (e.g. Config's result token), so a retried invocation is not a new run. */
  runKey: string;
  /** Document parameters beyond the resource and the role, per resource (e.g. eip-attached's UnassociatedSince). */
  extraParameters?: (resourceId: string) => Record<string, string[]>;
  logger?: Logger;
}

export interface StartAutomationsResult {
  started: { resourceId: string; executionId?: string }[];
  /** Why nothing was started, for the digest. */
  note?: string;
}

const defaultLogger = new Logger({ serviceName: "ec2-config-rules", persistentKeys: { component: "remediation" } });

/**
 * Starts one automation. `key` makes its idempotency token: the same key (rule, resource and when
 * the change was detected) never starts a second execution, however often the start is retried.
 */
export async function startAutomation(options: {
  ssm: SSMClient;
  ruleId: string;
  resourceId: string;
  assumeRoleArn: string;
  documentPrefix?: string;
  key: string;
  /** Parameters beside the resource's, e.g. the release document's evidence of how long an address has been unassociated. */
  extraParameters?: Record<string, string[]>;
  logger?: Logger;
}): Promise<{ resourceId: string; executionId?: string }> {
  const logger = options.logger ?? defaultLogger;
  const binding = automationFor(options.ruleId);
  if (!binding) throw new Error(`rule ${options.ruleId} has no automatic fix`);
  const name = documentName(binding, options.documentPrefix);
  const result = await options.ssm.send(
    new StartAutomationExecutionCommand({
      DocumentName: name,
      Parameters: {
        ...options.extraParameters,
        [binding.resourceParameter]: [options.resourceId],
        AutomationAssumeRole: [options.assumeRoleArn],
      },
      ClientToken: idempotencyToken(options.key),
    }),
  );
  logger.info("Automation started", {
    audit: true,
    ruleId: options.ruleId,
    resourceId: options.resourceId,
    document: name,
    executionId: result.AutomationExecutionId,
  });
  return { resourceId: options.resourceId, executionId: result.AutomationExecutionId };
}

/** The automatic mode: one automation per newly non-compliant resource, within the cap, or none. */
export async function startAutomations(options: StartAutomationsOptions): Promise<StartAutomationsResult> {
  const logger = options.logger ?? defaultLogger;
  const binding = automationFor(options.ruleId);
  if (!binding) throw new Error(`rule ${options.ruleId} has no automatic fix`);
  const cap = options.cap ?? DEFAULT_REMEDIATION_CAP;
  if (options.resourceIds.length > cap) {
    const note = `Automatic remediation not started: ${options.resourceIds.length} newly non-compliant resources, above the cap of ${cap} per run.`;
    logger.warn(note, { audit: true, ruleId: options.ruleId, resources: options.resourceIds.length, cap });
    return { started: [], note };
  }
  const started: StartAutomationsResult["started"] = [];
  for (const resourceId of options.resourceIds) {
    const extraParameters = options.extraParameters?.(resourceId);
    started.push(
      await startAutomation({ ...options, resourceId, extraParameters, key: `${options.ruleId}|${resourceId}|${options.runKey}`, logger }),
    );
  }
  return { started };
}
