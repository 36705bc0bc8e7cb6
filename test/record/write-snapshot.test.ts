import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { RecordedSnapshot } from "../../lib/record/record";
import { snapshotChunks, writeSnapshot } from "../../lib/record/write-snapshot";
import { loadSnapshots } from "../../lib/sources/load";

const snapshot: RecordedSnapshot = {
  schemaVersion: "1.0",
  accountId: "111122223333",
  capturedAt: "2026-11-23T12:00:00.000Z",
  tool: { name: "ec2-config-rules", version: "0.0.0-test" },
  regions: {
    "eu-west-1": {
      DescribeAddresses: {
        Addresses: [
          { AllocationId: "eipalloc-01", PublicIp: "203.0.113.1", Domain: "vpc" },
          { AllocationId: "eipalloc-02", PublicIp: "203.0.113.2", AssociationId: "eipassoc-02", Domain: "vpc" },
        ],
      },
      DescribeSecurityGroups: { SecurityGroups: [] },
    },
    "us-east-1": { DescribeAddresses: { Addresses: [] } },
  },
  failures: [{ region: "us-east-1", operation: "DescribeInstances", error: "UnauthorizedOperation: denied" }],
};

describe("writing a recorded snapshot", () => {
  test("the chunks are the snapshot as JSON, one item per line", () => {
    const text = [...snapshotChunks(snapshot)].join("");
    expect(JSON.parse(text)).toEqual(snapshot);
    expect(text).toContain('\n{"AllocationId":"eipalloc-02"');
  });

  test("a .json.gz file is gzipped, written atomically, and loads with its failures as gaps", async () => {
    const dir = mkdtempSync(join(tmpdir(), "write-snapshot-"));
    const path = join(dir, "account.json.gz");
    await writeSnapshot(path, snapshot);
    expect(JSON.parse(gunzipSync(readFileSync(path)).toString("utf8"))).toEqual(snapshot);
    expect(readdirSync(dir)).toEqual(["account.json.gz"]);
    const { model } = await loadSnapshots([path]);
    expect(model.count("eip")).toBe(2);
    expect(model.hasCollected({ region: "us-east-1", accountId: "111122223333" }, "instance")).toBe(false);
    expect(model.gapReason({ region: "us-east-1", accountId: "111122223333" }, "instance")).toContain("UnauthorizedOperation");
  });
});
