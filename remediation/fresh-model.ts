import type { EC2Client } from "@aws-sdk/client-ec2";
import { collectQuery, collectRelated } from "../lib/collect/ec2-collector";
import type { AnyRule } from "../lib/engine/rule";
import { idFilterOf, kindOfConfigType } from "../lib/model/kinds";
import { ModelBuilder, type ResourceModel } from "../lib/model/resource-model";
import type { ResourceKind } from "../lib/model/types";
import type { PlannedAction, RemediationAction } from "./types";

/**
 * Reads, live and by filter, one resource and everything its rule needs to judge it, into a new
 * model: the state a fix is re-checked against and re-evaluated on. A resource that no longer
 * exists is simply absent (id filters return an empty list, not an error).
 */
export async function collectAround(
  ec2: EC2Client,
  rule: AnyRule,
  action: RemediationAction,
  target: Pick<PlannedAction, "resourceType" | "resourceId" | "region" | "accountId">,
): Promise<ResourceModel> {
  const kind = kindOfConfigType(target.resourceType);
  const filter = kind && idFilterOf(kind, target.resourceId);
  if (!kind || !filter) throw new Error(`${rule.meta.id}: cannot re-read ${target.resourceType} ${target.resourceId} live`);
  const scope = { region: target.region, accountId: target.accountId };
  const builder = new ModelBuilder();
  const options = { ec2, scope, builder };
  const [subject] = await collectQuery(kind, { filters: [filter] }, options);
  const kinds = new Set<ResourceKind>([...rule.meta.requires, ...(rule.meta.optional ?? [])]);
  if (subject) {
    await collectRelated(kinds, subject, options);
    const probe = builder.build();
    for (const query of action.extraQueries?.(target.resourceId, probe, scope) ?? []) {
      await collectQuery(query.kind, { filters: query.filters }, options);
    }
  }
  for (const collected of kinds) builder.markCollected(scope, collected);
  builder.markCollected(scope, kind);
  return builder.build();
}
