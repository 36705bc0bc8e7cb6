import { writeFileSync } from "node:fs";
import { snapshotJsonSchema } from "../lib/sources/recorded-snapshot";

/**
 * Writes schema/snapshot.schema.json from the zod schema the loader validates with; a test checks
 * the committed file still matches. Run from the repository root:
 * `npx esbuild scripts/generate-schema.ts --bundle --platform=node --outfile=/tmp/generate-schema.js && node /tmp/generate-schema.js`.
 */
export function renderSnapshotSchema(): string {
  return `${JSON.stringify(snapshotJsonSchema(), null, 2)}\n`;
}

if (require.main === module) writeFileSync("schema/snapshot.schema.json", renderSnapshotSchema());
