import { dirname, relative, resolve } from "node:path";
import { type Command, Option } from "commander";
import { evaluateRules } from "../../engine/run";
import { InputError } from "../../errors";
import { checkOutputTarget } from "../../io/output-target";
import { REPORT_FORMATS, type ReportFormat, writeReportFile } from "../../reports";
import { HTML_MAX_FINDINGS, type HtmlOptions } from "../../reports/html";
import { checkReportReadable, streamReport } from "../../reports/json";
import { buildReport, buildReportAgainst, type Report, reportRuleOf } from "../../reports/model";
import { SARIF_RESULT_SETS, type SarifResultSet } from "../../reports/sarif";
import { parseWholeNumber } from "../options";
import { addEvaluationOptions, type EvaluateOptions, loadForEvaluation } from "./evaluate";

export interface ReportOptions extends EvaluateOptions {
  previous?: string;
  format: ReportFormat;
  output: string;
  sarifResults?: SarifResultSet;
  htmlMaxFindings?: string;
  htmlFullReport?: string;
}

/** `--html-max-findings` and `--html-full-report`, checked before any work; only with `--format html`. */
function htmlOptionsOf(options: ReportOptions): HtmlOptions | undefined {
  const { htmlMaxFindings, htmlFullReport } = options;
  for (const [field, value] of [
    ["--html-max-findings", htmlMaxFindings],
    ["--html-full-report", htmlFullReport],
  ] as const) {
    if (value !== undefined && options.format !== "html") throw new InputError("applies to --format html only", { field });
  }
  if (options.format !== "html") return undefined;
  const maxFindings = htmlMaxFindings === undefined ? undefined : parseWholeNumber(htmlMaxFindings, "--html-max-findings", "findings", 0);
  // The page names the full report as seen from the page's own folder.
  const fullReport = htmlFullReport === undefined ? undefined : relative(dirname(resolve(options.output)), resolve(htmlFullReport));
  return { maxFindings, fullReport };
}

/** Runs the rules on the snapshots and writes one report; `now` is injectable so tests are stable. */
export async function writeReport(options: ReportOptions, tool: { name: string; version: string }, now?: () => Date) {
  // The output folder and the previous report are checked first, so bad ones fail before any
  // evaluation work; the previous report's findings are read after it, matched against its evaluations.
  await checkOutputTarget(options.output);
  if (options.previous) await checkReportReadable(options.previous);
  if (options.sarifResults && options.format !== "sarif") {
    throw new InputError("applies to --format sarif only", { field: "--sarif-results" });
  }
  const html = htmlOptionsOf(options);
  const report = await evaluateIntoReport(options, tool, now);
  try {
    await writeReportFile(options.output, report, options.format, { sarifResults: options.sarifResults, html });
  } catch (error) {
    throw new InputError(`cannot write the report (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      file: options.output,
    });
  }
  return report;
}

/**
 * The report of this run, against the previous one. Only the report outlives this function: the
 * evaluations (a million, at scale) go into it as the rules make them, and the previous report is
 * read as a stream against them, so neither is ever held whole.
 */
async function evaluateIntoReport(options: ReportOptions, tool: { name: string; version: string }, now?: () => Date): Promise<Report> {
  const { rules, model, inputs, run, checkNotEmpty } = await loadForEvaluation(options);
  let made = 0;
  const evaluations = (function* counted() {
    for (const evaluation of evaluateRules(model, run)) {
      made++;
      yield evaluation;
    }
  })();
  const build = { evaluations, rules: rules.map(reportRuleOf), scopes: model.scopes(), inputs, tool, now };
  const { previous } = options;
  if (!previous) {
    const report = buildReport(build);
    checkNotEmpty(made);
    return report;
  }
  // The evaluations are all taken before the previous report is read: an empty run fails first.
  return buildReportAgainst(build, (take) => {
    checkNotEmpty(made);
    return streamReport(previous, take);
  });
}

export function registerReportCommand(program: Command): void {
  addEvaluationOptions(program.command("report"))
    .description(
      "Evaluate the snapshots and write a compliance report (HTML with charts, Markdown, CSV, JSON, JUnit XML, SARIF or ASFF for Security Hub), with the changes since a previous JSON report. Exit 0 when written, 2 on a usage or input error.",
    )
    .option("--previous <report.json>", "a JSON report of an earlier run, for new/resolved/still failing/exempted and first-seen dates")
    .addOption(new Option("-f, --format <format>", "report format").choices(REPORT_FORMATS as unknown as string[]).makeOptionMandatory())
    .requiredOption("-o, --output <file>", "file to write (atomically)")
    .addOption(
      new Option(
        "--sarif-results <set>",
        "SARIF: all results (default; suppressed, open and absent ones too) or only the unsuppressed failures, for GitHub code scanning",
      ).choices(SARIF_RESULT_SETS as unknown as string[]),
    )
    .option(
      "--html-max-findings <n>",
      `HTML: the most findings the page lists (default ${HTML_MAX_FINDINGS}); with more, it lists the failing ones, worst first, up to n and points to the full report`,
    )
    .option("--html-full-report <file>", "HTML: the JSON or CSV report of the same run, named by a page that cannot list every finding")
    .action(async (options: ReportOptions) => {
      const report = await writeReport(options, { name: program.name(), version: program.version() ?? "0.0.0" });
      const { totals } = report.summary;
      const changes = report.diff
        ? `; since ${report.diff.previousGeneratedAt}: ${report.diff.counts.new} new, ${report.diff.counts.resolved} resolved, ${report.diff.counts["still-failing"]} still failing`
        : "";
      process.stderr.write(
        `wrote ${options.output}: ${totals.NON_COMPLIANT} non-compliant of ${totals.total} evaluations, ${totals.INSUFFICIENT_DATA} could not be evaluated${changes}\n`,
      );
    });
}
