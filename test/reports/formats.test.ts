import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Evaluation } from "../../lib/engine/rule";
import { InputError } from "../../lib/errors";
import { csvField } from "../../lib/io/csv";
import { renderCsv } from "../../lib/reports/csv";
import { renderHtml } from "../../lib/reports/html";
import { parseReport, readReport, renderJson } from "../../lib/reports/json";
import { renderJunit } from "../../lib/reports/junit";
import { renderMarkdown } from "../../lib/reports/markdown";
import { buildReport, type Report } from "../../lib/reports/model";
import { CURRENT_AT, fixtureReport, reportRules, TOOL } from "./fixture";

const HOSTILE = '=HYPERLINK("http://x","a,b")</script><img src=x onerror=alert(1)>|"quoted"\nnext line\u0007';

function hostileReport(): Report {
  const evaluation: Evaluation = {
    ruleId: "sg-attached-to-eni",
    resourceType: "AWS::EC2::SecurityGroup",
    resourceId: "sg-0<b>evil</b>",
    region: "eu-west-1",
    accountId: "111122223333",
    complianceType: "NON_COMPLIANT",
    annotation: HOSTILE,
  };
  return buildReport({ evaluations: [evaluation], rules: reportRules(), scopes: [], tool: TOOL, now: () => CURRENT_AT });
}

describe("CSV", () => {
  test("quotes per RFC 4180: commas, quotes and line breaks; CRLF row ends", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    const csv = renderCsv(fixtureReport("current"));
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(csv.split("\r\n")[0]).toBe(
      "ruleId,severity,resourceType,resourceId,region,accountId,complianceType,exempted,change,firstSeen,annotation,controls",
    );
  });

  test("the controls column holds the rule's control mappings as Security Hub writes them", () => {
    const rows = renderCsv(fixtureReport("current")).split("\r\n");
    const eip = rows.find((row) => row.startsWith("eip-attached,"));
    expect(eip?.endsWith(",AWS Foundational Security Best Practices v1.0.0/EC2.12; NIST.800-53.r5 CM-8(1); PCI DSS v3.2.1/2.4")).toBe(true);
    const placement = rows.find((row) => row.startsWith("placement-group-limits,"));
    expect(placement?.endsWith(",")).toBe(true);
  });

  test("neutralizes spreadsheet formulas in any field", () => {
    for (const lead of ["=", "+", "-", "@", "\t", "\r"]) expect(csvField(`${lead}cmd`).replace(/^"/, "")).toMatch(/^'/);
    const row = renderCsv(hostileReport()).split("\r\n")[1] ?? "";
    expect(row).toContain(`"'=HYPERLINK(""http://x"",""a,b"")`);
  });
});

describe("JSON", () => {
  test("round-trips the complete report", () => {
    const report = fixtureReport("current", fixtureReport("previous"));
    expect(parseReport(JSON.parse(renderJson(report)), "r.json")).toEqual({ ...report, findings: [...report.findings] });
  });

  test("refuses another report version, naming the file and the field", () => {
    const content = JSON.parse(renderJson(fixtureReport("previous")));
    content.reportVersion = 99;
    expect(() => parseReport(content, "old.json")).toThrow(InputError);
    expect(() => parseReport(content, "old.json")).toThrow(/^old\.json: field reportVersion: .*unsupported report version/);
  });

  test("names the field of a bad finding", () => {
    const content = JSON.parse(renderJson(fixtureReport("previous")));
    content.findings[3].complianceType = "MAYBE";
    expect(() => parseReport(content, "prev.json")).toThrow(/^prev\.json: field findings\[3\]\.complianceType: /);
    delete content.findings[3];
    content.findings[3] = { ruleId: "x" };
    expect(() => parseReport(content, "prev.json")).toThrow(/field findings\[3\]\.resourceType/);
  });

  test("reading a file: not JSON, or missing, is a one-line error naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "report-json-"));
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{"reportVersion": 1,');
    await expect(readReport(broken)).rejects.toThrow(
      new RegExp(`^${broken}: cannot read the previous report: truncated JSON: unexpected end of file at byte 20$`),
    );
    await expect(readReport(join(dir, "nope.json"))).rejects.toThrow(/nope\.json: cannot read the previous report/);
  });
});

describe("escaping of hostile annotations and ids", () => {
  const report = hostileReport();

  test("HTML embeds them as JSON that cannot close the script element", () => {
    const html = renderHtml(report);
    expect(html).not.toContain("</script><img");
    expect(html).not.toContain("<b>evil</b>");
    expect(html).toContain("\\u003c/script>\\u003cimg");
    const payload = html.match(/<script type="application\/json" id="report-data">([^<]*)<\/script>/)?.[1] ?? "";
    expect(JSON.parse(payload).d.n).toContain(HOSTILE);
  });

  test("HTML's compliance-by-control view escapes control fields and links only https sources", () => {
    const control = {
      framework: "aws-fsbp" as const,
      version: "1.0.0",
      control: "EC2.<i>22</i>",
      title: HOSTILE,
      source: "javascript:alert(1)",
    };
    const rules = reportRules().map((rule) => (rule.id === "sg-attached-to-eni" ? { ...rule, controls: [control] } : rule));
    const html = renderHtml({ ...report, rules });
    const section = html.match(/<section id="controls">.*?<\/section>/s)?.[0] ?? "";
    expect(section).toContain("EC2.&lt;i&gt;22&lt;/i&gt;");
    expect(section).toContain("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(section).not.toContain("javascript:");
    expect(section).toMatch(/data-filter="control=aws-fsbp EC2.&lt;i&gt;22&lt;\/i&gt;;state=nc">1</);
  });

  test("JUnit XML escapes markup and drops characters XML cannot hold", () => {
    const xml = renderJunit(report);
    expect(xml).toContain("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;|&quot;quoted&quot;");
    expect(xml).not.toContain("\u0007");
    expect(xml).toContain('name="AWS::EC2::SecurityGroup sg-0&lt;b&gt;evil&lt;/b&gt; (111122223333 eu-west-1)"');
  });

  test("Markdown keeps each finding on one table row", () => {
    const row = renderMarkdown(report)
      .split("\n")
      .find((line) => line.startsWith("| sg-attached-to-eni | medium |"));
    expect(row).toContain('\\|"quoted"');
    expect(row).toContain("&lt;/script&gt;");
    expect(row).toContain("next line");
  });
});

describe("JUnit", () => {
  test("one test case per rule × resource: failures, skips and errors as counted", () => {
    const report = fixtureReport("current");
    const xml = renderJunit(report);
    expect(xml.match(/<testcase /g)?.length).toBe(report.findings.length);
    expect(xml.match(/<failure /g)?.length).toBe(report.summary.totals.NON_COMPLIANT);
    expect(xml.match(/<skipped /g)?.length).toBe(report.summary.totals.NOT_APPLICABLE);
    expect(xml.match(/<error /g)?.length).toBe(report.summary.totals.INSUFFICIENT_DATA);
    expect(xml).toMatch(/<testsuite name="imdsv2-required" tests="3" failures="1" errors="0" skipped="0"/);
  });

  test("each suite lists its rule's controls as properties; a rule with none has no properties", () => {
    const xml = renderJunit(fixtureReport("current"));
    const suite = (ruleId: string) =>
      xml.slice(xml.indexOf(`<testsuite name="${ruleId}"`), xml.indexOf("</testsuite>", xml.indexOf(`<testsuite name="${ruleId}"`)));
    expect(suite("imdsv2-required")).toContain('<property name="control" value="CIS AWS Foundations Benchmark v3.0.0/5.6"/>');
    expect(suite("imdsv2-required").match(/<property /g)).toHaveLength(8);
    expect(suite("placement-group-limits")).not.toContain("<properties>");
  });
});

describe("Markdown controls", () => {
  test("one row per rule × control, with the mapping's source", () => {
    const md = renderMarkdown(fixtureReport("current"));
    expect(md).toContain(
      "| imdsv2-required | AWS Foundational Security Best Practices 1.0.0 | EC2.8 | EC2 instances should use Instance Metadata Service Version 2 (IMDSv2) | [source](https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-8) |",
    );
    const section = md.slice(md.indexOf("## Framework controls"), md.indexOf("## By region"));
    expect(section.match(/^\| imdsv2-required \| /gm)).toHaveLength(8);
    expect(section).not.toContain("sg-attached-to-eni");
  });
});
