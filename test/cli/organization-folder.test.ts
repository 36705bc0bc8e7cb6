import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { RULES } from "../../rules";
import { EXAMPLE_SNAPSHOT, runCli } from "../support/cli";

// evaluate, report and remediate --plan on an organization recording folder, as `record
// --organization` leaves it: two recorded accounts holding the same ids, and one not recorded.

const A = "111122223333";
const B = "777788889999";
const FAILED = "222211110000";
const REGION = "eu-west-1";
const example = readFileSync(EXAMPLE_SNAPSHOT, "utf8");
const tmp = mkdtempSync(join(tmpdir(), "cli-org-"));

function organization(name: string, accounts: Record<string, unknown>[], files: string[]): string {
  const folder = join(tmp, name);
  mkdirSync(folder);
  for (const accountId of files) writeFileSync(join(folder, `${accountId}.json.gz`), gzipSync(example.replaceAll(A, accountId)));
  const manifest = {
    schemaVersion: "1.0",
    kind: "organization-recording",
    capturedAt: "2026-11-20T09:30:00.000Z",
    roleName: "ConfigRulesReader",
    regions: [REGION],
    accounts,
  };
  writeFileSync(join(folder, "organization.json"), JSON.stringify(manifest));
  return folder;
}

const recorded = (accountId: string) => ({ accountId, status: "recorded", file: `${accountId}.json.gz`, regions: [REGION] });
const failed = { accountId: FAILED, status: "failed", error: "AccessDenied: not authorized to perform sts:AssumeRole", regions: [REGION] };
const folder = organization("org", [recorded(A), recorded(B), failed], [A, B]);

describe("an organization recording folder on the command line", () => {
  it("evaluates every account: the same ids twice, the account not recorded INSUFFICIENT_DATA for every rule, with a warning", () => {
    const alone = runCli(["evaluate", "--snapshot", EXAMPLE_SNAPSHOT, "--format", "json"]);
    const result = runCli(["evaluate", "--snapshot", folder, "--format", "json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `warning: ${folder}: account ${FAILED} was not recorded (AccessDenied: not authorized to perform sts:AssumeRole)`,
    );
    const rows = JSON.parse(result.stdout) as {
      accountId: string;
      ruleId: string;
      resourceId: string;
      complianceType: string;
      annotation: string;
    }[];
    const of = (accountId: string) => rows.filter((row) => row.accountId === accountId);
    const strip = (list: typeof rows) => list.map(({ accountId: _account, ...row }) => JSON.stringify(row).replaceAll(B, A)).sort();
    expect(strip(of(A))).toEqual(strip(JSON.parse(alone.stdout)));
    expect(strip(of(B))).toEqual(strip(of(A)));
    expect(
      of(FAILED)
        .map((row) => `${row.ruleId} ${row.complianceType}`)
        .sort(),
    ).toEqual(RULES.map((rule) => `${rule.meta.id} INSUFFICIENT_DATA`).sort());
    const table = runCli(["evaluate", "--snapshot", folder]);
    expect(table.stdout.split("\n")[0]).toMatch(/^RULE +RESOURCE +ACCOUNT +REGION +COMPLIANCE +WHY$/);
  });

  it("reports every account, with the breakdown by account and the folder as one input", () => {
    const output = join(tmp, "org-report.json");
    const result = runCli(["report", "--snapshot", folder, "--format", "json", "--output", output]);
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(output, "utf8"));
    expect(report.inputs).toEqual([
      {
        path: folder,
        format: "organization-recording",
        accountIds: [FAILED, A, B].sort(),
        regions: [REGION],
        capturedAt: "2026-11-20T09:30:00.000Z",
      },
    ]);
    expect(Object.keys(report.summary.byAccount).sort()).toEqual([FAILED, A, B].sort());
    expect(report.summary.byAccount[B]).toEqual(report.summary.byAccount[A]);
    expect(report.summary.byAccount[FAILED]).toMatchObject({ INSUFFICIENT_DATA: RULES.length, total: RULES.length });
  });

  it("plans the fixes of each account apart in remediate --plan", () => {
    const plan = runCli(["remediate", "--plan", "--snapshot", folder, "--format", "json"]);
    expect(plan.code).toBe(0);
    const actions = (JSON.parse(plan.stdout).plans as { actions: { accountId: string; resourceId: string }[] }[]).flatMap(
      (entry) => entry.actions,
    );
    const ids = (accountId: string) => actions.filter((action) => action.accountId === accountId).map((action) => action.resourceId);
    expect(ids(A).length).toBeGreaterThan(0);
    expect(ids(B)).toEqual(ids(A));
  });

  it("refuses a manifest naming a missing file, exit 2, one line naming the manifest, the account and the file", () => {
    const broken = organization("broken", [recorded(A), recorded(B)], [A]);
    for (const command of [["evaluate"], ["report", "--format", "json", "--output", join(tmp, "broken.json")], ["remediate", "--plan"]]) {
      const result = runCli([...command, "--snapshot", broken]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        `ec2-config-rules: ${join(broken, "organization.json")}: field accounts.1.file: account ${B}: cannot read its snapshot ${B}.json.gz: no such file or folder`,
      );
    }
    expect(existsSync(join(tmp, "broken.json"))).toBe(false);
  });
});
