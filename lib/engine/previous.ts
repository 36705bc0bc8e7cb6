/** A resource's result from the rule's earlier runs (in the Lambda, what AWS Config holds: lib/config/previous-results.ts). */
export interface PreviousResult {
  resourceType: string;
  resourceId: string;
  complianceType: string;
  /** When that result was recorded; drives the re-notify interval. */
  recordedAt?: Date;
}

/** Previous results keyed by {@link resourceKey}. */
export type PreviousResults = ReadonlyMap<string, PreviousResult>;

export const resourceKey = (resource: { resourceType: string; resourceId: string }): string =>
  `${resource.resourceType}|${resource.resourceId}`;
