import { plannedAction, type RemediationAction } from "./types";

/**
 * Requires IMDSv2, passing the instance's current endpoint setting and hop limit so that nothing
 * else changes (lowering the hop limit only when maxHopLimit is what the rule failed on).
 */
const imdsv2Required: RemediationAction = {
  ruleId: "imdsv2-required",
  automatic: true,
  plan(evaluation, model, params) {
    const instance = model.get("instance", evaluation.resourceId, evaluation);
    const options = instance?.metadataOptions;
    if (!instance || !options?.httpTokens) {
      return plannedAction(evaluation, {
        status: "skip",
        why: `The current metadata options of ${evaluation.resourceId} are unknown, so a change could alter other settings`,
      });
    }
    const { maxHopLimit } = params;
    const hopLimit =
      options.hopLimit !== undefined && typeof maxHopLimit === "number" && options.hopLimit > maxHopLimit ? maxHopLimit : options.hopLimit;
    const parameters: Record<string, unknown> = { InstanceId: instance.id, HttpTokens: "required" };
    if (options.httpEndpoint) parameters.HttpEndpoint = options.httpEndpoint.toLowerCase();
    if (hopLimit !== undefined) parameters.HttpPutResponseHopLimit = hopLimit;
    const hopNote =
      hopLimit !== options.hopLimit
        ? `, hop limit ${options.hopLimit} lowered to ${hopLimit} (maxHopLimit)`
        : `, hop limit kept at ${hopLimit ?? "its default"}`;
    return plannedAction(evaluation, {
      status: "fix",
      calls: [{ operation: "ModifyInstanceMetadataOptions", parameters }],
      why: `HttpTokens ${options.httpTokens} → required on ${instance.id} (endpoint kept ${options.httpEndpoint ?? "as is"}${hopNote}). Software still using IMDSv1 will fail: check the MetadataNoToken CloudWatch metric first`,
    });
  },
};

export default imdsv2Required;
