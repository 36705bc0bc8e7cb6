import { Logger } from "@aws-lambda-powertools/logger";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { type Command, Option } from "commander";
import {
  applyRemediation,
  DEFAULT_RELEASE_AFTER_DAYS,
  DEFAULT_REMEDIATION_CAP,
  evidenceKey,
  formatPlanTable,
  type OutcomeStatus,
  type PlanContext,
  planAcrossRules,
  planRemediation,
  type RemediationPlan,
  type RemediationReport,
  remediationFor,
  type UnassociatedSince,
} from "../../../remediation";
import { errorCode, errorMessage } from "../../../remediation/ec2-calls";
import { RULES } from "../../../rules";
import { publishBulletin } from "../../alerts";
import { AwsClients } from "../../aws/clients";
import { ec2Client } from "../../aws/ec2";
import { snsClient } from "../../aws/sns";
import { stsClient } from "../../aws/sts";
import { CollectionError, collectAll } from "../../collect/ec2-collector";
import type { AnyRule } from "../../engine/rule";
import { InputError } from "../../errors";
import { ModelBuilder } from "../../model/resource-model";
import type { ResourceKind } from "../../model/types";
import { readReport } from "../../reports/json";
import { parseAccountId, parseRegion, readExemptions, readParamsFile, selectRules } from "../options";
import { remediationBulletin } from "../remediation-bulletin";
import { evaluateSnapshots } from "./evaluate";

interface RemediateOptions {
  snapshot?: string[];
  plan?: boolean;
  apply?: boolean;
  rule?: string[];
  resource?: string[];
  yes?: boolean;
  cap: string;
  params?: string;
  exemptions?: string;
  exemptionTagKey?: string;
  maxExemptionDays?: string;
  region?: string;
  accountId?: string;
  allowEmpty?: boolean;
  previous?: string;
  releaseAfterDays: string;
  format: "table" | "json";
}

/** Exit codes: 0 every fix applied is re-verified compliant; 1 something is still non-compliant, or over the cap; 2 usage or input error; 3 an AWS call failed. */
export const EXIT_STILL_NON_COMPLIANT = 1;
export const EXIT_AWS_FAILED = 3;

/** An AWS call the command depends on failed: one line, exit 3, and nothing more is attempted. */
class AwsCallFailed extends Error {}

async function awsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof InputError) throw error;
    // A collection error already names the call, the scope and the AWS error code.
    const detail = error instanceof CollectionError ? errorMessage(error) : `${errorCode(error)}: ${errorMessage(error)}`;
    throw new AwsCallFailed(`${what} failed: ${detail}`);
  }
}

function parseCap(raw: string): number {
  const cap = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(cap) || cap < 1)
    throw new InputError(`expected a positive whole number, got "${raw}"`, { field: "--cap" });
  return cap;
}

function parseReleaseAfterDays(raw: string): number {
  const days = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(days) || days > 3650) {
    throw new InputError(`expected a whole number of days from 0 to 3650, got "${raw}"`, { field: "--release-after-days" });
  }
  return days;
}

/**
 * The plan's grace period and its outside evidence: a previous JSON report's first-seen dates of
 * findings that were (and are) NON_COMPLIANT say since when a resource has been so.
 */
async function planContextOf(options: RemediateOptions): Promise<Omit<PlanContext, "now">> {
  const releaseAfterDays = parseReleaseAfterDays(options.releaseAfterDays);
  if (!options.previous) return { releaseAfterDays };
  const report = await readReport(options.previous);
  const nonCompliantSince = new Map<string, UnassociatedSince>();
  for (const finding of report.findings) {
    if (finding.complianceType !== "NON_COMPLIANT" || finding.exempted) continue;
    const since = new Date(finding.firstSeen);
    if (Number.isNaN(since.getTime())) continue;
    nonCompliantSince.set(evidenceKey(finding), { since, source: `first seen non-compliant in the previous report ${options.previous}` });
  }
  return { releaseAfterDays, nonCompliantSince };
}

/** Outcomes that leave the resource non-compliant (and what the plan left to a person). */
const STILL_NON_COMPLIANT = new Set<OutcomeStatus>(["skipped", "over-cap"]);
/** Outcomes where an AWS call (dry run, write, or the re-reading around them) failed. */
const AWS_FAILED = new Set<OutcomeStatus>(["failed", "unauthorized"]);

/** The exit code of an apply: AWS failures first, then anything still non-compliant. */
export function applyExitCode(report: RemediationReport): number {
  if (report.outcomes.some((outcome) => AWS_FAILED.has(outcome.status))) return EXIT_AWS_FAILED;
  // An applied fix whose re-evaluation could not be read is unverified: that re-read is an AWS call that failed.
  if (report.outcomes.some((outcome) => outcome.status === "applied" && outcome.after === undefined)) return EXIT_AWS_FAILED;
  const unverified = report.outcomes.some(
    (outcome) =>
      STILL_NON_COMPLIANT.has(outcome.status) ||
      (outcome.status === "applied" && outcome.after !== "COMPLIANT" && outcome.after !== "NOT_APPLICABLE" && outcome.after !== "deleted"),
  );
  return unverified || report.capExceeded || report.notApplied.length > 0 ? EXIT_STILL_NON_COMPLIANT : 0;
}

/** Offline: the plan of every selected rule over snapshots; no AWS call. */
async function planOffline(options: RemediateOptions): Promise<void> {
  parseCap(options.cap);
  if (!options.snapshot?.length) throw new InputError("--plan needs --snapshot <path>", { field: "--snapshot" });
  const context = await planContextOf(options);
  const { rules, model, evaluations } = await evaluateSnapshots({ ...options, snapshot: options.snapshot });
  const params = await readParamsFile(options.params);
  const resourceIds = options.resource?.length ? new Set(options.resource) : undefined;
  const plans = planAcrossRules({ rules, model, evaluations, params, resourceIds, context });
  process.stdout.write(options.format === "json" ? `${JSON.stringify({ plans }, null, 2)}\n` : formatPlanTable(plans));
}

/** The live model a plan for one rule needs: the rule's inputs and the plan's own, in one account and region. */
async function collectLive(rule: AnyRule, clients: AwsClients, scope: { region: string; accountId: string }) {
  const kinds = new Set<ResourceKind>([...rule.meta.requires, ...(rule.meta.optional ?? []), ...(remediationFor(rule).planKinds ?? [])]);
  const builder = new ModelBuilder();
  await collectAll(kinds, { ec2: ec2Client(clients), scope, builder });
  return builder.build();
}

/** Live: plan one rule against the account, show it, and with --yes apply it within the cap. */
async function applyLive(options: RemediateOptions): Promise<void> {
  if (options.snapshot?.length)
    throw new InputError("--apply works on the live account; --snapshot is for --plan", { field: "--snapshot" });
  if (options.rule?.length !== 1) throw new InputError("--apply needs exactly one --rule <id>", { field: "--rule" });
  const [rule] = selectRules(options.rule) as [AnyRule];
  const cap = parseCap(options.cap);
  const context = await planContextOf(options);
  const params = (await readParamsFile(options.params))[rule.meta.id];
  const exemptions = await readExemptions(options.exemptions, options.exemptionTagKey, options.maxExemptionDays);
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new InputError("no region: give --region or set AWS_REGION", { field: "--region" });
  const clients = new AwsClients({ region });
  const accountId =
    options.accountId ?? (await awsCall("sts:GetCallerIdentity", () => stsClient(clients).send(new GetCallerIdentityCommand({})))).Account;
  if (!accountId) throw new InputError("sts:GetCallerIdentity returned no account; give --account-id", { field: "--account-id" });

  const model = await awsCall("reading the account", () => collectLive(rule, clients, { region, accountId }));
  const resourceIds = options.resource?.length ? new Set(options.resource) : undefined;
  const plan = planRemediation({ rule, model, params, exemptions, resourceIds, context });
  const planned = new Set(plan.actions.map((action) => action.resourceId));
  for (const id of options.resource ?? []) {
    if (!planned.has(id))
      process.stderr.write(`note: ${id} is not a non-compliant resource of ${rule.meta.id} (or is exempted): nothing to do\n`);
  }
  if (!options.yes) {
    process.stdout.write(options.format === "json" ? `${JSON.stringify({ plans: [plan] }, null, 2)}\n` : formatPlanTable([plan]));
    process.stderr.write("Plan only: nothing was changed. Run again with --yes to apply it.\n");
    return;
  }
  const logger = new Logger({
    serviceName: "ec2-config-rules",
    logLevel: (process.env.POWERTOOLS_LOG_LEVEL as "INFO" | undefined) ?? "SILENT",
  });
  const report = await applyRemediation({ ec2: ec2Client(clients), rule, plan, params, exemptions, cap, context, logger });
  // The topic the rule functions alert on, when the CLI runs beside them.
  const topicArn = process.env.ALERTS_TOPIC_ARN?.trim() || undefined;
  let published = true;
  if (topicArn && (report.outcomes.length > 0 || report.notApplied.length > 0)) {
    try {
      await publishBulletin(snsClient(clients), topicArn, remediationBulletin(report, rule.meta.severity));
    } catch (error) {
      published = false;
      process.stderr.write(
        `ec2-config-rules: the remediation report was not announced: sns:Publish failed: ${errorCode(error)}: ${errorMessage(error)}\n`,
      );
    }
  }
  process.stdout.write(options.format === "json" ? `${JSON.stringify({ plan, report }, null, 2)}\n` : formatReport(plan, report));
  process.exitCode = published ? applyExitCode(report) : EXIT_AWS_FAILED;
}

function formatReport(plan: RemediationPlan, report: RemediationReport): string {
  const lines = [formatPlanTable([plan]).trimEnd(), "", `Outcome (cap ${report.cap} per run):`];
  if (report.note) lines.push(`  ${report.note}`);
  for (const outcome of report.outcomes) {
    const after = outcome.after ? ` → now ${outcome.after}` : "";
    lines.push(`  ${outcome.resourceId}: ${outcome.status}${after}: ${outcome.detail}`);
  }
  if (report.outcomes.length === 0) lines.push("  nothing to apply");
  return `${lines.join("\n")}\n`;
}

export function registerRemediateCommand(program: Command): void {
  program
    .command("remediate")
    .description(
      "Plan the fixes of non-compliant resources offline (--plan --snapshot), or plan and apply them for one rule on the live account " +
        `(--apply --rule <id> --yes): each fix re-checked live, dry-run first, at most --cap per run (default ${DEFAULT_REMEDIATION_CAP}), then re-evaluated. ` +
        `Without --yes, --apply only shows the plan. Exit 0: every fix applied is re-verified compliant (or only a plan was shown); ${EXIT_STILL_NON_COMPLIANT}: something is still non-compliant after apply, or over the cap; 2: usage or input error; ${EXIT_AWS_FAILED}: an AWS call failed.`,
    )
    .option("--plan", "print the plan; with --snapshot, offline")
    .option("--apply", "apply the plan of one --rule on the live account (AWS_REGION, credentials, AWS_ENDPOINT_URL honoured)")
    .option(
      "-s, --snapshot <path...>",
      "recorded snapshot, AWS Config snapshot/history file(s), an organization recording folder (organization.json), or a folder of describe-* outputs (--plan)",
    )
    .option("-r, --rule <id...>", `rules to plan (default: all): ${RULES.map((rule) => rule.meta.id).join(", ")}`)
    .option("--resource <id...>", "only these resources")
    .option("--yes", "with --apply: really make the changes")
    .option("--cap <n>", "most fixes applied in one run; above it none is", String(DEFAULT_REMEDIATION_CAP))
    .option("--params <file>", 'rule parameters as JSON: {"<rule id>": {"<parameter>": value}}')
    .option("--exemptions <file>", "exemptions file (resource id, tag or name pattern; reason; owner; expiry)")
    .option("--exemption-tag-key <key>", "tag that exempts a resource (value: rule ids or all)", "compliance-exempt")
    .option("--max-exemption-days <days>", "refuse exemptions that end further than this from now")
    .option(
      "--previous <report.json>",
      "a JSON report of an earlier run: its first-seen dates show how long an Elastic IP has been unassociated (eip-attached)",
    )
    .option(
      "--release-after-days <n>",
      "eip-attached releases only addresses known unassociated for this many days (from the disassociation tag or --previous); without such evidence it plans nothing",
      String(DEFAULT_RELEASE_AFTER_DAYS),
    )
    .option("--region <region>", "region for --apply (default: AWS_REGION); with --plan, of the describe folders", parseRegion)
    .option(
      "--account-id <id>",
      "account id for --apply (default: sts:GetCallerIdentity); with --plan, of the describe folders",
      parseAccountId,
    )
    .option("--allow-empty", "with --plan: accept inputs that yield no evaluation at all (otherwise exit 2)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"))
    .action(async (options: RemediateOptions) => {
      if (Boolean(options.plan) === Boolean(options.apply))
        throw new InputError("give exactly one of --plan or --apply", { field: "--plan/--apply" });
      try {
        if (options.plan) await planOffline(options);
        else await applyLive(options);
      } catch (error) {
        if (!(error instanceof AwsCallFailed)) throw error;
        process.stderr.write(`ec2-config-rules: ${error.message}\n`);
        process.exitCode = EXIT_AWS_FAILED;
      }
    });
}
