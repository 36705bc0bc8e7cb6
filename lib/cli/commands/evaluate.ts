import { type Command, Option } from "commander";
import { runRules } from "../../engine/run";
import { writeFileAtomic } from "../../io/atomic-write";
import { checkOutputTarget } from "../../io/output-target";
import { loadSnapshots } from "../../sources/load";
import { countByCompliance, EVALUATION_FORMATS, type EvaluationFormat, formatEvaluations } from "../format";
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
    .description("Evaluate the rules offline on recorded snapshots. Exit 0: nothing non-compliant; 1: something is; 2: usage or input error.")
    .addOption(new Option("-f, --format <format>", "output format").choices(EVALUATION_FORMATS as string[]).default("table"))
    .option("-o, --output <file>", "write the output to a file (atomically) instead of stdout")
    .action(async (options: EvaluateOptions & { format: EvaluationFormat; output?: string }) => {
      if (options.output) await checkOutputTarget(options.output);
      const { evaluations } = await evaluateSnapshots(options);
      const text = formatEvaluations(evaluations, options.format, { color: !options.output && process.stdout.isTTY });
      if (options.output) await writeFileAtomic(options.output, text);
      else process.stdout.write(text);
      const counts = countByCompliance(evaluations);
      if (counts.INSUFFICIENT_DATA > 0) {
        process.stderr.write(
          `warning: ${counts.INSUFFICIENT_DATA} evaluation(s) could not be made for lack of input data (INSUFFICIENT_DATA); see their annotations\n`,
        );
      }
      process.exitCode = counts.NON_COMPLIANT > 0 ? 1 : 0;
    });
}
