import { ConfigServiceClient, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { parseConfigEvent, splitParameters } from "../../lib/config/event";
import { putEvaluations, toConfigEvaluation } from "../../lib/config/put-evaluations";
import type { Evaluation } from "../../lib/engine/rule";
import { InputError } from "../../lib/errors";
import { change, configItem, instance, reservation, scheduled } from "../lambda/fixtures";

const evaluation = (annotation: string, complianceType: Evaluation["complianceType"] = "NON_COMPLIANT"): Evaluation => ({
  ruleId: "r",
  resourceType: "AWS::EC2::Instance",
  resourceId: "i-1",
  region: "eu-west-1",
  accountId: "111122223333",
  complianceType,
  annotation,
});

describe("parseConfigEvent", () => {
  it("parses both JSON-string members of a change event", () => {
    const parsed = parseConfigEvent(
      change("imdsv2-required", configItem("DescribeInstances", reservation(instance("i-1"))), { ruleParameters: { maxHopLimit: "2" } }),
    );
    expect(parsed.invoking.messageType).toBe("ConfigurationItemChangeNotification");
    expect(parsed.parameters).toEqual({ maxHopLimit: "2" });
  });

  it("rejects a non-object event", () => {
    expect(() => parseConfigEvent("hello")).toThrow("invalid Config event: expected a JSON object");
  });

  it("names the field of a scheduled event without a notification time", () => {
    const event = scheduled("x");
    const invoking = JSON.parse(event.invokingEvent);
    delete invoking.notificationCreationTime;
    expect(() => parseConfigEvent({ ...event, invokingEvent: JSON.stringify(invoking) })).toThrow(
      /^field invokingEvent.notificationCreationTime: invalid Config event/,
    );
  });

  it("refuses ruleParameters that are not an object", () => {
    expect(() => parseConfigEvent({ ...scheduled("x"), ruleParameters: "[1]" })).toThrow(InputError);
  });
});

describe("splitParameters", () => {
  it("keeps the wrapper's parameters apart from the rule's", () => {
    expect(splitParameters({ AssumeRoleMode: "TRUE", ExemptionTagKey: "skip", requireInUseEni: true })).toEqual({
      handler: { assumeRole: true, executionRoleName: undefined, exemptionTagKey: "skip" },
      rule: { requireInUseEni: true },
    });
    expect(splitParameters({ ExecutionRoleName: "reader" }).handler.assumeRole).toBe(true);
    expect(splitParameters({}).handler.assumeRole).toBe(false);
  });

  it("names a bad wrapper parameter", () => {
    expect(() => splitParameters({ AssumeRoleMode: "sometimes" })).toThrow(
      /field ruleParameters.AssumeRoleMode: invalid parameter AssumeRoleMode = "sometimes"/,
    );
  });
});

describe("toConfigEvaluation", () => {
  const at = new Date("2026-11-22T09:00:00Z");

  it("cuts a long annotation to 256 characters with a visible marker", () => {
    const converted = toConfigEvaluation(evaluation("x".repeat(400)), at);
    expect(converted.Annotation).toHaveLength(256);
    expect(converted.Annotation?.endsWith("[truncated]")).toBe(true);
  });

  it("omits an empty annotation", () => {
    expect(toConfigEvaluation(evaluation(""), at)).not.toHaveProperty("Annotation");
  });

  it("never converts INSUFFICIENT_DATA", () => {
    expect(() => toConfigEvaluation(evaluation("no data", "INSUFFICIENT_DATA"), at)).toThrow(/refusing to post INSUFFICIENT_DATA/);
  });
});

describe("putEvaluations", () => {
  const config = mockClient(ConfigServiceClient);
  beforeEach(() => config.reset());

  it("makes no call for nothing to post", async () => {
    expect(await putEvaluations(new ConfigServiceClient({}), [], { resultToken: "t" })).toBe(0);
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it("sends ceil(n/100) requests with the same token", async () => {
    config.on(PutEvaluationsCommand).resolves({});
    const at = new Date();
    const many = Array.from({ length: 201 }, (_, index) => toConfigEvaluation({ ...evaluation("a"), resourceId: `i-${index}` }, at));
    expect(await putEvaluations(new ConfigServiceClient({}), many, { resultToken: "t" })).toBe(3);
    expect(
      config.commandCalls(PutEvaluationsCommand).map((call) => [call.args[0].input.Evaluations?.length, call.args[0].input.ResultToken]),
    ).toEqual([
      [100, "t"],
      [100, "t"],
      [1, "t"],
    ]);
  });
});
