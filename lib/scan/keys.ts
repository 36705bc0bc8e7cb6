import type { ScanItem } from "./findings";

/** Everything the scan writes is under this prefix of the scan bucket (deploy/scan.ts scopes IAM to it). */
export const SCANS_PREFIX = "scans/";
/** Written last by a merge that succeeded: the next scan's baseline. */
export const LATEST_KEY = `${SCANS_PREFIX}latest.json`;

/**
 * The Distributed Map's ResultWriter prefix, the same for every scan: a reference path there may be
 * read from the map's results rather than its input (moto does so), so the prefix is fixed and the
 * failure report picks its scan's entries by the scan id in each child execution's input.
 */
export const MAP_RESULTS_PREFIX = `${SCANS_PREFIX}map-results`;

export const scanKeys = (scanId: string) => {
  const base = `${SCANS_PREFIX}${scanId}/`;
  return {
    manifest: `${base}manifest.json`,
    item: (item: ScanItem) => `${base}items/${item.accountId}/${item.region}.jsonl.gz`,
    report: `${base}report.json`,
    findings: `${base}findings.jsonl.gz`,
  };
};
