import type { Context } from "aws-lambda";
import { createRuleHandler } from "../../lib/lambda/handler";
import { ruleFunctionSettings } from "../../lib/lambda/settings";
import eipAttached from "../../rules/eip-attached";
import imdsv2Required from "../../rules/imdsv2-required";

describe("the rule function's settings (one schema, lib/lambda/settings.ts)", () => {
  it("reads every variable, blank meaning unset", () => {
    const settings = ruleFunctionSettings(imdsv2Required, {
      AWS_REGION: "eu-west-1",
      ALERTS_TOPIC_ARN: " arn:aws:sns:eu-west-1:111122223333:alerts ",
      ALERTS_TABLE: "",
      ALERTS_RENOTIFY_MINUTES: "90",
      SECURITY_HUB_ENABLED: "true",
      REMEDIATION_MODE: "automatic",
      REMEDIATION_CAP: "5",
      REMEDIATION_ROLE_ARN: "arn:aws:iam::111122223333:role/Remediation",
    });
    expect(settings).toMatchObject({
      region: "eu-west-1",
      alerts: {
        topicArn: "arn:aws:sns:eu-west-1:111122223333:alerts",
        tableName: undefined,
        renotifyIntervalMs: 90 * 60_000,
        maxAttempts: 5,
      },
      securityHubEnabled: true,
      remediation: { settings: { mode: "automatic", cap: 5 }, assumeRoleArn: "arn:aws:iam::111122223333:role/Remediation" },
    });
    expect(ruleFunctionSettings(imdsv2Required, {})).toMatchObject({
      alerts: { renotifyIntervalMs: undefined },
      securityHubEnabled: false,
      remediation: undefined,
    });
    expect(ruleFunctionSettings(imdsv2Required, { ALERTS_RENOTIFY_MINUTES: "0" }).alerts.renotifyIntervalMs).toBeUndefined();
  });

  it("names the variable at fault and what it expected", () => {
    expect(() => ruleFunctionSettings(imdsv2Required, { ALERTS_RENOTIFY_MINUTES: "soon" })).toThrow(
      'field environment ALERTS_RENOTIFY_MINUTES: expected a number of minutes >= 0, got "soon"',
    );
    expect(() => ruleFunctionSettings(imdsv2Required, { ALERTS_MAX_ATTEMPTS: "0" })).toThrow(
      /environment ALERTS_MAX_ATTEMPTS: expected a whole number >= 1/,
    );
    expect(() => ruleFunctionSettings(eipAttached, { REMEDIATION_MODE: "automatic" })).toThrow(/REMEDIATION_\* environment.*allowRelease/);
  });

  it("is read once per cold start: the handler fails, naming the variable, and keeps what it read", async () => {
    const context = { functionName: "f", invokedFunctionArn: "arn:aws:lambda:eu-west-1:111122223333:function:f" } as Context;
    const env: NodeJS.ProcessEnv = { ALERTS_MAX_ATTEMPTS: "many" };
    const handler = createRuleHandler(imdsv2Required, { env, logger: silentLogger() });
    await expect(handler({}, context)).rejects.toThrow(/environment ALERTS_MAX_ATTEMPTS/);
    const read = jest.fn((): string | undefined => "3");
    const counted = new Proxy(
      { ...env },
      { get: (_target, key) => (key === "ALERTS_MAX_ATTEMPTS" ? read() : undefined) },
    ) as NodeJS.ProcessEnv;
    const once = createRuleHandler(imdsv2Required, { env: counted, logger: silentLogger() });
    // Bad events fail after the settings are read; the settings are not read again.
    await expect(once({}, context)).rejects.toThrow();
    await expect(once({}, context)).rejects.toThrow();
    expect(read).toHaveBeenCalledTimes(1);
  });
});

function silentLogger() {
  const { Logger } = jest.requireActual("@aws-lambda-powertools/logger");
  return new Logger({ serviceName: "test", logLevel: "SILENT" });
}
