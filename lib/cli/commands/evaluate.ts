import { type Command, Option } from "commander";
import { FRAMEWORK_IDS } from "../../engine/controls";
import { countByCompliance } from "../../engine/counts";
import type { FrameworkId, Severity } from "../../engine/rule";
import { runRules } from "../../engine/run";
import { writeStreamAtomic } from "../../io/atomic-write";
import { checkOutputTarget } from "../../io/output-target";
import { inBatches } from "../../io/text-chunks";
import { readReport } from "../../reports/json";
import { loadSnapshots } from "../../sources/load";
import { EVALUATION_FORMATS, type EvaluationFormat, evaluationChunks, formatEvaluations } from "../format";
import { applyGate, GATE_SEVERITIES, type GateOutcome } from "../gate";
import {
  checkNotEmpty,
  FAIL_ON_LEVELS,
  type FailOn,
  filterByFramework,
  parseAccountId,
  parseFrameworkOption,
  parseRegion,
  readExemptions,
  readParamsFile,
  selectRules,
} from "../options";

export interface EvaluateOptions {
  snapshot: string[];
  rule?: string[];
  /** Keep only rules mapped to one of these frameworks (intersected with `rule`). */
  framework?: FrameworkId[];
  params?: string;
  exemptions?: string;
  exemptionTagKey?: string;
  maxExemptionDays?: string;
  accountId?: string;
  region?: string;
  allowEmpty?: boolean;
}

/** The options every command that evaluates snapshots shares (evaluate, report, remediate --plan). */
export function addEvaluationOptions(command: Command): Command {
  return command
    .requiredOption(
      "-s, --snapshot <path...>",
      "recorded snapshot, AWS Config snapshot/history file(s), an organization recording folder (organization.json), or a folder of describe-* outputs",
    )
    .option("-r, --rule <id...>", "evaluate only these rules (default: all)")
    .option(
      "--framework <id>",
      `evaluate only rules mapped to this framework (${FRAMEWORK_IDS.join(", ")}); repeatable or comma-separated, combined with --rule as an intersection`,
      parseFrameworkOption,
    )
    .option("--params <file>", 'rule parameters as JSON: {"<rule id>": {"<parameter>": value}}')
    .option("--exemptions <file>", "exemptions file (resource id, tag or name pattern; reason; owner; expiry)")
    .option("--exemption-tag-key <key>", "tag that exempts a resource (value: rule ids or all)", "compliance-exempt")
    .option("--max-exemption-days <days>", "refuse exemptions that end further than this from now (a tag then needs an expiry)")
    .option("--account-id <id>", "account id of the describe folders (default: their metadata.json, else their OwnerIds)", parseAccountId)
    .option(
      "--region <region>",
      "region of the describe folders (default: their metadata.json, else their Availability Zones)",
      parseRegion,
    )
    .option("--allow-empty", "accept inputs that yield no evaluation at all (otherwise exit 2)");
}

/**
 * Loads the inputs and runs the selected rules: the evaluation every offline command starts from.
 * Warns on stderr about what was left unread, and refuses a run that evaluated nothing.
 */
export async function evaluateSnapshots(options: EvaluateOptions) {
  const loaded = await loadForEvaluation(options);
  const { rules, model, inputs } = loaded;
  const evaluations = runRules(model, loaded.run);
  loaded.checkNotEmpty(evaluations.length);
  return { rules, model, inputs, evaluations };
}

/**
 * What evaluating the snapshots takes, read and checked: the rules with their parameters and
 * exemptions, and the model; `checkNotEmpty` then refuses a run that made no evaluation at all.
 */
export async function loadForEvaluation(options: EvaluateOptions) {
  const rules = filterByFramework(selectRules(options.rule), options.framework);
  const params = await readParamsFile(options.params);
  const exemptions = await readExemptions(options.exemptions, options.exemptionTagKey, options.maxExemptionDays);
  const { model, inputs, warnings, unread } = await loadSnapshots(options.snapshot, {
    describeFolderScope: { accountId: options.accountId, region: options.region },
  });
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  return {
    rules,
    model,
    inputs,
    run: { rules, params, exemptions },
    checkNotEmpty: (evaluations: number) => checkNotEmpty(evaluations, { rules, model, inputs, unread, allowEmpty: options.allowEmpty }),
  };
}

export function registerEvaluateCommand(program: Command): void {
  addEvaluationOptions(program.command("evaluate"))
    .description(
      "Evaluate the rules offline on recorded snapshots. Exit 0: nothing fails the gate; 1: something does (fails --fail-on, of at least --fail-on-severity, not failing in --baseline); 2: usage or input error.",
    )
    .addOption(new Option("-f, --format <format>", "output format").choices(EVALUATION_FORMATS as string[]).default("table"))
    .option("-o, --output <file>", "write the output to a file (atomically) instead of stdout")
    .addOption(
      new Option(
        "--fail-on <level>",
        "exit 1 on NON_COMPLIANT (non-compliant), or on NON_COMPLIANT or INSUFFICIENT_DATA (insufficient-data)",
      )
        .choices(FAIL_ON_LEVELS)
        .default("non-compliant"),
    )
    .addOption(
      new Option("--fail-on-severity <severity>", "only failing findings of rules of this severity or higher make exit 1").choices(
        GATE_SEVERITIES as string[],
      ),
    )
    .option("--baseline <report.json>", "a JSON report of an earlier run: only findings not failing in it make exit 1")
    .action(async (options: EvaluateOptions & GateFlags & { format: EvaluationFormat; output?: string; failOn: FailOn }) => {
      // A bad output target or baseline fails before any evaluation work.
      if (options.output) await checkOutputTarget(options.output);
      const baseline = options.baseline ? await readReport(options.baseline, "baseline report") : undefined;
      const { rules, evaluations } = await evaluateSnapshots(options);
      if (options.output) await writeStreamAtomic(options.output, inBatches(evaluationChunks(evaluations, options.format)));
      else process.stdout.write(formatEvaluations(evaluations, options.format, { color: process.stdout.isTTY }));
      const counts = countByCompliance(evaluations);
      if (counts.INSUFFICIENT_DATA > 0) {
        process.stderr.write(
          `warning: ${counts.INSUFFICIENT_DATA} evaluation(s) could not be made for lack of input data (INSUFFICIENT_DATA); see their annotations\n`,
        );
      }
      const severityOf = new Map(rules.map((rule) => [rule.meta.id, rule.meta.severity]));
      const gate = applyGate(evaluations, (ruleId) => severityOf.get(ruleId) ?? "critical", {
        failOn: options.failOn === "insufficient-data" ? ["NON_COMPLIANT", "INSUFFICIENT_DATA"] : ["NON_COMPLIANT"],
        minSeverity: options.failOnSeverity,
        baseline,
      });
      if (options.failOnSeverity || baseline) process.stderr.write(`${describeGate(gate, options)}\n`);
      process.exitCode = gate.failures.length > 0 ? 1 : 0;
    });
}

interface GateFlags {
  failOnSeverity?: Severity;
  baseline?: string;
}

/** One line for the CI log: what failed the gate, and what the gate's options let through. */
function describeGate(gate: GateOutcome, flags: GateFlags): string {
  const passed = [
    flags.failOnSeverity ? `${gate.belowSeverity} below --fail-on-severity ${flags.failOnSeverity}` : undefined,
    flags.baseline ? `${gate.inBaseline} already failing in the baseline ${flags.baseline}` : undefined,
  ].filter((part) => part !== undefined);
  return `gate: ${gate.failures.length} finding(s) fail the gate; not counted: ${passed.join(", ")}`;
}
