import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLE_SNAPSHOT, runCli } from "../support/cli";

const example = EXAMPLE_SNAPSHOT;
const tmp = mkdtempSync(join(tmpdir(), "cli-frameworks-"));

const cli = (...args: string[]) => runCli(args);

const ruleIdsOf = (stdout: string) => [...new Set((JSON.parse(stdout) as { ruleId: string }[]).map((row) => row.ruleId))].sort();

describe("rules lists control mappings", () => {
  it("--format json: FSBP EC2.8 for imdsv2-required, with its source", () => {
    const { code, stdout } = cli("rules", "--format", "json");
    expect(code).toBe(0);
    const rules = JSON.parse(stdout) as { id: string; controls: { framework: string; control: string; source: string }[] }[];
    expect(rules.find((rule) => rule.id === "imdsv2-required")?.controls).toContainEqual({
      framework: "aws-fsbp",
      version: "1.0.0",
      control: "EC2.8",
      title: "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
      source: "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-8",
    });
    for (const rule of rules) for (const control of rule.controls) expect(control.source).toMatch(/^https:\/\//);
  });

  it("table: one line per control", () => {
    const { stdout } = cli("rules");
    expect(stdout).toContain(
      "  control: CIS AWS Foundations Benchmark 3.0.0 5.6: Ensure that EC2 Metadata Service only allows IMDSv2 (https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-8)",
    );
  });
});

describe("--framework", () => {
  it("keeps only rules mapped to the framework", () => {
    const { code, stdout } = cli("evaluate", "--snapshot", example, "--format", "json", "--framework", "pci-dss");
    expect(code).toBe(1);
    expect(ruleIdsOf(stdout)).toEqual(["eip-attached", "imdsv2-required"]);
  });

  it("is repeatable and takes comma lists", () => {
    const repeated = cli("evaluate", "--snapshot", example, "--format", "json", "--framework", "cis-aws", "--framework", "aws-fsbp");
    const listed = cli("evaluate", "--snapshot", example, "--format", "json", "--framework", "cis-aws,aws-fsbp");
    expect(ruleIdsOf(repeated.stdout)).toEqual(["ec2-no-public-ip", "eip-attached", "imdsv2-required"]);
    expect(listed.stdout).toBe(repeated.stdout);
  });

  it("intersects with --rule", () => {
    const { stdout } = cli(
      "evaluate",
      "--snapshot",
      example,
      "--format",
      "json",
      "--rule",
      "imdsv2-required",
      "sg-attached-to-eni",
      "--framework",
      "aws-fsbp",
    );
    expect(ruleIdsOf(stdout)).toEqual(["imdsv2-required"]);
  });

  it("a framework no selected rule maps is an error, not an empty pass", () => {
    const { code, stdout, stderr } = cli("evaluate", "--snapshot", example, "--rule", "eip-attached", "--framework", "cis-aws");
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toBe("ec2-config-rules: field --framework: no selected rule maps to framework cis-aws (selected: eip-attached)\n");
  });

  it("refuses an unknown framework id, naming the known ones", () => {
    const { code, stderr } = cli(
      "report",
      "--snapshot",
      example,
      "--format",
      "json",
      "-o",
      join(tmp, "r.json"),
      "--framework",
      "aws-fsbp,soc2",
    );
    expect(code).toBe(2);
    expect(stderr).toContain('unknown framework "soc2" (known: aws-fsbp, cis-aws, nist-800-53, pci-dss)');
  });

  it("report --format asff keeps only the framework's rules", () => {
    const output = join(tmp, "fsbp.asff.json");
    const { code } = cli("report", "--snapshot", example, "--format", "asff", "-o", output, "--framework", "nist-800-53");
    expect(code).toBe(0);
    const findings = JSON.parse(readFileSync(output, "utf8")) as { GeneratorId: string }[];
    expect([...new Set(findings.map((finding) => finding.GeneratorId))].sort()).toEqual([
      "ec2-config-rules/ec2-no-public-ip",
      "ec2-config-rules/eip-attached",
      "ec2-config-rules/imdsv2-required",
    ]);
  });
});
