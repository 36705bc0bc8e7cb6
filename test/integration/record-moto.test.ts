import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { buildSampleEvent } from "../../lib/cli/commands/event";
import { main } from "../../lib/cli/main";
import type { Evaluation } from "../../lib/engine/rule";
import { runRules } from "../../lib/engine/run";
import { createRuleHandler } from "../../lib/lambda/handler";
import { localContext } from "../../lib/lambda/local-context";
import { loadSnapshots } from "../../lib/sources/load";
import { findRule, RULES } from "../../rules";
import { useMotoAccount } from "./moto-server";

// `record` against moto's server on 127.0.0.1 (started here), then `evaluate` on what it recorded
// must give the verdicts of the live periodic Lambda run on the same account.
const REGION = "eu-west-1";
const tmp = mkdtempSync(join(tmpdir(), "record-moto-"));
// moto answers DescribePlacementGroups with an error page; don't wait out ten backed-off retries.
const { motoIt } = useMotoAccount(REGION, { AWS_MAX_ATTEMPTS: "2" });

/** Runs the CLI in-process, returning its exit code and what it wrote to stderr. */
async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const error = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const previousExitCode = process.exitCode;
  try {
    return { code: await main(["node", "ec2-config-rules", ...args]), stderr };
  } finally {
    error.mockRestore();
    process.exitCode = previousExitCode;
  }
}

const comparable = (evaluations: readonly Evaluation[]) =>
  evaluations
    .map((evaluation) => `${evaluation.ruleId} ${evaluation.resourceId} ${evaluation.complianceType} ${evaluation.annotation}`)
    .sort();

describe("record against moto", () => {
  motoIt("a call that fails after retries: nothing written, exit 1, the failure named", async () => {
    const output = join(tmp, "strict.json.gz");
    const { code, stderr } = await cli("record", "--regions", REGION, "--output", output);
    expect(code).toBe(1);
    expect(stderr).toMatch(/eu-west-1 DescribePlacementGroups failed after retries/);
    expect(stderr).toContain("nothing written");
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(tmp).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  motoIt("--allow-partial writes the snapshot with the failure listed; evaluate gives the live periodic run's verdicts", async () => {
    const output = join(tmp, "partial.json.gz");
    const { code, stderr } = await cli("record", "--regions", REGION, "--output", output, "--allow-partial");
    expect(code).toBe(0);
    expect(stderr).toContain(`record: wrote ${output}`);
    // Plain log lines when stderr is not a terminal (two launches: two reservations).
    expect(stderr).toMatch(/record: eu-west-1 DescribeInstances: 2 item\(s\), 1 page\(s\)/);

    const snapshot = JSON.parse(gunzipSync(readFileSync(output)).toString("utf8"));
    expect(snapshot).toMatchObject({ schemaVersion: "1.0", accountId: "123456789012" });
    expect(snapshot.failures).toEqual([expect.objectContaining({ region: REGION, operation: "DescribePlacementGroups" })]);
    expect(snapshot.regions[REGION].DescribePlacementGroups).toBeUndefined();
    expect(snapshot.regions[REGION].DescribeInstanceTypes.InstanceTypes.map((type: { InstanceType: string }) => type.InstanceType)).toEqual(
      ["t3.micro"],
    );

    const { model } = await loadSnapshots([output]);
    const offline = runRules(model, { rules: RULES });
    // The placement-group rule cannot judge without the failed call: a gap, never COMPLIANT.
    expect(offline.filter((evaluation) => evaluation.ruleId === "placement-group-limits")).toEqual([
      expect.objectContaining({ complianceType: "INSUFFICIENT_DATA", annotation: expect.stringContaining("DescribePlacementGroups") }),
    ]);
    for (const rule of RULES.filter((candidate) => candidate.meta.id !== "placement-group-limits")) {
      const event = await buildSampleEvent(rule.meta.id, { type: "scheduled", region: REGION, resultToken: "TESTMODE", status: "OK" });
      const live = await createRuleHandler(findRule(rule.meta.id) ?? rule)(event, localContext(rule.meta.id));
      const recorded = offline.filter((evaluation) => evaluation.ruleId === rule.meta.id);
      expect(recorded.length).toBeGreaterThan(0);
      expect(comparable(recorded)).toEqual(comparable(live.evaluations));
    }
  });

  motoIt("refuses a bad region list before any call", async () => {
    const { code, stderr } = await cli("record", "--regions", "eu-west-1,mars", "--output", join(tmp, "x.json"));
    expect(code).toBe(2);
    expect(stderr).toMatch(/field --regions: not a region name: "mars"/);
  });
});
