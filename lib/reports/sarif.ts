import { createHash } from "node:crypto";
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import type { Severity } from "../engine/rule";
import { joinChunks, jsonChunks } from "../io/text-chunks";
import { type Finding, findingKey, type Report, type ReportInput, type ReportRule } from "./model";

/** Which findings become results: all of them (see sarifChunks), or only the open failures. */
export const SARIF_RESULT_SETS = ["all", "failing"] as const;
export type SarifResultSet = (typeof SARIF_RESULT_SETS)[number];

export interface SarifOptions {
  results?: SarifResultSet;
}

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
};

// GitHub code scanning ranks alerts by this CVSS-like score (critical > 9.0, high ≥ 7.0, medium ≥ 4.0, low ≥ 0.1).
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

/** SARIF wants URIs: relative paths with forward slashes, absolute ones as file: URLs. */
const toUri = (path: string): string => (isAbsolute(path) ? pathToFileURL(path).href : path.split("\\").join("/"));

type BaselineState = "new" | "unchanged" | "updated" | "absent";

/**
 * A result's state against the previous report, from our change classes: still failing (or still
 * exempted, still unjudgeable) is unchanged; newly exempted, and failing before but unjudgeable now,
 * are updated; resolved is absent.
 */
function baselineStateOf(finding: Finding, report: Report): BaselineState | undefined {
  if (!report.diff || !finding.change) return undefined;
  switch (finding.change) {
    case "new":
      return "new";
    case "still-failing":
      return "unchanged";
    case "resolved":
      return "absent";
    case "exempted":
    case "unverified":
      return "updated";
    case "unchanged":
      // Same state as before exactly when the first-seen date was carried over.
      return finding.firstSeen === report.generatedAt ? "new" : "unchanged";
  }
}

/**
 * What a finding is as a SARIF result, or undefined when it is none: a failing verdict is a
 * "fail"; an exemption of a failing verdict (or of an unknown one: reports that predate exemption
 * details) is that "fail", suppressed; a verdict that could not be made is "open". Only "fail"
 * results carry a level (SARIF §3.27.10).
 */
function resultKind(finding: Finding): { kind: "fail" | "open"; suppressed: boolean } | undefined {
  if (finding.complianceType === "NON_COMPLIANT") return { kind: "fail", suppressed: false };
  if (finding.complianceType === "INSUFFICIENT_DATA") return { kind: "open", suppressed: false };
  if (finding.exempted) {
    const verdict = finding.exemption?.verdict ?? "NON_COMPLIANT";
    if (verdict === "NON_COMPLIANT") return { kind: "fail", suppressed: true };
    if (verdict === "INSUFFICIENT_DATA") return { kind: "open", suppressed: true };
  }
  return undefined;
}

/** An exemption as a SARIF suppression: kept outside the analysed artifact, hence "external". */
function suppressionOf(finding: Finding) {
  const exemption = finding.exemption;
  return {
    kind: "external",
    status: "accepted",
    justification: exemption?.reason ?? finding.annotation,
    properties: {
      ...(exemption ? { source: exemption.source } : {}),
      ...(exemption?.owner ? { owner: exemption.owner } : {}),
      ...(exemption?.expires ? { expires: exemption.expires } : {}),
      annotation: finding.annotation,
    },
  };
}

/** The input a finding was most likely read from: the first that covers its account and region. */
function inputIndexOf(finding: Finding, inputs: readonly ReportInput[]): number {
  const index = inputs.findIndex((input) => input.accountIds.includes(finding.accountId) && input.regions.includes(finding.region));
  return Math.max(index, 0);
}

// GitHub code scanning tells alerts apart by primaryLocationLineHash alone. Every result points
// at an input file rather than a line, so the hash is of the finding's identity (account, region,
// rule, resource): stable across runs, distinct per resource.
const identityHash = (finding: Finding): string => `${createHash("sha256").update(findingKey(finding)).digest("hex").slice(0, 16)}:1`;

function reportingDescriptor(rule: ReportRule) {
  const controlTags = rule.controls.map((control) => `${control.framework}/${control.control}`);
  const controlLines = rule.controls.map(
    (control) => `- ${control.framework} ${control.version} ${control.control}: ${control.title} ([source](${control.source}))`,
  );
  const see = rule.helpUri ? ` See ${rule.helpUri}` : "";
  return {
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.description },
    ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
    help: {
      text: `${rule.description}${see}`,
      markdown: [
        rule.description,
        ...(rule.helpUri ? ["", `Documentation: ${rule.helpUri}`] : []),
        ...(controlLines.length > 0 ? ["", "Framework controls:", ...controlLines] : []),
      ].join("\n"),
    },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      // "security" makes GitHub read security-severity; the control ids let alerts be filtered by control.
      tags: [...new Set(["security", "compliance", "aws", "ec2", ...controlTags])],
      "security-severity": SECURITY_SEVERITY[rule.severity],
      severity: rule.severity,
      ...(rule.controls.length > 0
        ? { controls: rule.controls.map(({ framework, version, control, title }) => ({ framework, version, control, title })) }
        : {}),
    },
  };
}

/**
 * SARIF 2.1.0 of a report. Results (README, "SARIF"):
 * - NON_COMPLIANT: kind "fail", level from the rule's severity (critical and high error, medium
 *   warning, low note);
 * - exempted: the failing result, with an external suppression (justification = the exemption's
 *   reason; owner, expiry and source in its properties); an exemption of a resource that passed
 *   anyway suppresses nothing and is no result;
 * - INSUFFICIENT_DATA: kind "open", level "none": the rule could not decide;
 * - with a previous report, each result's baselineState; the findings resolved since as results
 *   of kind "pass", baselineState "absent"; failing findings gone from an unjudged scope as "open";
 * - COMPLIANT and NOT_APPLICABLE: no result.
 * `results: "failing"` keeps only unsuppressed failures (and failures no longer verifiable), for
 * consumers (GitHub code scanning) that ignore kind, suppressions and baselineState and would
 * open an alert for every result.
 * Cloud resources have no source line: each result points at the input it was read from and names
 * the resource as a logical location.
 */
export function* sarifChunks(report: Report, options: SarifOptions = {}): Generator<string> {
  const failingOnly = options.results === "failing";
  const ruleIndex = new Map(report.rules.map((rule, index) => [rule.id, index]));
  const severityOf = new Map(report.rules.map((rule) => [rule.id, rule.severity]));
  const artifacts = report.inputs.map((input) => ({ location: { uri: toUri(input.path) } }));

  const resultOf = (finding: Finding, kind: "fail" | "open" | "pass", suppressed: boolean) => {
    const baselineState = kind === "pass" ? "absent" : baselineStateOf(finding, report);
    const inputIndex = inputIndexOf(finding, report.inputs);
    const severity = severityOf.get(finding.ruleId) ?? finding.severity;
    const prefix =
      kind === "pass"
        ? "Resolved since the previous report: "
        : finding.absent
          ? "No longer verifiable (input missing), last seen failing: "
          : "";
    return {
      ruleId: finding.ruleId,
      ...(ruleIndex.has(finding.ruleId) ? { ruleIndex: ruleIndex.get(finding.ruleId) } : {}),
      kind,
      level: kind === "fail" ? LEVEL[severity] : "none",
      message: {
        text: `${prefix}${finding.resourceType} ${finding.resourceId} in ${finding.accountId} ${finding.region}: ${finding.annotation}`,
      },
      locations: [
        {
          ...(artifacts.length > 0
            ? {
                // Line 1: code scanning needs a region to show a result; the whole input is meant.
                physicalLocation: {
                  artifactLocation: { uri: artifacts[inputIndex]?.location.uri, index: inputIndex },
                  region: { startLine: 1 },
                },
              }
            : {}),
          logicalLocations: [
            {
              name: finding.resourceId,
              fullyQualifiedName: `${finding.accountId}/${finding.region}/${finding.resourceType}/${finding.resourceId}`,
              kind: "resource",
            },
          ],
        },
      ],
      partialFingerprints: { primaryLocationLineHash: identityHash(finding), "ec2ConfigRulesFinding/v1": findingKey(finding) },
      ...(suppressed ? { suppressions: [suppressionOf(finding)] } : {}),
      ...(baselineState ? { baselineState } : {}),
      properties: {
        complianceType: finding.complianceType,
        severity,
        firstSeen: finding.firstSeen,
        ...(finding.change ? { change: finding.change } : {}),
      },
    };
  };

  // Made one by one as the output is written, so a million results are never all held.
  function* results() {
    for (const finding of report.findings) {
      const what = resultKind(finding);
      if (!what) continue;
      // A failure that can no longer be verified stays, so that a missing input never closes an alert.
      if (failingOnly && (what.kind !== "fail" || what.suppressed) && finding.change !== "unverified") continue;
      yield resultOf(finding, what.kind, what.suppressed);
    }
    // Failing before, absent now: unverified where the rule lacked input, resolved elsewhere.
    for (const finding of report.diff?.unverified ?? []) if (finding.absent) yield resultOf(finding, "open", false);
    if (!failingOnly) for (const finding of report.diff?.resolved ?? []) yield resultOf(finding, "pass", false);
  }

  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            rules: report.rules.map(reportingDescriptor),
          },
        },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt }],
        ...(artifacts.length > 0 ? { artifacts } : {}),
        results: results(),
        ...(report.diff ? { properties: { previousReportGeneratedAt: report.diff.previousGeneratedAt } } : {}),
      },
    ],
  };
  yield* jsonChunks(sarif);
  yield "\n";
}

export const renderSarif = (report: Report, options: SarifOptions = {}): string => joinChunks(sarifChunks(report, options));
