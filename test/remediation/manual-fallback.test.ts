import { defineRule, verdict } from "../../lib/engine/rule";
import * as z from "../../lib/zod";
import { planRemediation, remediationFor } from "../../remediation";
import { modelFromEc2, TEST_ACCOUNT } from "../support/rule-tester";

// A rule with no remediation module (as `npm run new-rule` makes one) plans manual steps from its metadata.
const rule = defineRule({
  meta: {
    id: "no-remediation-module",
    description: "Every instance is non-compliant, for this test.",
    failsWhen: "always",
    resourceTypes: ["AWS::EC2::Instance"],
    triggers: ["periodic"],
    severity: "low",
    controls: [],
    requires: ["instance"],
    parameters: z.strictObject({}),
    remediation: { summary: "Ask the instance's owner to fix it." },
  },
  evaluate: ({ model }) =>
    [...model.all("instance")].map((instance) => verdict("no-remediation-module", instance, "NON_COMPLIANT", "always")),
});

const model = modelFromEc2({
  responses: {
    DescribeInstances: {
      Reservations: [{ OwnerId: TEST_ACCOUNT, Instances: [{ InstanceId: "i-0000000000000000a", State: { Code: 16, Name: "running" } }] }],
    },
  },
});

it("a rule without a remediation module gets manual steps from meta.remediation.summary, never calls", () => {
  expect(remediationFor(rule).automatic).toBe(false);
  const plan = planRemediation({ rule, model });
  expect(plan.actions).toEqual([
    expect.objectContaining({
      resourceId: "i-0000000000000000a",
      status: "manual",
      calls: [],
      manualSteps: ["Finding: always", "Ask the instance's owner to fix it."],
    }),
  ]);
});
