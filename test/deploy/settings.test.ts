import { readdirSync } from "node:fs";
import path from "node:path";
import { generate } from "../../deploy/generate";
import { parseStageSettings } from "../../deploy/settings";
import { buildStack } from "../../deploy/stack";
import { ROOT, readTemplate, removeRun, runPackage } from "./package";

const FILE = "deploy/params/x.json";

function build(raw: unknown) {
  return buildStack({ stage: "x", settings: parseStageSettings(raw, FILE), settingsFile: FILE, root: ROOT });
}

describe("stage parameters", () => {
  test.each(readdirSync(path.join(ROOT, "deploy", "params")))("shipped deploy/params/%s builds a stack", (file) => {
    const stack = generate({ stage: path.basename(file, ".json"), paramsFile: path.join(ROOT, "deploy", "params", file), root: ROOT });
    expect(Object.keys(stack.functions).length).toBeGreaterThanOrEqual(6);
  });

  test("defaults: daily periodic runs, no email, manual remediation", () => {
    const { resources } = build({});
    const rule = resources.Resources.SgAttachedToEniConfigRule as { Properties: { Source: { SourceDetails: unknown[] } } };
    expect(rule.Properties.Source.SourceDetails).toEqual([
      { EventSource: "aws.config", MessageType: "ScheduledNotification", MaximumExecutionFrequency: "TwentyFour_Hours" },
    ]);
    expect(resources.Resources.AlertsEmailSubscription).toBeUndefined();
    expect(resources.Resources.Imdsv2RequiredRemediation).toMatchObject({ Properties: { Automatic: false } });
    const { functions } = build({});
    expect(functions.scheduledReport).toMatchObject({ environment: { REPORT_NOTIFY: "on-change" } });
    expect(functions.eipAttached).toMatchObject({ environment: { ALERTS_MAX_ATTEMPTS: "5", ALERTS_TABLE: { Ref: "AlertsTable" } } });
  });

  test.each([
    [{ maximumExecutionFrequency: "Two_Hours" }, /deploy\/params\/x\.json: field maximumExecutionFrequency: /],
    [{ alert: {} }, /deploy\/params\/x\.json: unknown key\(s\) alert/],
    [{ alerts: { email: "not-an-address" } }, /field alerts\.email/],
    [{ reports: { expirationDays: 0 } }, /field reports\.expirationDays/],
    [{ organization: { enabled: true, organizationId: "o-a1b2c3d4e5", excludedAccounts: ["123"] } }, /field organization\.excludedAccounts\.0: expected a 12-digit AWS account id/],
    [{ organization: { enabled: true } }, /field organization\.organizationId: required in organization mode/],
    [{ organization: { enabled: true, organizationId: "o-short" } }, /field organization\.organizationId: expected an AWS Organizations id/],
    [{ organization: { enabled: true, organizationId: "r-a1b2c3d4e5" } }, /field organization\.organizationId/],
    [{ reports: { notify: "daily" } }, /field reports\.notify/],
    [{ alerts: { maxAttempts: 0 } }, /field alerts\.maxAttempts/],
  ])("%j is refused with the file and field named", (raw, message) => {
    expect(() => build(raw)).toThrow(message);
  });

  test("an unknown rule is refused", () => {
    expect(() => build({ rules: { "eip-attachd": {} } })).toThrow(/deploy\/params\/x\.json: field rules\.eip-attachd: no such rule/);
  });

  test("a rule parameter its schema refuses is refused at package time", () => {
    expect(() => build({ rules: { "placement-group-limits": { parameters: { maxPartitions: 500 } } } })).toThrow(
      /field rules\.placement-group-limits\.parameters\.maxPartitions/,
    );
    expect(() => build({ rules: { "eip-attached": { parameters: { requireInUseENI: true } } } })).toThrow(/requireInUseENI/);
  });

  test("remediation settings are validated; none but manual in organization mode", () => {
    expect(() => build({ remediation: { "placement-group-limits": { mode: "automatic" } } })).toThrow(/no automatic fix exists/);
    expect(() => build({ remediation: { "imdsv2-required": { mode: "sometimes" } } })).toThrow(/imdsv2-required\.mode/);
    expect(() => build({ organization: { enabled: true, organizationId: "o-a1b2c3d4e5" }, remediation: { "imdsv2-required": { mode: "automatic" } } })).toThrow(
      /field remediation\.imdsv2-required\.mode: remediation is per account/,
    );
  });

  test("a stage name too long for IAM role names is refused", () => {
    expect(() => buildStack({ stage: "a-very-long-stage-name-here", settings: parseStageSettings({}, FILE), settingsFile: FILE, root: ROOT })).toThrow(
      /longer than 64 characters/,
    );
  });
});

describe("osls package with a bad parameters file", () => {
  test("fails with the file and field named, and writes no template", async () => {
    const run = await runPackage("bad", path.join("test", "deploy", "fixtures", "bad-parameter.json"));
    try {
      expect(run.code).not.toBe(0);
      expect(run.output).toMatch(/test\/deploy\/fixtures\/bad-parameter\.json: field rules\.ec2-no-public-ip\.parameters\.ignoreStopped/);
      expect(() => readTemplate(run)).toThrow(/osls package failed/);
    } finally {
      removeRun(run);
    }
  }, 120_000);
});
