import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import type { Severity } from "../engine/rule";
import { findingKey, type Report } from "./model";

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
};

// GitHub code scanning ranks alerts by this CVSS-like score (critical ≥ 9, high ≥ 7, medium ≥ 4).
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

/** SARIF wants URIs: relative paths with forward slashes, absolute ones as file: URLs. */
const toUri = (path: string): string => (isAbsolute(path) ? pathToFileURL(path).href : path.split("\\").join("/"));

/**
 * SARIF 2.1.0: one reporting descriptor per rule, one result per NON_COMPLIANT finding. Cloud
 * resources have no source line, so each result names the resource as a logical location and
 * points at the input it was read from; the fingerprint keeps an alert's identity across runs.
 */
export function renderSarif(report: Report): string {
  const ruleIndex = new Map(report.rules.map((rule, index) => [rule.id, index]));
  const artifact = report.inputs[0] && toUri(report.inputs[0].path);
  const results = report.findings
    .filter((finding) => finding.complianceType === "NON_COMPLIANT")
    .map((finding) => ({
      ruleId: finding.ruleId,
      ...(ruleIndex.has(finding.ruleId) ? { ruleIndex: ruleIndex.get(finding.ruleId) } : {}),
      level: LEVEL[finding.severity],
      message: { text: `${finding.resourceType} ${finding.resourceId} in ${finding.accountId} ${finding.region}: ${finding.annotation}` },
      locations: [
        {
          ...(artifact ? { physicalLocation: { artifactLocation: { uri: artifact } } } : {}),
          logicalLocations: [
            {
              name: finding.resourceId,
              fullyQualifiedName: `${finding.accountId}/${finding.region}/${finding.resourceType}/${finding.resourceId}`,
              kind: "resource",
            },
          ],
        },
      ],
      partialFingerprints: { "ec2ConfigRulesFinding/v1": findingKey(finding) },
      properties: { firstSeen: finding.firstSeen, ...(finding.change ? { change: finding.change } : {}) },
    }));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            rules: report.rules.map((rule) => ({
              id: rule.id,
              name: rule.id,
              shortDescription: { text: rule.description },
              fullDescription: { text: rule.description },
              defaultConfiguration: { level: LEVEL[rule.severity] },
              properties: { "security-severity": SECURITY_SEVERITY[rule.severity], tags: ["aws", "ec2", "compliance"] },
            })),
          },
        },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt }],
        ...(report.inputs.length > 0 ? { artifacts: report.inputs.map((input) => ({ location: { uri: toUri(input.path) } })) } : {}),
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
