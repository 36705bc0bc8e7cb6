import { fsbpControl, nistControls, SECURITY_HUB_EC2_CONTROLS } from "../lib/engine/controls";
import { booleanParam, defineRule, type Evaluation, optionalIntegerParam, sharedTexts, verdict } from "../lib/engine/rule";
import type { Instance } from "../lib/model/types";
import * as z from "../lib/zod";

const RULE_ID = "imdsv2-required";

/**
 * Only a terminated instance is gone (AWS Config records it as deleted). A shutting-down one is
 * still a recorded, running resource whose metadata options can be read, so it is judged, as
 * AWS's ec2-imdsv2-check judges every recorded instance on HttpTokens alone.
 */
const GONE_STATES: ReadonlySet<string> = new Set(["terminated"]);

const parameters = z.strictObject({
  /** An instance whose metadata endpoint is off cannot be queried with IMDSv1 either. AWS still fails it. */
  allowDisabledEndpoint: booleanParam(false),
  /** A hop limit above this lets containers on the host reach the instance's credentials. */
  maxHopLimit: optionalIntegerParam(1, 64),
});

type Params = z.output<typeof parameters>;

function judge(instance: Instance, params: Params, shared: (text: string) => string): Evaluation {
  // A fleet's instances share a few settings, so their texts are shared too.
  const rule = (complianceType: Evaluation["complianceType"], annotation: string) =>
    verdict(RULE_ID, instance, complianceType, shared(annotation));

  const state = instance.state.toLowerCase();
  if (GONE_STATES.has(state)) return rule("NOT_APPLICABLE", `Instance is ${state}`);

  const options = instance.metadataOptions;
  const tokens = options?.httpTokens?.toLowerCase();
  const endpoint = options?.httpEndpoint?.toLowerCase();
  // Fail closed: without recorded options nothing shows that IMDSv1 is off, and AWS's launch
  // default (before account-level defaults) is HttpTokens optional.
  if (tokens === undefined) {
    return rule("NON_COMPLIANT", "No instance metadata options recorded (HttpTokens unknown), so IMDSv1 cannot be ruled out");
  }
  if (endpoint === "disabled" && params.allowDisabledEndpoint) {
    return rule("COMPLIANT", `Instance metadata endpoint is disabled (HttpTokens ${tokens}), so IMDSv1 is unreachable`);
  }

  const problems: string[] = [];
  if (tokens !== "required") problems.push(`HttpTokens is ${tokens} (IMDSv1 allowed), not required`);
  const hopLimit = options?.hopLimit;
  if (params.maxHopLimit !== undefined && hopLimit !== undefined && hopLimit > params.maxHopLimit) {
    problems.push(`HttpPutResponseHopLimit ${hopLimit} exceeds maxHopLimit ${params.maxHopLimit}`);
  }
  const endpointNote = endpoint === "disabled" ? "; metadata endpoint disabled" : "";
  if (problems.length > 0) return rule("NON_COMPLIANT", `${problems.join("; ")}${endpointNote}`);

  // A just-fixed instance shows state pending until the change applies; it is already enforced.
  const pending = options?.state?.toLowerCase() === "pending" ? " (change pending)" : "";
  const hop = hopLimit !== undefined ? `, hop limit ${hopLimit}` : "";
  return rule("COMPLIANT", `HttpTokens is required (IMDSv2 only)${pending}${hop}${endpointNote}`);
}

export default defineRule({
  meta: {
    id: RULE_ID,
    description:
      "EC2 instances must require IMDSv2 session tokens (HttpTokens required), optionally with a maximum PUT response hop limit.",
    failsWhen: "`HttpTokens` is `optional`",
    resourceTypes: ["AWS::EC2::Instance"],
    triggers: ["change", "periodic"],
    severity: "high",
    // Security Hub EC2.8 runs the managed rule ec2-imdsv2-check; its related requirements are AWS's mapping.
    controls: [
      fsbpControl("EC2.8", "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)"),
      {
        framework: "cis-aws",
        version: "3.0.0",
        control: "5.6",
        title: "Ensure that EC2 Metadata Service only allows IMDSv2",
        source: `${SECURITY_HUB_EC2_CONTROLS}#ec2-8`,
      },
      {
        framework: "cis-aws",
        version: "5.0.0",
        control: "5.7",
        title: "Ensure that EC2 Metadata Service only allows IMDSv2",
        source: `${SECURITY_HUB_EC2_CONTROLS}#ec2-8`,
      },
      ...nistControls(["AC-3", "AC-3(15)", "AC-3(7)", "AC-6"], "EC2.8"),
      {
        framework: "pci-dss",
        version: "4.0.1",
        control: "2.2.6",
        title: "System security parameters are configured to prevent misuse",
        source: `${SECURITY_HUB_EC2_CONTROLS}#ec2-8`,
      },
    ],
    requires: ["instance"],
    parameters,
    remediation: {
      summary: "Set HttpTokens to required with ModifyInstanceMetadataOptions (runbook AWSConfigRemediation-EnforceEC2InstanceIMDSv2).",
    },
    managedRule: "ec2-imdsv2-check",
  },
  evaluate({ model, params }) {
    const evaluations: Evaluation[] = [];
    const shared = sharedTexts();
    for (const instance of model.all("instance")) evaluations.push(judge(instance, params, shared));
    return evaluations;
  },
});
