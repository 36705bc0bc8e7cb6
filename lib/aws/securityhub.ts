import { type AwsSecurityFinding, BatchImportFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import type { AwsClients } from "./clients";

/** BatchImportFindings takes at most 100 findings per request. */
export const MAX_FINDINGS_PER_IMPORT = 100;

/** Splits findings into BatchImportFindings requests of at most 100. */
export function importBatches<T>(findings: readonly T[], size = MAX_FINDINGS_PER_IMPORT): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < findings.length; start += size) batches.push(findings.slice(start, start + size));
  return batches;
}

export const securityHubClient = (aws: AwsClients): SecurityHubClient => aws.make(SecurityHubClient, "securityhub");

export interface ImportResult {
  imported: number;
  /** Findings Security Hub refused, with its error code and message. */
  failed: { Id?: string; ErrorCode?: string; ErrorMessage?: string }[];
  calls: number;
}

export type FindingImporter = (findings: readonly AwsSecurityFinding[]) => Promise<ImportResult>;

/** Imports findings in BatchImportFindings requests of at most 100; refused findings are returned, not dropped. */
export const findingImporter =
  (aws: AwsClients): FindingImporter =>
  async (findings) => {
    const client = securityHubClient(aws);
    const result: ImportResult = { imported: 0, failed: [], calls: 0 };
    for (const batch of importBatches(findings)) {
      const response = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
      result.calls += 1;
      result.imported += response.SuccessCount ?? 0;
      result.failed.push(...(response.FailedFindings ?? []));
    }
    return result;
  };
