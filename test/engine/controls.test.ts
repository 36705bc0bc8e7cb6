import { FRAMEWORK_IDS, relatedRequirement } from "../../lib/engine/controls";
import { RULES } from "../../rules";

const mappings = RULES.flatMap((rule) => rule.meta.controls.map((control) => ({ rule: rule.meta.id, ...control })));

describe("rule control mappings", () => {
  test("every mapping names a known framework, a version, a control, a title and an https source", () => {
    expect(mappings.length).toBeGreaterThan(10);
    for (const mapping of mappings) {
      expect(FRAMEWORK_IDS).toContain(mapping.framework);
      expect(mapping.version).toMatch(/^(rev5|\d+\.\d+\.\d+)$/);
      expect(mapping.control.trim()).not.toBe("");
      expect(mapping.title.trim()).not.toBe("");
      expect(new URL(mapping.source).protocol).toBe("https:");
    }
  });

  test("no rule lists the same control twice", () => {
    for (const rule of RULES) {
      const keys = rule.meta.controls.map((control) => `${control.framework} ${control.version} ${control.control}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  test.each([
    ["imdsv2-required", "aws-fsbp", "EC2.8", "ec2-8"],
    ["ec2-no-public-ip", "aws-fsbp", "EC2.9", "ec2-9"],
    ["eip-attached", "aws-fsbp", "EC2.12", "ec2-12"],
    ["imdsv2-required", "cis-aws", "5.6", "ec2-8"],
    ["imdsv2-required", "pci-dss", "2.2.6", "ec2-8"],
    ["eip-attached", "nist-800-53", "CM-8(1)", "ec2-12"],
  ])("%s maps %s %s, cited to Security Hub's #%s", (ruleId, framework, control, anchor) => {
    const rule = RULES.find((candidate) => candidate.meta.id === ruleId);
    const found = rule?.meta.controls.find((mapping) => mapping.framework === framework && mapping.control === control);
    expect(found?.source).toBe(`https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#${anchor}`);
  });

  test("the CIS IMDSv2 control names its benchmark version", () => {
    const cis = RULES.find((rule) => rule.meta.id === "imdsv2-required")?.meta.controls.filter(
      (mapping) => mapping.framework === "cis-aws",
    );
    expect(cis?.map((mapping) => `${mapping.version}/${mapping.control}`)).toEqual(["3.0.0/5.6", "5.0.0/5.7"]);
    expect(cis?.[0]?.title).toBe("Ensure that EC2 Metadata Service only allows IMDSv2");
  });

  test("EC2.22 is retired from FSBP, so sg-attached-to-eni maps no control; rules without a managed equivalent map none", () => {
    for (const id of ["sg-attached-to-eni", "endpoint-route-present", "placement-group-limits"]) {
      expect(RULES.find((rule) => rule.meta.id === id)?.meta.controls).toEqual([]);
    }
  });

  test("related requirements are written as Security Hub writes them", () => {
    const byRule = (id: string) => RULES.find((rule) => rule.meta.id === id)?.meta.controls.map(relatedRequirement);
    expect(byRule("imdsv2-required")).toEqual([
      "AWS Foundational Security Best Practices v1.0.0/EC2.8",
      "CIS AWS Foundations Benchmark v3.0.0/5.6",
      "CIS AWS Foundations Benchmark v5.0.0/5.7",
      "NIST.800-53.r5 AC-3",
      "NIST.800-53.r5 AC-3(15)",
      "NIST.800-53.r5 AC-3(7)",
      "NIST.800-53.r5 AC-6",
      "PCI DSS v4.0.1/2.2.6",
    ]);
    // ASFF takes at most 32 related requirements per finding.
    for (const rule of RULES) expect(rule.meta.controls.length).toBeLessThanOrEqual(32);
  });
});
