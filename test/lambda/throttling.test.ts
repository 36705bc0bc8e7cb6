import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { createRuleHandler } from "../../lib/lambda/handler";
import { localContext } from "../../lib/lambda/local-context";
import imdsv2Required from "../../rules/imdsv2-required";
import { ec2Error, fakeEc2Transport, instance, reservation, scheduled } from "./fixtures";

// EC2 is not mocked with aws-sdk-client-mock here: that replaces `send` and so skips the SDK's
// retry middleware. fakeEc2Transport answers below it instead.
const config = mockClient(ConfigServiceClient);
const context = localContext("test-rule");
const posted = () => config.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);

/**
 * Runs a handler call on fake timers, advancing them until it settles: the SDK's backoff
 * (500 ms base for throttling, exponential) is honoured without the test waiting for it.
 */
async function withFakeTime<T>(run: () => Promise<T>): Promise<T> {
  jest.useFakeTimers();
  try {
    let settled = false;
    const promise = run().finally(() => {
      settled = true;
    });
    promise.catch(() => undefined);
    while (!settled) await jest.advanceTimersByTimeAsync(250);
    return await promise;
  } finally {
    jest.useRealTimers();
  }
}

beforeEach(() => {
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
});

describe("EC2 throttling through the SDK's real retry strategy", () => {
  it("retries RequestLimitExceeded and reaches the same verdicts as without throttling", async () => {
    const pages = [reservation(instance("i-a", { httpTokens: "optional" })), reservation(instance("i-b"))];
    let throttles = 2;
    const respond = (operation: string, input: Record<string, unknown>) => {
      if (operation !== "DescribeInstances") throw new Error(`unexpected ${operation}`);
      if (input.NextToken === "page-2" && throttles-- > 0) throw ec2Error("RequestLimitExceeded", 503);
      return input.NextToken ? { Reservations: [pages[1]] } : { Reservations: [pages[0]], NextToken: "page-2" };
    };
    const throttled = await withFakeTime(() =>
      createRuleHandler(imdsv2Required, { clients: fakeEc2Transport(respond) })(scheduled("imdsv2-required"), context),
    );
    expect(throttles).toBe(-1);
    const throttledVerdicts = posted();

    config.resetHistory();
    throttles = 0;
    const calm = await createRuleHandler(imdsv2Required, { clients: fakeEc2Transport(respond) })(scheduled("imdsv2-required"), context);
    expect(posted()).toEqual(throttledVerdicts);
    expect(throttled.evaluations).toEqual(calm.evaluations);
    expect(throttled.evaluations.map((e) => `${e.resourceId}:${e.complianceType}`)).toEqual(["i-a:NON_COMPLIANT", "i-b:COMPLIANT"]);
    // Retries are inside one operation call: two pages, two calls either way.
    expect(throttled.apiCalls["ec2:DescribeInstances"]).toBe(2);
  });

  it("fails with nothing posted when throttling outlasts the attempts", async () => {
    const previous = process.env.AWS_MAX_ATTEMPTS;
    process.env.AWS_MAX_ATTEMPTS = "2";
    let attempts = 0;
    try {
      const respond = () => {
        attempts++;
        throw ec2Error("RequestLimitExceeded", 503);
      };
      await expect(
        withFakeTime(() =>
          createRuleHandler(imdsv2Required, { clients: fakeEc2Transport(respond) })(scheduled("imdsv2-required"), context),
        ),
      ).rejects.toThrow(/ec2:DescribeInstances failed .* after retries: RequestLimitExceeded/);
    } finally {
      if (previous === undefined) delete process.env.AWS_MAX_ATTEMPTS;
      else process.env.AWS_MAX_ATTEMPTS = previous;
    }
    expect(attempts).toBe(2);
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });
});
