/**
 * Organization scan benchmark, by simulation (no AWS, no network):
 * 1. one item's record + evaluate (lib/scan/steps scanItem) against a local stand-in of one
 *    account-region (aws-sdk-client-mock serving one VPC of the bench account: ~40 instances,
 *    ~48 groups, ~130 ENIs, route tables, endpoints), optionally with a delay per API call;
 * 2. synthetic findings of N accounts × R regions written as the item files the Distributed Map
 *    writes (sorted, gzipped JSON lines), twice: a first scan, and a second one with ~10% flipped;
 * 3. the merge of each (lib/scan/merge, streamed from local files), each in a fresh child process
 *    so that its peak RSS is its own: the second merge diffs against the first's findings file;
 * 4. the projected wall time of a whole scan at MaxConcurrency 100 and 1,000.
 * Run: npm run bench:scan [-- --accounts 1000 --regions 17 --findings 250 --api-latency-ms 0 --json]
 */
import { execFileSync } from "node:child_process";
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribePlacementGroupsCommand,
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { AwsClients } from "../lib/aws/clients";
import { reportRuleOf } from "../lib/reports/model";
import { gunzipLines, gzipLineWriter, type ScanItem, sortedFindingLines } from "../lib/scan/findings";
import { mergeScan, type ScanReport } from "../lib/scan/merge";
import { scanSettings } from "../lib/scan/settings";
import { scanItem } from "../lib/scan/steps";
import { RULES } from "../rules";
import * as bench from "./bench/account";
import { hash32 } from "./bench/random";
import { syntheticEvaluations } from "./synthetic-findings";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** The 17 regions enabled by default in an AWS account. */
const ALL_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "sa-east-1",
];

const { values: options } = parseArgs({
  options: {
    accounts: { type: "string", default: "1000" },
    regions: { type: "string", default: "17" },
    findings: { type: "string", default: "250" },
    "api-latency-ms": { type: "string", default: "0" },
    "item-runs": { type: "string", default: "5" },
    json: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    // Internal: one merge in a child process.
    child: { type: "string" },
    dir: { type: "string" },
    previous: { type: "string" },
    out: { type: "string" },
  },
});

const positive = (name: keyof typeof options, max = Number.MAX_SAFE_INTEGER): number => {
  const value = Number(options[name]);
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new Error(`--${name}: expected an integer from 0 to ${max}, got ${options[name]}`);
  return value;
};

const accountIdOf = (index: number): string => String(100_000_000_000 + index * 7919).padStart(12, "0");

function itemsOf(accounts: number, regions: number): ScanItem[] {
  const names = ALL_REGIONS.slice(0, regions);
  const items: ScanItem[] = [];
  for (let index = 0; index < accounts; index++) for (const region of names) items.push({ accountId: accountIdOf(index), region });
  return items.sort((a, b) => (`${a.accountId}\u0000${a.region}` < `${b.accountId}\u0000${b.region}` ? -1 : 1));
}

const itemFile = (dir: string, item: ScanItem) => path.join(dir, item.accountId, `${item.region}.jsonl.gz`);

/** One scan's item files: each item's synthetic findings, sorted by key, gzipped JSON lines. */
function writeItems(dir: string, items: readonly ScanItem[], perItem: number, changed: boolean): number {
  let bytes = 0;
  for (const item of items) {
    const seed = hash32(Number(item.accountId.slice(-9)), ALL_REGIONS.indexOf(item.region));
    const evaluations = syntheticEvaluations(perItem, { seed, changed, accountId: item.accountId, regions: [item.region] });
    const body = gzipSync(`${sortedFindingLines(evaluations).join("\n")}\n`);
    mkdirSync(path.dirname(itemFile(dir, item)), { recursive: true });
    writeFileSync(itemFile(dir, item), body);
    bytes += body.length;
  }
  return bytes;
}

interface MergeFigures {
  ms: number;
  peakRssBytes: number;
  findings: number;
  reportBytes: number;
  findingsFileBytes: number;
  diff?: ScanReport["diff"] extends infer D ? (D extends { counts: infer C } ? C : never) : never;
}

/** The child: merges one scan's item files (and the previous findings file) exactly as the merge Lambda does, from local files. */
async function childMerge(): Promise<void> {
  const dir = options.dir as string;
  const out = options.out as string;
  const items = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as ScanItem[];
  const started = performance.now();
  const destination = createWriteStream(out);
  const finished = new Promise<void>((resolve, reject) => destination.on("finish", () => resolve()).on("error", reject));
  const report = await mergeScan({
    scanId: path.basename(dir),
    items,
    openItem: (item) => gunzipLines(createReadStream(itemFile(dir, item))),
    describeItem: (item) => itemFile(dir, item),
    previous: options.previous
      ? { generatedAt: "2026-12-01T05:00:00.000Z", lines: gunzipLines(createReadStream(options.previous)), where: options.previous }
      : undefined,
    rules: RULES.map(reportRuleOf),
    out: gzipLineWriter(destination, () => finished),
    findingsUri: out,
    generatedAt: new Date().toISOString(),
    tool: { name: "ec2-config-rules-bench", version: "0.1.0" },
  });
  const reportText = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(`${out}.report.json`, reportText);
  const figures: MergeFigures = {
    ms: performance.now() - started,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    findings: report.findings.count,
    reportBytes: Buffer.byteLength(reportText),
    findingsFileBytes: statSync(out).size,
    ...(report.diff ? { diff: report.diff.counts } : {}),
  };
  process.stdout.write(JSON.stringify(figures));
}

function runMerge(dir: string, out: string, previous?: string): MergeFigures {
  const args = [process.argv[1] as string, "--child", "merge", "--dir", dir, "--out", out, ...(previous ? ["--previous", previous] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 }));
}

/** One item (record + evaluate + write) against a stand-in of one account-region: the bench account's first VPC. */
async function measureItem(
  latencyMs: number,
  runs: number,
): Promise<{ medianMs: number; runsMs: number[]; findings: number; apiCalls: number }> {
  const plan = new bench.VpcPlan(7, 0, 0, 0);
  const lists: [unknown, string, unknown[]][] = [
    [DescribeInstancesCommand, "Reservations", [...bench.reservations(plan)]],
    [DescribeSecurityGroupsCommand, "SecurityGroups", [...bench.securityGroups(plan)]],
    [DescribeNetworkInterfacesCommand, "NetworkInterfaces", [...bench.networkInterfaces(plan)]],
    [DescribeAddressesCommand, "Addresses", [...bench.addresses(plan)]],
    [DescribeSubnetsCommand, "Subnets", [...bench.subnets(plan)]],
    [DescribeRouteTablesCommand, "RouteTables", [...bench.routeTables(plan)]],
    [DescribeVpcEndpointsCommand, "VpcEndpoints", [...bench.vpcEndpoints(plan)]],
    [DescribeInternetGatewaysCommand, "InternetGateways", [...bench.internetGateways(plan)]],
    [DescribePlacementGroupsCommand, "PlacementGroups", [...bench.placementGroups(plan)]],
    [DescribePrefixListsCommand, "PrefixLists", bench.prefixLists(0)],
    [DescribeInstanceTypesCommand, "InstanceTypes", bench.instanceTypeRecords()],
  ];
  let apiCalls = 0;
  const delayed =
    <T>(value: T) =>
    async () => {
      apiCalls += 1;
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return value;
    };
  const ec2 = mockClient(EC2Client);
  // biome-ignore lint/suspicious/noExplicitAny: each command class of the list above
  for (const [command, key, items] of lists) ec2.on(command as any).callsFake(delayed({ [key]: items }));
  const sts = mockClient(STSClient);
  sts
    .on(AssumeRoleCommand)
    .callsFake(
      delayed({ Credentials: { AccessKeyId: "a", SecretAccessKey: "b", SessionToken: "c", Expiration: new Date(Date.now() + 900_000) } }),
    );
  sts.on(GetCallerIdentityCommand).callsFake(delayed({ Account: bench.ACCOUNT_ID }));
  const s3 = mockClient(S3Client);
  s3.on(PutObjectCommand).callsFake(delayed({}));
  const settings = scanSettings({
    SCAN_BUCKET: "bench-bucket",
    SCAN_ROLE_NAME: "ec2-config-rules-member",
    SCAN_REGIONS: '["eu-west-1"]',
    AWS_REGION: "eu-west-1",
  });
  const runsMs: number[] = [];
  let findings = 0;
  try {
    for (let run = 0; run <= runs; run++) {
      apiCalls = 0;
      const aws = new AwsClients({ region: "eu-west-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" } });
      const started = performance.now();
      const result = await scanItem(
        { accountId: bench.ACCOUNT_ID, region: "eu-west-1", scanId: "2026-12-01T05-00-00-000Z" },
        settings,
        { aws, s3: new S3Client({ region: "eu-west-1" }) },
        "aws",
      );
      // The first run warms up (module loading, JIT): not counted.
      if (run > 0) runsMs.push(performance.now() - started);
      findings = result.findings;
    }
  } finally {
    ec2.restore();
    sts.restore();
    s3.restore();
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0, runsMs, findings, apiCalls };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const seconds = (ms: number) => Math.round(ms / 100) / 10;

function du(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

async function main(): Promise<void> {
  if (options.child === "merge") return childMerge();
  const accounts = positive("accounts", 100_000);
  const regions = positive("regions", ALL_REGIONS.length);
  const perItem = positive("findings", 100_000);
  const latencyMs = positive("api-latency-ms", 60_000);
  const itemRuns = Math.max(1, positive("item-runs", 100));
  if (accounts === 0 || regions === 0) throw new Error("--accounts and --regions must be at least 1");
  const log = (line: string) => options.json || process.stderr.write(`${line}\n`);

  log(`item: record + evaluate one account-region against the stand-in (${itemRuns} runs, ${latencyMs} ms per API call)…`);
  const item = await measureItem(latencyMs, itemRuns);

  const items = itemsOf(accounts, regions);
  const work = mkdtempSync(path.join(tmpdir(), "bench-scan-"));
  try {
    const scans = ["scan-1", "scan-2"].map((name) => path.join(work, name));
    const generationStarted = performance.now();
    log(`writing ${items.length} item files × ${perItem} findings, twice (a first scan, then one with ~10% flipped)…`);
    scans.forEach((dir, index) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(items));
      writeItems(dir, items, perItem, index === 1);
    });
    const generationMs = performance.now() - generationStarted;
    const itemBytes = du(scans[1] as string);
    log("merge of the first scan (no previous)…");
    const first = runMerge(scans[0] as string, path.join(work, "findings-1.jsonl.gz"));
    log("merge of the second scan, diffed against the first's findings file…");
    const second = runMerge(scans[1] as string, path.join(work, "findings-2.jsonl.gz"), path.join(work, "findings-1.jsonl.gz"));

    const project = (concurrency: number) => {
      const waves = Math.ceil(items.length / concurrency);
      const wallMs = waves * item.medianMs + second.ms;
      return {
        concurrency,
        waves,
        itemsPhaseMs: Math.round(waves * item.medianMs),
        mergeMs: Math.round(second.ms),
        wallMs: Math.round(wallMs),
        wallMinutes: Math.round((wallMs / 60_000) * 10) / 10,
      };
    };
    const figures = {
      accounts,
      regions,
      items: items.length,
      findingsPerItem: perItem,
      findings: second.findings,
      item: {
        medianMs: Math.round(item.medianMs),
        runsMs: item.runsMs.map(Math.round),
        findings: item.findings,
        apiCalls: item.apiCalls,
        apiLatencyMs: latencyMs,
      },
      generation: { ms: Math.round(generationMs), itemFilesBytes: itemBytes },
      firstMerge: { ms: Math.round(first.ms), peakRssBytes: first.peakRssBytes, findingsFileBytes: first.findingsFileBytes },
      merge: { ...second, ms: Math.round(second.ms), findingsPerSecond: Math.round(second.findings / (second.ms / 1000)) },
      projection: [project(100), project(1000)],
      node: process.version,
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      return;
    }
    const lines = [
      `Organization scan benchmark: ${accounts} account(s) × ${regions} region(s) = ${items.length} items, ${perItem} findings per item (${second.findings} findings), node ${process.version}`,
      `  one item (record + evaluate + write, stand-in, ${latencyMs} ms/API call): median ${Math.round(item.medianMs)} ms over ${item.runsMs.length} runs, ${item.findings} findings, ${item.apiCalls} API calls`,
      `  item files of one scan: ${mb(itemBytes)} MB gzipped (written in ${seconds(generationMs)} s for both scans)`,
      `  merge, first scan:  ${seconds(first.ms)} s, peak RSS ${mb(first.peakRssBytes)} MB, findings file ${mb(first.findingsFileBytes)} MB`,
      `  merge, second scan (diff by merge-join): ${seconds(second.ms)} s (${figures.merge.findingsPerSecond} findings/s), peak RSS ${mb(second.peakRssBytes)} MB`,
      `    report.json ${Math.round(second.reportBytes / 1024)} KB, findings file ${mb(second.findingsFileBytes)} MB gzipped`,
      `    diff: ${Object.entries(second.diff ?? {})
        .map(([change, count]) => `${change} ${count}`)
        .join(", ")}`,
      ...figures.projection.map(
        (p) =>
          `  projected wall time at MaxConcurrency ${p.concurrency}: ${p.waves} wave(s) × ${Math.round(item.medianMs)} ms + merge ${seconds(p.mergeMs)} s = ${p.wallMinutes} min`,
      ),
      "  (projection: items in waves of MaxConcurrency at the measured per-item time, then the merge; Lambda cold starts, Step Functions' child-execution start rate and real EC2 latency are not in it: rerun with --api-latency-ms for the latter)",
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    if (options.keep) process.stderr.write(`kept ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-scan: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
