import { createRequire } from "node:module";

/**
 * The AWS CLI names of EC2's Describe* operations (`describe-nat-gateways`), so that a describe
 * folder can tell a real command's output that no rule reads from a misspelt name.
 *
 * The list is the SDK's own: the `Describe…Command` exports of @aws-sdk/client-ec2, so a new EC2
 * operation needs no change here. Listing the exports needs the whole client module, so it is
 * loaded on demand (only for a file that no rule reads), and only the offline CLI imports this
 * file (never a rule's Lambda bundle).
 */

/** `DescribeVpcEndpoints` → `describe-vpc-endpoints` (digits stay attached: `describe-ipv6-pools`). */
export const cliCommandOf = (operation: string): string =>
  operation.replace(/[A-Z]/g, (letter, at: number) => `${at ? "-" : ""}${letter.toLowerCase()}`);

let describeCommands: ReadonlySet<string> | undefined;

export function ec2DescribeCommands(): ReadonlySet<string> {
  // Required at run time from node_modules rather than bundled: the CLI bundle keeps only the
  // commands it sends, and listing every export would pull the whole client into it.
  describeCommands ??= new Set(
    Object.keys(createRequire(__filename)("@aws-sdk/client-ec2") as Record<string, unknown>)
      .filter((name) => /^Describe[A-Z0-9]\w*Command$/.test(name))
      .map((name) => cliCommandOf(name.slice(0, -"Command".length))),
  );
  return describeCommands;
}

/** Levenshtein distance, two rows at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The candidate nearest to `name`, when it is near enough to be a likely typo (a third of its length). */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
