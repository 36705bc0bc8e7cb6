import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runRules } from "../../lib/engine/run";
import { reportBulletin } from "../../lib/lambda/report-digest";
import { type ReportFormat, renderReport } from "../../lib/reports";
import { parseReport, renderJson } from "../../lib/reports/json";
import { buildReport, type Report, reportRuleOf } from "../../lib/reports/model";
import { loadSnapshots } from "../../lib/sources/load";
import { GOLDEN_RULES } from "../support/golden-rules";
import { TOOL } from "./fixture";

// Every format of an organization recording: the bundled example recorded as two accounts that
// hold the same ids, and a third that could not be entered; diffed against a first run in which
// only the first account was recorded. Regenerate with
// UPDATE_GOLDEN=1 npx jest test/reports/organization-golden.test.ts and review the diff.
const GOLDEN_DIR = join(__dirname, "golden", "organization");
/** The formats with a breakdown by account; the others are checked below for their per-finding account. */
const GOLDEN_FORMATS = ["html", "md", "csv", "json"] as const satisfies readonly ReportFormat[];
const A = "111122223333";
const B = "777788889999";
const FAILED = "222211110000";
const REGION = "eu-west-1";
/** The folder as the report names it, whatever temporary folder the test writes. */
const SHOWN_PATH = "org-scan";
const example = readFileSync(join(__dirname, "..", "..", "examples", "account-snapshot.json"), "utf8");
const tmp = mkdtempSync(join(tmpdir(), "org-golden-"));

function organization(name: string, accounts: Record<string, unknown>[]): string {
  const folder = join(tmp, name);
  mkdirSync(folder);
  for (const account of accounts) {
    if (account.status === "recorded")
      writeFileSync(join(folder, String(account.file)), gzipSync(example.replaceAll(A, String(account.accountId))));
  }
  const manifest = {
    schemaVersion: "1.0",
    kind: "organization-recording",
    capturedAt: "2026-11-23T05:30:00.000Z",
    roleName: "ConfigRulesReader",
    regions: [REGION],
    accounts,
  };
  writeFileSync(join(folder, "organization.json"), JSON.stringify(manifest));
  return folder;
}

const recorded = (accountId: string, name: string) => ({
  accountId,
  name,
  status: "recorded",
  file: `${accountId}.json.gz`,
  regions: [REGION],
});

async function reportOf(folder: string, at: string, previous?: Report): Promise<Report> {
  const { model, inputs } = await loadSnapshots([folder]);
  return buildReport({
    evaluations: runRules(model, { rules: GOLDEN_RULES }),
    rules: GOLDEN_RULES.map(reportRuleOf),
    scopes: model.scopes(),
    inputs: inputs.map((input) => ({ ...input, path: SHOWN_PATH })),
    previous,
    tool: TOOL,
    now: () => new Date(at),
  });
}

describe("golden reports of an organization recording", () => {
  let current: Report;
  beforeAll(async () => {
    const first = await reportOf(organization("first", [recorded(A, "prod")]), "2026-11-01T06:00:00.000Z");
    const previous = parseReport(JSON.parse(renderJson(first)), "previous.json");
    const folder = organization("second", [
      recorded(A, "prod"),
      recorded(B, "prod-copy"),
      {
        accountId: FAILED,
        name: "sandbox",
        status: "failed",
        error: "AccessDenied: not authorized to perform sts:AssumeRole",
        regions: [REGION],
      },
    ]);
    current = await reportOf(folder, "2026-11-23T06:00:00.000Z", previous);
  });

  it("counts each account apart, failing accounts first, and the account not recorded as INSUFFICIENT_DATA", () => {
    const { byAccount } = current.summary;
    expect(Object.keys(byAccount).sort()).toEqual([A, B, FAILED].sort());
    expect(byAccount[B]).toEqual(byAccount[A]);
    expect(byAccount[FAILED]).toMatchObject({ INSUFFICIENT_DATA: GOLDEN_RULES.length, total: GOLDEN_RULES.length });
    const markdown = renderReport(current, "md");
    const section = markdown.slice(markdown.indexOf("## By account"), markdown.indexOf("## By region"));
    const rows = section.split("\n").filter((line) => /^\| \d{12} /.test(line));
    // The two recorded accounts fail alike (ordered by id); the one not recorded only lacks data, so it comes last.
    expect(rows.map((row) => row.slice(2, 14))).toEqual([A, B, FAILED]);
    // B's findings are all new: it was not in the first run.
    expect(
      [...current.findings]
        .filter((finding) => finding.accountId === B && finding.complianceType === "NON_COMPLIANT")
        .every((finding) => finding.change === "new"),
    ).toBe(true);
  });

  it("keeps every finding apart by account in SARIF, JUnit and ASFF", () => {
    const sarif = JSON.parse(renderReport(current, "sarif")) as { runs: { results: { partialFingerprints: Record<string, string> }[] }[] };
    const keys = sarif.runs[0]?.results.map((result) => result.partialFingerprints["ec2ConfigRulesFinding/v1"] ?? "") ?? [];
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((key) => key.includes(`|${B}`)).length).toBe(keys.filter((key) => key.includes(`|${A}`)).length);
    const asff = JSON.parse(renderReport(current, "asff")) as { Id: string; AwsAccountId: string }[];
    expect(new Set(asff.map((finding) => finding.Id)).size).toBe(asff.length);
    expect(new Set(asff.map((finding) => finding.AwsAccountId))).toEqual(new Set([A, B, FAILED]));
    const junit = renderReport(current, "junit");
    expect(junit).toContain(`AWS::EC2::Instance i-0web00000000000001 (${A} ${REGION})`);
    expect(junit).toContain(`AWS::EC2::Instance i-0web00000000000001 (${B} ${REGION})`);
  });

  it("names the accounts in the digest: how many, the most failing, each finding's account, and every account as an attribute", () => {
    const bulletin = reportBulletin(current, "https://example.invalid/report.html", 3600, "s3://bucket/report.json");
    expect(bulletin.intro[0]).toBe("EC2 compliance report of 2026-11-23T06:00:00.000Z for 3 accounts in 1 region");
    expect(bulletin.intro[1]).toBe(
      `Most failing accounts: ${A} (12 non-compliant, 0 insufficient data); ${B} (12 non-compliant, 0 insufficient data); ${FAILED} (0 non-compliant, 6 insufficient data)`,
    );
    const newSection = bulletin.sections.find((section) => section.key === "new");
    const [first] = newSection?.items ?? [];
    expect(first && newSection?.line(first)).toMatch(new RegExp(` \\(${B} ${REGION}\\): `));
    expect(bulletin.attributes.accountId).toEqual([A, FAILED, B].sort());
    expect(bulletin.attributes.region).toEqual([REGION]);
  });

  test.each(GOLDEN_FORMATS)("%s", (format) => {
    const actual = renderReport(current, format);
    const golden = join(GOLDEN_DIR, `report.${format}`);
    if (process.env.UPDATE_GOLDEN === "1") {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(golden, actual);
      return;
    }
    if (!existsSync(golden)) throw new Error(`missing golden file ${golden}; run with UPDATE_GOLDEN=1 to create it`);
    expect(actual).toBe(readFileSync(golden, "utf8"));
  });
});
