import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { AwsClients } from "../../lib/aws/clients";
import { runRecord } from "../../lib/cli/commands/record";
import { recordAccount } from "../../lib/record/record";
import { snapshotChunks } from "../../lib/record/write-snapshot";
import { loadSnapshots } from "../../lib/sources/load";
import { STAND_IN_ACCOUNT, STAND_IN_INSTANCE_TYPES, type StandInOptions, standInCounts, startEc2StandIn } from "../../scripts/ec2-stand-in";

// `record` against a local EC2 stand-in (started here on 127.0.0.1) serving many max-size pages:
// the file written as the pages arrive must hold what the in-memory recording holds.
const REGIONS = ["eu-west-1", "us-east-1", "ap-south-1"];
const RESOURCES = 4_000;
const tool = { name: "ec2-config-rules", version: "0.0.0-test" };
const now = () => new Date("2026-12-01T00:00:00.000Z");
const tmp = mkdtempSync(join(tmpdir(), "stream-record-"));
const saved = { ...process.env };

async function withStandIn<T>(options: StandInOptions, work: () => Promise<T>): Promise<T> {
  const standIn = await startEc2StandIn(options);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EC2: standIn.url,
    AWS_ENDPOINT_URL_STS: standIn.url,
    AWS_ACCESS_KEY_ID: "AKIASTANDIN",
    AWS_SECRET_ACCESS_KEY: "stand-in",
    AWS_REGION: "eu-west-1",
    AWS_MAX_ATTEMPTS: "1",
  });
  try {
    return await work();
  } finally {
    await standIn.close();
  }
}

afterAll(() => {
  process.env = saved;
});

const quiet = { now, onProgress: () => {} };

describe("record streamed to the file", () => {
  test("the snapshot of a many-page account parses to the in-memory recording; each list is whole", async () => {
    const output = join(tmp, "streamed.json.gz");
    const { written, inMemory } = await withStandIn({ resources: RESOURCES }, async () => {
      const written = await runRecord({ regions: REGIONS.join(","), output, concurrency: "3" }, tool, quiet);
      const inMemory = await recordAccount(
        { clientsFor: (region) => new AwsClients({ region }), regions: REGIONS, concurrency: 3, tool, now },
        "eu-west-1",
      );
      return { written, inMemory };
    });
    expect(written).toEqual({ accountId: STAND_IN_ACCOUNT, capturedAt: now().toISOString(), regions: REGIONS, failures: [], output });
    const text = gunzipSync(readFileSync(output)).toString("utf8");
    const parsed = JSON.parse(text);
    expect(parsed).toEqual(JSON.parse(JSON.stringify(inMemory)));
    expect(JSON.parse([...snapshotChunks(inMemory)].join(""))).toEqual(parsed);
    const counts = standInCounts(RESOURCES);
    for (const region of REGIONS) {
      const responses = parsed.regions[region];
      expect(responses.DescribeInstances.Reservations).toHaveLength(counts.DescribeInstances);
      expect(responses.DescribeNetworkInterfaces.NetworkInterfaces).toHaveLength(counts.DescribeNetworkInterfaces);
      expect(
        new Set(
          responses.DescribeNetworkInterfaces.NetworkInterfaces.map((item: { NetworkInterfaceId: string }) => item.NetworkInterfaceId),
        ).size,
      ).toBe(counts.DescribeNetworkInterfaces);
      expect(responses.DescribeInstanceTypes.InstanceTypes.map((type: { InstanceType: string }) => type.InstanceType)).toEqual(
        [...STAND_IN_INSTANCE_TYPES].sort(),
      );
      expect(responses.DescribeRouteTables).toEqual({ RouteTables: [] });
    }
    // One item per line, as the in-memory writer lays it out.
    expect(text.split("\n").length).toBe([...snapshotChunks(inMemory)].join("").split("\n").length);
    const { model } = await loadSnapshots([output]);
    // The stand-in gives every region the same instance ids.
    expect(model.count("instance")).toBeGreaterThanOrEqual(counts.DescribeInstances);
    for (const region of REGIONS) expect(model.hasCollected({ region, accountId: STAND_IN_ACCOUNT }, "instance")).toBe(true);
    expect(readdirSync(tmp).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  }, 60_000);

  test("a call failing mid-way: nothing written and no temp file left, unless --allow-partial", async () => {
    const strict = join(tmp, "strict.json.gz");
    const partial = join(tmp, "partial.json");
    const failAt = { operation: "DescribeNetworkInterfaces", page: 1 };
    const [refused, kept] = await withStandIn({ resources: RESOURCES, failAt }, async () => [
      await runRecord({ regions: "eu-west-1,us-east-1", output: strict, concurrency: "2" }, tool, quiet),
      await runRecord({ regions: "eu-west-1,us-east-1", output: partial, allowPartial: true, concurrency: "2" }, tool, quiet),
    ]);
    expect(refused?.output).toBeUndefined();
    expect(refused?.failures.map((failure) => `${failure.region} ${failure.operation}`)).toEqual([
      "eu-west-1 DescribeNetworkInterfaces",
      "us-east-1 DescribeNetworkInterfaces",
    ]);
    expect(refused?.failures[0]?.error).toContain("UnauthorizedOperation");
    expect(existsSync(strict)).toBe(false);
    expect(readdirSync(tmp).filter((name) => name.endsWith(".tmp"))).toEqual([]);

    expect(kept?.output).toBe(partial);
    const parsed = JSON.parse(readFileSync(partial, "utf8"));
    expect(parsed.failures).toHaveLength(2);
    expect(parsed.regions["eu-west-1"].DescribeInstances.Reservations).toHaveLength(standInCounts(RESOURCES).DescribeInstances);
    const { model } = await loadSnapshots([partial]);
    expect(model.hasCollected({ region: "eu-west-1", accountId: STAND_IN_ACCOUNT }, "network-interface")).toBe(false);
    expect(model.gapReason({ region: "eu-west-1", accountId: STAND_IN_ACCOUNT }, "network-interface")).toContain("UnauthorizedOperation");
    expect(model.hasCollected({ region: "eu-west-1", accountId: STAND_IN_ACCOUNT }, "instance")).toBe(true);
  }, 60_000);

  test("DescribeInstances failing: the instance types are a gap too, and the region stays in the snapshot", async () => {
    const output = join(tmp, "no-instances.json");
    const result = await withStandIn({ resources: 100, failAt: { operation: "DescribeInstances", page: 0 } }, () =>
      runRecord({ regions: "eu-west-1", output, allowPartial: true, concurrency: "1" }, tool, quiet),
    );
    expect(result.failures.map((failure) => failure.operation)).toEqual(["DescribeInstanceTypes", "DescribeInstances"]);
    const parsed = JSON.parse(readFileSync(output, "utf8"));
    expect(Object.keys(parsed.regions)).toEqual(["eu-west-1"]);
    expect(parsed.regions["eu-west-1"].DescribeInstances).toBeUndefined();
    expect(parsed.regions["eu-west-1"].DescribeSubnets.Subnets).toHaveLength(standInCounts(100).DescribeSubnets);
  }, 60_000);
});
