import { relatedRequirement } from "../engine/controls";
import { joinChunks } from "../io/text-chunks";
import { type Finding, findingsOfRule, type Report, type ReportRule } from "./model";

// XML 1.0 forbids most control characters even when escaped; drop them rather than emit invalid XML.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** What xmlEscape changes; most annotations and ids have none of it. */
const NEEDS_ESCAPE = /[&<>"']|[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function xmlEscape(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(INVALID_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function testcase(finding: Finding): string {
  const name = xmlEscape(`${finding.resourceType} ${finding.resourceId} (${finding.accountId} ${finding.region})`);
  const open = `    <testcase classname="${xmlEscape(finding.ruleId)}" name="${name}">`;
  const message = xmlEscape(finding.annotation);
  switch (finding.complianceType) {
    case "NON_COMPLIANT":
      return `${open}\n      <failure type="NON_COMPLIANT" message="${message}">${message}</failure>\n    </testcase>`;
    case "NOT_APPLICABLE":
      return `${open}\n      <skipped message="${message}"/>\n    </testcase>`;
    // Could not be judged: an error, so a CI run never reads a gap as a pass.
    case "INSUFFICIENT_DATA":
      return `${open}\n      <error type="INSUFFICIENT_DATA" message="${message}">${message}</error>\n    </testcase>`;
    default:
      return `${open}</testcase>`;
  }
}

/** The rule's framework controls, one `control` property each, as Security Hub writes related requirements. */
function properties(rule: ReportRule | undefined): string[] {
  if (!rule || rule.controls.length === 0) return [];
  return [
    "    <properties>",
    ...rule.controls.map((control) => `      <property name="control" value="${xmlEscape(relatedRequirement(control))}"/>`),
    "    </properties>",
  ];
}

/**
 * JUnit XML: one test suite per rule, one test case per rule × resource, one line per chunk. The
 * suites' counts are the summary's; each suite reads only its rule's findings.
 */
export function* junitChunks(report: Report): Generator<string> {
  const { totals, byRule } = report.summary;
  const rules = new Map(report.rules.map((rule) => [rule.id, rule]));
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="${xmlEscape(report.tool.name)}" tests="${totals.total}" failures="${totals.NON_COMPLIANT}" errors="${totals.INSUFFICIENT_DATA}" skipped="${totals.NOT_APPLICABLE}">\n`;
  for (const [ruleId, counts] of Object.entries(byRule)) {
    yield `  <testsuite name="${xmlEscape(ruleId)}" tests="${counts.total}" failures="${counts.NON_COMPLIANT}" errors="${counts.INSUFFICIENT_DATA}" skipped="${counts.NOT_APPLICABLE}" timestamp="${report.generatedAt}">\n`;
    for (const line of properties(rules.get(ruleId))) yield `${line}\n`;
    if (counts.total > 0) for (const finding of findingsOfRule(report.findings, ruleId)) yield `${testcase(finding)}\n`;
    yield "  </testsuite>\n";
  }
  yield "</testsuites>\n";
}

export const renderJunit = (report: Report): string => joinChunks(junitChunks(report));
