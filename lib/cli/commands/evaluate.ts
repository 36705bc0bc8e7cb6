import { type Command, Option } from "commander";
import type { Severity } from "../../engine/rule";
import { runRules } from "../../engine/run";
import { writeFileAtomic } from "../../io/atomic-write";
import { loadSnapshots } from "../../sources/load";
import { readReport } from "../../reports/json";
import { countByCompliance, EVALUATION_FORMATS, type EvaluationFormat, formatEvaluations } from "../format";
import { applyGate, GATE_SEVERITIES, type GateOutcome } from "../gate";
import { readExemptions, readParamsFile, selectRules } from "../options";

export interface EvaluateOptions {
  snapshot: string[];
  rule?: string[];
  params?: string;
  exemptions?: string;
  exemptionTagKey?: string;
}

/** The options every command that evaluates snapshots shares (evaluate, report, remediate --plan). */
export function addEvaluationOptions(command: Command): Command {
  return command
    .requiredOption("-s, --snapshot <path...>", "recorded snapshot, AWS Config snapshot/history file(s), or a folder of describe-* outputs")
    .option("-r, --rule <id...>", "evaluate only these rules (default: all)")
    .option("--params <file>", 'rule parameters as JSON: {"<rule id>": {"<parameter>": value}}')
    .option("--exemptions <file>", "exemptions file (resource id, tag or name pattern; reason; owner; expiry)")
    .option("--exemption-tag-key <key>", "tag that exempts a resource (value: rule ids or all)", "compliance-exempt");
}

/** Loads the inputs and runs the selected rules: the evaluation every offline command starts from. */
export async function evaluateSnapshots(options: EvaluateOptions) {
  const rules = selectRules(options.rule);
  const params = await readParamsFile(options.params);
  const exemptions = await readExemptions(options.exemptions, options.exemptionTagKey);
  const { model, inputs } = await loadSnapshots(options.snapshot);
  const evaluations = runRules(model, { rules, params, exemptions });
  return { rules, model, inputs, evaluations };
}

export function registerEvaluateCommand(program: Command): void {
  addEvaluationOptions(program.command("evaluate"))
    .description(
      "Evaluate the rules offline on recorded snapshots. Exit 0: nothing fails the gate; 1: something does (non-compliant, of at least --fail-on-severity, not failing in --baseline); 2: usage or input error.",
    )
    .addOption(new Option("-f, --format <format>", "output format").choices(EVALUATION_FORMATS as string[]).default("table"))
    .option("-o, --output <file>", "write the output to a file (atomically) instead of stdout")
    .addOption(
      new Option("--fail-on-severity <severity>", "only failing findings of rules of this severity or higher make exit 1").choices(
        GATE_SEVERITIES as string[],
      ),
    )
    .option("--baseline <report.json>", "a JSON report of an earlier run: only findings not failing in it make exit 1")
    .action(async (options: EvaluateOptions & GateFlags & { format: EvaluationFormat; output?: string }) => {
      // A bad baseline fails before any evaluation work.
      const baseline = options.baseline ? await readReport(options.baseline, "baseline report") : undefined;
      const { rules, evaluations } = await evaluateSnapshots(options);
      const text = formatEvaluations(evaluations, options.format, { color: !options.output && process.stdout.isTTY });
      if (options.output) await writeFileAtomic(options.output, text);
      else process.stdout.write(text);
      const counts = countByCompliance(evaluations);
      if (counts.INSUFFICIENT_DATA > 0) {
        process.stderr.write(
          `warning: ${counts.INSUFFICIENT_DATA} evaluation(s) could not be made for lack of input data (INSUFFICIENT_DATA); see their annotations\n`,
        );
      }
      const severityOf = new Map(rules.map((rule) => [rule.meta.id, rule.meta.severity]));
      const gate = applyGate(evaluations, (ruleId) => severityOf.get(ruleId) ?? "critical", {
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
