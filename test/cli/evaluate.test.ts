import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { RULES } from "../../rules";
import { EXAMPLE_SNAPSHOT, ROOT, runCli } from "../support/cli";

const root = ROOT;
const example = EXAMPLE_SNAPSHOT;

const cli = (...args: string[]) => runCli(args);

const tmp = mkdtempSync(join(tmpdir(), "cli-evaluate-"));
const write = (name: string, content: string | Buffer) => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};

describe("ec2-config-rules evaluate", () => {
  it("prints a table for the example and exits 1 because it has violations", () => {
    const { code, stdout } = cli("evaluate", "--snapshot", example);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^RULE\s+RESOURCE\s+REGION\s+COMPLIANCE\s+WHY/);
    expect(stdout).toContain("eipalloc-0idle000000000001");
    expect(stdout).toMatch(/\d+ evaluations: \d+ non-compliant/);
  });

  it("exits 0 when nothing is non-compliant", () => {
    const { code, stdout } = cli(
      "evaluate",
      "--snapshot",
      example,
      "--rule",
      "eip-attached",
      "--format",
      "json",
      "--exemptions",
      write(
        "exempt.json",
        JSON.stringify({
          exemptions: [
            { rules: ["eip-attached"], resourceId: "eipalloc-0idle000000000001", reason: "DR", owner: "net", expires: "2999-01-01" },
          ],
        }),
      ),
    );
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { resourceId: string; complianceType: string; annotation: string }[];
    expect(rows.find((row) => row.resourceId === "eipalloc-0idle000000000001")).toMatchObject({
      complianceType: "NOT_APPLICABLE",
      annotation: "Exempted (file) by net until 2999-01-01: DR",
    });
  });

  it("prints the documented JSON array, and the same verdicts from the AWS Config snapshot of the same account", () => {
    const recorded = cli("evaluate", "--snapshot", example, "--format", "json");
    const rows = JSON.parse(recorded.stdout) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([
      "ruleId",
      "resourceType",
      "resourceId",
      "region",
      "accountId",
      "complianceType",
      "annotation",
    ]);
    const viaConfig = cli(
      "evaluate",
      "--format",
      "json",
      "--snapshot",
      join(root, "examples", "config-snapshot.json.gz"),
      join(root, "examples", "not-recorded-by-config.json"),
    );
    const key = (row: Record<string, string>) => `${row.ruleId} ${row.resourceId}`;
    const sort = (list: Record<string, string>[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    // Config snapshots hold no terminated instances; everything else must match exactly.
    const live = rows.filter((row) => row.resourceId !== "i-0old00000000000001");
    expect(sort(JSON.parse(viaConfig.stdout))).toEqual(sort(live));
    expect(viaConfig.code).toBe(recorded.code);
  });

  it("keeps an annotation longer than Config's 256 characters whole in JSON, CSV and reports", () => {
    // Only DescribeInstances recorded: endpoint-route-present lists three missing inputs.
    const snapshot = JSON.parse(readFileSync(example, "utf8"));
    for (const region of Object.values(snapshot.regions) as Record<string, unknown>[]) {
      for (const operation of Object.keys(region)) if (operation !== "DescribeInstances") delete region[operation];
    }
    const partial = write("partial.json", JSON.stringify(snapshot));
    const missing = ["DescribeRouteTables", "DescribeSubnets", "DescribeVpcEndpoints"];
    const rows = JSON.parse(
      cli("evaluate", "--snapshot", partial, "--rule", "endpoint-route-present", "--format", "json").stdout,
    ) as Record<string, string>[];
    const gap = rows.find((row) => row.complianceType === "INSUFFICIENT_DATA")?.annotation ?? "";
    expect(gap.length).toBeGreaterThan(256);
    for (const operation of missing) expect(gap).toContain(`${operation} is not in the recorded snapshot`);
    expect(gap).not.toContain("[truncated]");
    expect(cli("evaluate", "--snapshot", partial, "--rule", "endpoint-route-present", "--format", "csv").stdout).toContain(
      gap.replace(/"/g, '""'),
    );

    const report = join(tmp, "partial-report.json");
    cli("report", "--snapshot", partial, "--rule", "endpoint-route-present", "--format", "json", "--output", report);
    const findings = JSON.parse(readFileSync(report, "utf8")).findings as { complianceType: string; annotation: string }[];
    expect(findings.find((finding) => finding.complianceType === "INSUFFICIENT_DATA")?.annotation).toBe(gap);
  });

  it("writes CSV atomically to --output", () => {
    const output = join(tmp, "out.csv");
    const { code, stdout } = cli("evaluate", "--snapshot", example, "--format", "csv", "--output", output);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const lines = readFileSync(output, "utf8").trim().split("\r\n");
    expect(lines[0]).toBe("ruleId,resourceType,resourceId,region,accountId,complianceType,annotation");
    expect(lines.length).toBeGreaterThan(10);
  });

  it("reports a rule's missing inputs as INSUFFICIENT_DATA, never COMPLIANT", () => {
    const { code, stdout, stderr } = cli(
      "evaluate",
      "--snapshot",
      join(root, "examples", "config-snapshot.json.gz"),
      "--rule",
      "placement-group-limits",
      "--format",
      "json",
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({ complianceType: "INSUFFICIENT_DATA", annotation: expect.stringContaining("AWS::EC2::PlacementGroup") }),
    ]);
    expect(stderr).toContain("INSUFFICIENT_DATA");
  });

  describe("bad input: exit 2 and one line naming the file and the field or value", () => {
    const cases: [string, () => string[], RegExp][] = [
      ["not JSON", () => ["--snapshot", write("bad.json", "{ not json")], /bad\.json: .*at byte 2/],
      [
        "truncated gzip",
        () => ["--snapshot", write("cut.json.gz", gzipSync(readFileSync(example)).subarray(0, 2000))],
        /cut\.json\.gz.*(gzip|truncated|unexpected end)/i,
      ],
      [
        "unknown schemaVersion",
        () => [
          "--snapshot",
          write(
            "v9.json",
            JSON.stringify({ schemaVersion: "9", accountId: "111122223333", capturedAt: "2026-01-01T00:00:00Z", regions: {} }),
          ),
        ],
        /v9\.json.*schemaVersion.*"9"/,
      ],
      [
        "a required field missing",
        () => [
          "--snapshot",
          write(
            "noid.json",
            JSON.stringify({
              schemaVersion: "1.0",
              accountId: "111122223333",
              capturedAt: "2026-01-01T00:00:00Z",
              regions: { "eu-west-1": { DescribeAddresses: { Addresses: [{ Domain: "vpc" }] } } },
            }),
          ),
        ],
        /noid\.json.*Addresses\[0\].*(AllocationId|PublicIp)/,
      ],
      [
        "a parameter of the wrong type",
        () => ["--snapshot", example, "--params", write("params.json", JSON.stringify({ "eip-attached": { requireInUseEni: "perhaps" } }))],
        /eip-attached.*requireInUseEni.*"perhaps"/,
      ],
      [
        "an unknown parameter",
        () => ["--snapshot", example, "--params", write("params2.json", JSON.stringify({ "imdsv2-required": { maxHopLimt: 1 } }))],
        /imdsv2-required.*maxHopLimt/,
      ],
      ["an unknown rule id", () => ["--snapshot", example, "--rule", "eip-atached"], /unknown rule id "eip-atached"/],
      [
        "an unknown rule in the params file",
        () => ["--snapshot", example, "--params", write("params3.json", JSON.stringify({ "no-such-rule": {} }))],
        /params3\.json.*no-such-rule/,
      ],
      ["a missing snapshot file", () => ["--snapshot", join(tmp, "nope.json")], /nope\.json: no such file/],
      [
        "an invalid exemptions file",
        () => [
          "--snapshot",
          example,
          "--exemptions",
          write("ex.json", JSON.stringify({ exemptions: [{ resourceId: "x", reason: "r", owner: "o" }] })),
        ],
        /ex\.json.*expires/,
      ],
      ["an unknown format", () => ["--snapshot", example, "--format", "xml"], /xml/],
    ];
    it.each(cases)("%s", (_name, args, message) => {
      const { code, stderr, stdout } = cli("evaluate", ...args());
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stdout).toBe("");
    });
  });
});

describe("ec2-config-rules rules", () => {
  it("lists every rule with its parameters and defaults", () => {
    const { code, stdout } = cli("rules", "--format", "json");
    expect(code).toBe(0);
    const rules = JSON.parse(stdout) as { id: string; parameters: { name: string; default: unknown }[] }[];
    expect(rules.map((rule) => rule.id)).toEqual(RULES.map((rule) => rule.meta.id));
    const placement = rules.find((rule) => rule.id === "placement-group-limits");
    expect(placement?.parameters).toEqual(
      expect.arrayContaining([{ name: "maxSpreadInstancesPerAz", type: expect.any(String), default: 7 }]),
    );
  });

  it("has --help", () => {
    const { code, stdout } = cli("evaluate", "--help");
    expect(code).toBe(0);
    expect(stdout).toContain("--snapshot");
  });
});

describe("ec2-config-rules evaluate: gating", () => {
  test("--fail-on-severity: the example's high-severity failures fail the gate, and no rule is critical", () => {
    const high = cli("evaluate", "--snapshot", example, "--fail-on-severity", "high");
    expect(high.code).toBe(1);
    expect(high.stderr).toMatch(/^gate: [1-9]\d* finding\(s\) fail the gate; not counted: [1-9]\d* below --fail-on-severity high$/m);
    const critical = cli("evaluate", "--snapshot", example, "--fail-on-severity", "critical");
    expect(critical.code).toBe(0);
    expect(critical.stderr).toMatch(/gate: 0 finding\(s\) fail the gate/);
    expect(cli("evaluate", "--snapshot", example, "--fail-on-severity", "severe").code).toBe(2);
  });

  test("--baseline: a report of the same account lets its failures through; one of fewer rules does not", () => {
    const all = join(tmp, "baseline-all.json");
    expect(cli("report", "--snapshot", example, "--format", "json", "--output", all).code).toBe(0);
    const same = cli("evaluate", "--snapshot", example, "--baseline", all);
    expect(same.code).toBe(0);
    expect(same.stderr).toMatch(/gate: 0 finding\(s\) fail the gate; not counted: [1-9]\d* already failing in the baseline/);
    const partial = join(tmp, "baseline-eip.json");
    expect(cli("report", "--snapshot", example, "--rule", "eip-attached", "--format", "json", "--output", partial).code).toBe(0);
    const newer = cli("evaluate", "--snapshot", example, "--baseline", partial, "--fail-on-severity", "medium");
    expect(newer.code).toBe(1);
  });

  test("a missing or foreign baseline is an input error, before any evaluation", () => {
    const missing = cli("evaluate", "--snapshot", example, "--baseline", join(tmp, "none.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/none\.json: cannot read the baseline report: no such file or folder/);
    const foreign = cli("evaluate", "--snapshot", example, "--baseline", write("foreign.json", JSON.stringify({ version: "2.1.0" })));
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/foreign\.json: .*not a report of this tool/);
    expect(foreign.stdout).toBe("");
  });
});
