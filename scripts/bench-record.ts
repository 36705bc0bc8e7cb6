import { fork } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsClients } from "../lib/aws/clients";
import { ec2Client } from "../lib/aws/ec2";
import { runRecord } from "../lib/cli/commands/record";
import { pagesOf } from "../lib/collect/ec2-collector";
import { EC2_OPERATION_NAMES } from "../lib/model/kinds";
import { STAND_IN_INSTANCE_TYPES, startEc2StandIn } from "./ec2-stand-in";

// npm run bench:record -- --resources 1000000 [--json]
// `record` of a synthetic account served by a local EC2 stand-in (a child process on 127.0.0.1,
// max-size pages with NextToken), against the time of fetching the same pages and discarding them.
const args = process.argv.slice(2);
const flag = (name: string) => args.indexOf(name);
const optionValue = (name: string, fallback: string) => (flag(name) >= 0 ? (args[flag(name) + 1] ?? fallback) : fallback);
const REGION = "eu-west-1";

async function serve(resources: number): Promise<void> {
  const standIn = await startEc2StandIn({ resources });
  process.send?.(standIn.url);
}

/** Every page of every operation recorded, fetched the way record fetches them, then dropped. */
async function fetchOnly(): Promise<number> {
  let items = 0;
  const clients = new AwsClients({ region: REGION });
  await Promise.all(
    EC2_OPERATION_NAMES.map(async (operation) => {
      const ec2 = ec2Client(clients);
      try {
        const query = operation === "DescribeInstanceTypes" ? { instanceTypes: [...STAND_IN_INSTANCE_TYPES].sort() } : {};
        for await (const page of pagesOf(ec2, operation, query))
          items += Object.values(page as object)
            .filter(Array.isArray)
            .reduce((sum, list) => sum + list.length, 0);
      } finally {
        ec2.destroy();
      }
    }),
  );
  return items;
}

async function main(): Promise<void> {
  if (flag("--serve") >= 0) return serve(Number(optionValue("--serve", "0")));
  const resources = Number(optionValue("--resources", "100000"));
  const child = fork(process.argv[1] as string, ["--serve", String(resources)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const url = await new Promise<string>((resolve) => child.once("message", (message) => resolve(String(message))));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EC2: url,
    AWS_ENDPOINT_URL_STS: url,
    AWS_ACCESS_KEY_ID: "AKIASTANDIN",
    AWS_SECRET_ACCESS_KEY: "stand-in",
    AWS_REGION: REGION,
  });
  const dir = mkdtempSync(join(tmpdir(), "bench-record-"));
  const output = join(dir, "snapshot.json.gz");
  try {
    let started = performance.now();
    const fetched = await fetchOnly();
    const serveMs = performance.now() - started;
    const rssBefore = process.resourceUsage().maxRSS;
    started = performance.now();
    const recorded = await runRecord(
      { regions: REGION, output, concurrency: "4" },
      { name: "ec2-config-rules", version: "bench" },
      { onProgress: () => {} },
    );
    const recordMs = performance.now() - started;
    if (recorded.failures.length > 0 || !recorded.output) throw new Error(`record failed: ${JSON.stringify(recorded.failures)}`);
    const figures = {
      resources,
      itemsFetched: fetched,
      serveAloneMs: Math.round(serveMs),
      recordMs: Math.round(recordMs),
      recordOverServe: Number((recordMs / serveMs).toFixed(3)),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      peakRssBeforeRecordMb: Math.round(rssBefore / 1024),
      snapshotGzMb: Number((statSync(output).size / 1024 / 1024).toFixed(1)),
      targets: { peakRssMb: 300, recordOverServe: 1.2 },
    };
    if (flag("--json") >= 0) process.stdout.write(`${JSON.stringify(figures)}\n`);
    else {
      process.stdout.write(
        `record of ${resources} resources: ${figures.recordMs} ms; serving the same pages alone ${figures.serveAloneMs} ms (ratio ${figures.recordOverServe}, target <= 1.2)\n` +
          `peak RSS ${figures.peakRssMb} MB (target <= 300; ${figures.peakRssBeforeRecordMb} MB before record), snapshot ${figures.snapshotGzMb} MB gzipped\n`,
      );
    }
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench-record: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
