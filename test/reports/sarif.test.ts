import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { writeReport } from "../../lib/cli/commands/report";
import { readReport, renderJson } from "../../lib/reports/json";
import { buildReport, type Report } from "../../lib/reports/model";
import { renderSarif } from "../../lib/reports/sarif";
import { withTestControls } from "./controls-fixture";
import { CURRENT_AT, fixtureReport, TOOL } from "./fixture";

// The SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it (provenance in sarif-schema/README.md).
const schema = JSON.parse(readFileSync(join(__dirname, "sarif-schema", "sarif-schema-2.1.0.json"), "utf8"));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function expectValidSarif(text: string) {
  const sarif = JSON.parse(text);
  const valid = validate(sarif);
  expect(valid ? [] : validate.errors?.map((error) => `${error.instancePath} ${error.message}`)).toEqual([]);
  return sarif;
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  kind: string;
  level: string;
  baselineState?: string;
  suppressions?: { kind: string; justification?: string; properties?: Record<string, string> }[];
  locations: {
    physicalLocation?: { artifactLocation: { uri: string } };
    logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, string>;
}

const results = (sarif: { runs: { results: SarifResult[] }[] }) => sarif.runs[0]?.results ?? [];
const named = (list: SarifResult[], resourceId: string) =>
  list.filter((result) => result.locations[0]?.logicalLocations[0]?.name === resourceId);

const EXAMPLE = relative(process.cwd(), join(__dirname, "..", "..", "examples", "account-snapshot.json"));
const tmp = mkdtempSync(join(tmpdir(), "sarif-"));
const now = () => new Date("2026-11-23T06:00:00.000Z");

describe("SARIF against the official 2.1.0 schema", () => {
  test("the validator rejects what the schema forbids (so a passing test means something)", () => {
    const sarif = JSON.parse(renderSarif(fixtureReport("current")));
    sarif.runs[0].results[0].suppressions = [{ kind: "by-email" }];
    sarif.runs[0].results[1].baselineState = "gone";
    expect(validate(sarif)).toBe(false);
    expect(validate.errors?.map((error) => error.instancePath)).toEqual(
      expect.arrayContaining(["/runs/0/results/0/suppressions/0/kind", "/runs/0/results/1/baselineState"]),
    );
  });

  test("the fixture report, with and without a previous report", () => {
    expectValidSarif(renderSarif(fixtureReport("previous")));
    expectValidSarif(renderSarif(fixtureReport("current", fixtureReport("previous"))));
    expectValidSarif(renderSarif(fixtureReport("current", fixtureReport("previous")), { results: "failing" }));
  });

  test("the example account's report through the report command, with and without --previous", async () => {
    jest.useFakeTimers({
      now: now(),
      doNotFake: ["nextTick", "setImmediate", "setTimeout", "clearTimeout", "queueMicrotask", "hrtime", "performance"],
    });
    try {
      const previousJson = join(tmp, "previous.json");
      await writeReport(
        { snapshot: [EXAMPLE], rule: ["eip-attached", "imdsv2-required"], format: "json", output: previousJson },
        TOOL,
        now,
      );
      const first = join(tmp, "first.sarif");
      await writeReport({ snapshot: [EXAMPLE], format: "sarif", output: first }, TOOL, now);
      const second = join(tmp, "second.sarif");
      await writeReport({ snapshot: [EXAMPLE], format: "sarif", output: second, previous: previousJson }, TOOL, now);
      const without = expectValidSarif(readFileSync(first, "utf8"));
      const withPrevious = expectValidSarif(readFileSync(second, "utf8"));

      // The example's two exempted findings are suppressions, with reason, owner and expiry.
      const suppressed = results(without).filter((result) => result.suppressions);
      expect(suppressed).toHaveLength(2);
      for (const result of suppressed) {
        expect(result.suppressions).toEqual([
          expect.objectContaining({
            kind: "external",
            justification: expect.any(String),
            properties: expect.objectContaining({ owner: expect.any(String), expires: expect.stringMatching(/^\d{4}-\d\d-\d\d/) }),
          }),
        ]);
      }
      expect(results(without).every((result) => result.baselineState === undefined)).toBe(true);
      expect(results(withPrevious).every((result) => result.baselineState !== undefined)).toBe(true);
      // Rules the previous report did not run: their failures are new.
      const sg = results(withPrevious).filter((result) => result.ruleId === "sg-attached-to-eni");
      expect(sg.length).toBeGreaterThan(0);
      expect(new Set(sg.map((result) => result.baselineState))).toEqual(new Set(["new"]));
      // The artifact is the snapshot the findings were read from.
      expect(new Set(results(without).map((result) => result.locations[0]?.physicalLocation?.artifactLocation.uri))).toEqual(
        new Set(["examples/account-snapshot.json"]),
      );
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("what becomes a result", () => {
  const previous = fixtureReport("previous");
  const report = fixtureReport("current", previous);
  const sarif = expectValidSarif(renderSarif(report));
  const all = results(sarif);

  test("failing findings are errors, warnings or notes by severity; compliant and not-applicable ones are no result", () => {
    const failing = all.filter((result) => result.kind === "fail" && !result.suppressions);
    expect(failing).toHaveLength(report.summary.totals.NON_COMPLIANT);
    const level = (ruleId: string) => failing.find((result) => result.ruleId === ruleId)?.level;
    expect(level("imdsv2-required")).toBe("error"); // high
    expect(level("sg-attached-to-eni")).toBe("warning"); // medium
    expect(level("eip-attached")).toBe("note"); // low
    expect(named(all, "sg-0used")).toEqual([]); // compliant
    expect(named(all, "eipalloc-0web")).toEqual([]);
  });

  test("an exempted finding is the failing result with an external suppression: reason, owner, expiry", () => {
    const [exempted, ...others] = named(all, "eipalloc-0later");
    expect(others).toEqual([]);
    expect(exempted).toMatchObject({ kind: "fail", level: "note", properties: { complianceType: "NOT_APPLICABLE" } });
    expect(exempted?.suppressions).toEqual([
      {
        kind: "external",
        status: "accepted",
        justification: "DR standby",
        properties: {
          source: "tag",
          owner: "netops",
          expires: "2026-12-01",
          annotation: "Exempted (tag) by netops until 2026-12-01: DR standby",
        },
      },
    ]);
  });

  test("INSUFFICIENT_DATA is an open result without a level; so is a failure gone from an unjudged scope", () => {
    const open = all.filter((result) => result.kind === "open");
    const goneUnjudged = report.diff?.unverified.filter((finding) => finding.absent).length ?? 0;
    expect(goneUnjudged).toBeGreaterThan(0);
    expect(open).toHaveLength(report.summary.totals.INSUFFICIENT_DATA + goneUnjudged);
    expect(new Set(open.map((result) => result.level))).toEqual(new Set(["none"]));
  });

  test("baselineState from the changes: new, unchanged, updated (newly exempted, unverified) and absent (resolved)", () => {
    const state = (resourceId: string, ruleId = "eip-attached") =>
      named(all, resourceId)
        .filter((result) => result.ruleId === ruleId)
        .map((result) => `${result.kind}:${result.baselineState}`);
    expect(state("eipalloc-0fresh")).toEqual(["fail:new"]);
    expect(state("eipalloc-0idle")).toEqual(["fail:unchanged"]);
    expect(state("eipalloc-0later")).toEqual(["fail:updated"]);
    expect(state("eipalloc-0fixed")).toEqual(["pass:absent"]); // now associated
    expect(state("eipalloc-0released")).toEqual(["pass:absent"]); // gone
    expect(state("eipalloc-0east")).toEqual(["open:updated"]); // failing before, unjudgeable now
    expect(new Set(all.map((result) => result.baselineState))).toEqual(new Set(["new", "unchanged", "updated", "absent"]));
    const resolved = all.filter((result) => result.kind === "pass");
    expect(resolved).toHaveLength(report.diff?.resolved.length ?? -1);
    expect(new Set(resolved.map((result) => result.level))).toEqual(new Set(["none"]));
  });

  test("the resource is a logical location with account, region and id; fingerprints are stable and distinct", () => {
    const [idle] = named(all, "eipalloc-0idle");
    expect(idle?.locations[0]?.logicalLocations).toEqual([
      { name: "eipalloc-0idle", fullyQualifiedName: "111122223333/eu-west-1/AWS::EC2::EIP/eipalloc-0idle", kind: "resource" },
    ]);
    expect(idle?.locations[0]?.physicalLocation?.artifactLocation.uri).toBe("test/reports/fixture.ts");
    const hashes = all.map((result) => result.partialFingerprints.primaryLocationLineHash);
    expect(new Set(hashes).size).toBe(all.length);
    const again = results(JSON.parse(renderSarif(fixtureReport("current", previous))));
    expect(again.map((result) => result.partialFingerprints)).toEqual(all.map((result) => result.partialFingerprints));
    // The same finding in the previous run has the same fingerprint.
    const before = named(results(JSON.parse(renderSarif(previous))), "eipalloc-0idle")[0];
    expect(before?.partialFingerprints).toEqual(idle?.partialFingerprints);
  });

  test("--sarif-results failing keeps only the unsuppressed failures, and those no longer verifiable", () => {
    const failing = results(expectValidSarif(renderSarif(report, { results: "failing" })));
    const unverified = failing.filter((result) => result.properties.change === "unverified");
    expect(unverified.length).toBe(report.diff?.counts.unverified);
    expect(failing).toHaveLength(report.summary.totals.NON_COMPLIANT + unverified.length);
    const rest = failing.filter((result) => result.properties.change !== "unverified");
    expect(rest.every((result) => result.kind === "fail" && !result.suppressions)).toBe(true);
  });

  test("an exemption of a resource that passes anyway suppresses nothing", () => {
    const finding = [...report.findings].find((candidate) => candidate.resourceId === "eipalloc-0later");
    if (!finding?.exemption) throw new Error("fixture lost its exempted EIP");
    const passing: Report = {
      ...report,
      diff: undefined,
      findings: [{ ...finding, exemption: { ...finding.exemption, verdict: "COMPLIANT" } }],
    };
    expect(results(JSON.parse(renderSarif(passing)))).toEqual([]);
    // A report written before exemptions were carried apart: the exempted finding is still suppressed.
    const { exemption: _dropped, ...older } = finding;
    const suppressed = results(JSON.parse(renderSarif({ ...passing, findings: [older] })));
    expect(suppressed[0]?.suppressions?.[0]).toMatchObject({ kind: "external", justification: finding.annotation });
  });
});

describe("rules", () => {
  test("each rule has a description, help, helpUri, a level and security-severity; tags carry its control ids", () => {
    const base = fixtureReport("current");
    const report = buildReport({
      evaluations: [...base.findings],
      rules: base.rules.map(withTestControls),
      scopes: base.scopes,
      inputs: base.inputs,
      tool: TOOL,
      now: () => CURRENT_AT,
    });
    const sarif = expectValidSarif(renderSarif(report));
    const rules = sarif.runs[0].tool.driver.rules as {
      id: string;
      helpUri?: string;
      shortDescription: { text: string };
      help: { text: string; markdown: string };
      defaultConfiguration: { level: string };
      properties: { tags: string[]; "security-severity": string };
    }[];
    expect(rules.map((rule) => rule.id)).toEqual(report.rules.map((rule) => rule.id));
    for (const rule of rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(20);
      expect(rule.help.text).toContain(rule.shortDescription.text);
      expect(rule.helpUri).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(rule.properties.tags).toContain("security");
      expect(Number(rule.properties["security-severity"])).toBeGreaterThan(0);
    }
    const imds = rules.find((rule) => rule.id === "imdsv2-required");
    expect(imds?.helpUri).toBe("https://docs.aws.amazon.com/config/latest/developerguide/ec2-imdsv2-check.html");
    expect(imds?.defaultConfiguration.level).toBe("error");
    expect(imds?.properties["security-severity"]).toBe("8.0");
    expect(imds?.properties.tags).toEqual(expect.arrayContaining(["aws-fsbp/EC2.8", "cis-aws/5.6", "nist-800-53/AC-4"]));
    expect(imds?.help.markdown).toContain("aws-fsbp 1.0.0 EC2.8: EC2 instances should use IMDSv2");
    for (const result of results(sarif)) expect(rules[result.ruleIndex]?.id).toBe(result.ruleId);
  });

  test("a report read back from JSON renders the same SARIF", async () => {
    const report = fixtureReport("current", fixtureReport("previous"));
    const file = join(tmp, "round.json");
    writeFileSync(file, renderJson(report));
    expect(renderSarif(await readReport(file))).toBe(renderSarif(report));
  });
});
