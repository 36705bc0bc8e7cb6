/**
 * The synthetic account (./account.ts) in one region, served page by page as EC2 pages it: each
 * request generates the records of its page and nothing else is held, so a benchmark's heap holds
 * only what the code under test keeps. A NextToken is `<vpc>.<offset>`: where the next page starts.
 */
import { KINDS } from "../../lib/model/kinds";
import type { ResourceKind } from "../../lib/model/types";
import { VpcPlan } from "./account";
import { type Layout, type Operation, PER_REGION, PER_VPC, planLayout, resourcesIn } from "./generate";

export interface PageRequest {
  NextToken?: string;
  /** Counted in resources (a reservation counts its instances), as EC2 counts it. */
  MaxResults?: number;
  InstanceTypes?: string[];
}

export interface Page {
  items: Record<string, unknown>[];
  NextToken?: string;
}

/** A result Config holds under a rule, as GetComplianceDetailsByConfigRule lists it. */
export interface HeldResult {
  resourceType: string;
  resourceId: string;
}

export class PagedAccount {
  readonly layout: Layout;

  constructor(
    readonly seed: number,
    resources: number,
  ) {
    this.layout = planLayout(seed, resources, 1);
  }

  private plan(vpc: number): VpcPlan {
    return new VpcPlan(this.seed, 0, vpc, vpc === this.layout.vpcs - 1 ? this.layout.paddingEnis : 0);
  }

  /** The records of one VPC (or, for a regional operation, of the region: one unit). */
  private unit(operation: Operation, unit: number, instanceTypes?: readonly string[]): Record<string, unknown>[] {
    const perVpc = PER_VPC[operation];
    if (perVpc) return [...perVpc(this.plan(unit))];
    const records = PER_REGION[operation]?.(0) ?? [];
    if (!instanceTypes) return records;
    const names = new Set(instanceTypes);
    return records.filter((record) => names.has(record.InstanceType as string));
  }

  private units(operation: Operation): number {
    return PER_VPC[operation] ? this.layout.vpcs : 1;
  }

  /** One page: as many whole records as fit in MaxResults resources (all of them without it). */
  page(operation: Operation, request: PageRequest): Page {
    const limit = request.MaxResults ?? Number.POSITIVE_INFINITY;
    let [unit, offset] = request.NextToken ? request.NextToken.split(".").map(Number) : [0, 0];
    if (!Number.isInteger(unit) || !Number.isInteger(offset)) throw new Error(`bad NextToken ${request.NextToken}`);
    const items: Record<string, unknown>[] = [];
    let size = 0;
    for (; (unit as number) < this.units(operation); unit = (unit as number) + 1, offset = 0) {
      const records = this.unit(operation, unit as number, request.InstanceTypes);
      for (; (offset as number) < records.length; offset = (offset as number) + 1) {
        const record = records[offset as number] as Record<string, unknown>;
        const weight = resourcesIn(operation, record);
        if (items.length > 0 && size + weight > limit) return { items, NextToken: `${unit}.${offset}` };
        items.push(record);
        size += weight;
      }
    }
    return { items };
  }

  /** Walks every page of an operation at a page size: its resources and the requests it takes. */
  count(operation: Operation, pageSize?: number): { resources: number; pages: number } {
    let resources = 0;
    let pages = 0;
    let NextToken: string | undefined;
    do {
      const page = this.page(operation, { NextToken, MaxResults: pageSize });
      for (const item of page.items) resources += resourcesIn(operation, item);
      pages++;
      NextToken = page.NextToken;
    } while (NextToken);
    return { resources, pages };
  }

  /**
   * One page of the results Config holds under a rule from its last run: every resource of the
   * rule's types that exists now, then one per VPC whose resource is gone since (the stale-result
   * cleanup resets those). The token is `<type index>:<page token>`.
   */
  heldResults(
    resourceTypes: readonly string[],
    request: { NextToken?: string; Limit: number },
  ): { results: HeldResult[]; NextToken?: string } {
    const [typeIndex = 0, inner] = request.NextToken ? [Number(request.NextToken.split(":")[0]), request.NextToken.split(":")[1]] : [];
    const kinds = resourceTypes.map(kindOfType);
    if (typeIndex < kinds.length) {
      const { configType, operation, idFields } = KINDS[kinds[typeIndex] as ResourceKind];
      const page = this.page(operation, { NextToken: inner, MaxResults: request.Limit });
      const records =
        operation === "DescribeInstances" ? page.items.flatMap((item) => item.Instances as Record<string, unknown>[]) : page.items;
      const results = records.map((record) => ({
        resourceType: configType,
        resourceId: String(idFields.map((field) => record[field]).find((value) => value !== undefined && value !== "")),
      }));
      return { results, NextToken: page.NextToken ? `${typeIndex}:${page.NextToken}` : `${typeIndex + 1}:` };
    }
    const { configType, idPrefix = "gone" } = KINDS[kinds[0] as ResourceKind];
    const deleted = this.layout.vpcs;
    const start = Number(inner);
    const end = Math.min(deleted, start + request.Limit);
    const results = Array.from({ length: end - start }, (_, n) => ({
      resourceType: configType,
      resourceId: `${idPrefix}-deleted${start + n}`,
    }));
    return { results, ...(end < deleted ? { NextToken: `${typeIndex}:${end}` } : {}) };
  }
}

function kindOfType(resourceType: string): ResourceKind {
  const kind = (Object.keys(KINDS) as ResourceKind[]).find((candidate) => KINDS[candidate].configType === resourceType);
  if (!kind) throw new Error(`no resource kind has the Config type ${resourceType}`);
  return kind;
}
