import type { ScanItem } from "./findings";

/** Everything the scan writes is under this prefix of the scan bucket (deploy/scan.ts scopes IAM to it). */
export const SCANS_PREFIX = "scans/";
/** Written last by a merge that succeeded: the next scan's baseline. */
export const LATEST_KEY = `${SCANS_PREFIX}latest.json`;

export const scanKeys = (scanId: string) => {
  const base = `${SCANS_PREFIX}${scanId}/`;
  return {
    manifest: `${base}manifest.json`,
    resultsPrefix: `${base}map-results`,
    item: (item: ScanItem) => `${base}items/${item.accountId}/${item.region}.jsonl.gz`,
    report: `${base}report.json`,
    findings: `${base}findings.jsonl.gz`,
  };
};

