import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { runCli } from "../support/cli";

/**
 * The compatibility corpus: every entry of manifest.json (real AWS outputs, with provenance) runs
 * through the built CLI (`npm run build` first) as a user would run it, and must be accepted:
 * exit 0 or 1, never 2, no stack trace, and the verdicts that follow from its data.
 *
 * An entry with `refused` pairs real outputs that must not be judged together: it must exit 2 with
 * that message, still without a stack trace.
 */

const corpus = __dirname;

interface ExpectedVerdict {
  ruleId: string;
  resourceId: string;
  complianceType: string;
  /** A substring the annotation must contain. */
  annotation?: string;
}

interface Entry {
  name: string;
  kind: "describe-folder" | "config-file" | "recorded-snapshot" | "config-api-output" | "configuration-recorders";
  /** Inputs given to --snapshot, relative to test/corpus. */
  paths?: string[];
  /** Files copied into one fresh folder that is given to --snapshot (a describe folder of just these). */
  folderOf?: string[];
  args?: string[];
  /** A substring of the one-line error: this pairing of inputs is refused. */
  refused?: string;
  provenance: { url: string; licence: string; notes: string; also?: string | string[] };
  expected: ExpectedVerdict[];
}

interface Row {
  ruleId: string;
  resourceId: string;
  complianceType: string;
  annotation: string;
}

const manifest = JSON.parse(readFileSync(join(corpus, "manifest.json"), "utf8")) as { entries: Entry[] };

const cli = runCli;

function snapshotPaths(entry: Entry): string[] {
  if (entry.folderOf) {
    const folder = mkdtempSync(join(tmpdir(), "corpus-"));
    for (const file of entry.folderOf) copyFileSync(join(corpus, file), join(folder, basename(file)));
    return [folder];
  }
  return (entry.paths ?? []).map((path) => join(corpus, path));
}

/** Every corpus file, relative to test/corpus, except the harness itself. */
function corpusFiles(folder = corpus): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return corpusFiles(path);
    return [relative(corpus, path)];
  });
}

const HARNESS = new Set(["manifest.json", "corpus.test.ts", "record-moto.mjs"]);

describe("compatibility corpus manifest", () => {
  it("holds at least 30 entries, each with provenance, naming only files that exist", () => {
    expect(manifest.entries.length).toBeGreaterThanOrEqual(30);
    for (const entry of manifest.entries) {
      expect(entry.provenance.url).toMatch(/\S/);
      expect(entry.provenance.licence).toMatch(/\S/);
      expect(entry.provenance.notes).toMatch(/\S/);
      const inputs = [...(entry.paths ?? []), ...(entry.folderOf ?? [])];
      expect(inputs.length).toBeGreaterThan(0);
      for (const input of inputs) expect(existsSync(join(corpus, input))).toBe(true);
    }
  });

  it("lists every file of the corpus under some entry, so none goes untested", () => {
    const listed = manifest.entries.flatMap((entry) => [...(entry.paths ?? []), ...(entry.folderOf ?? [])]);
    const covered = (file: string) => listed.some((input) => file === input || file.startsWith(`${input}/`));
    expect(corpusFiles().filter((file) => !HARNESS.has(file) && !covered(file))).toEqual([]);
  });
});

describe("compatibility corpus through `evaluate`", () => {
  for (const entry of manifest.entries) {
    it(entry.name, () => {
      const args = ["evaluate", "--format", "json", ...(entry.args ?? []), "--snapshot", ...snapshotPaths(entry)];
      const { code, stdout, stderr } = cli(args);
      if (entry.refused !== undefined) {
        expect({ code, stderr: stderr.includes(entry.refused) }).toEqual({ code: 2, stderr: true });
        expect(stderr.trim().split("\n")).toHaveLength(1);
        return;
      }
      // Accepted: 0 or 1 as the verdicts say, never the input-error exit 2, never a stack trace.
      if (code !== 0 && code !== 1) throw new Error(`refused (exit ${code}): ${stderr}`);
      expect(stderr).not.toMatch(/^\s+at .+[:(]\d+:\d+\)?$/m);
      const rows = JSON.parse(stdout) as Row[];
      // Only --allow-empty lets an input yield no evaluation at all.
      if (!entry.args?.includes("--allow-empty")) expect(rows.length).toBeGreaterThan(0);
      expect(code).toBe(rows.some((row) => row.complianceType === "NON_COMPLIANT") ? 1 : 0);
      for (const want of entry.expected) {
        const got = rows.find((row) => row.ruleId === want.ruleId && row.resourceId === want.resourceId);
        expect({ ...want, found: got !== undefined }).toEqual({ ...want, found: true });
        expect(got?.complianceType).toBe(want.complianceType);
        if (want.annotation !== undefined) expect(got?.annotation).toContain(want.annotation);
      }
    });
  }
});
