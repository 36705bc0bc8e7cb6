/**
 * npm run bench:package — what `npm run package` ships, and what it costs at cold start.
 *
 * Packages the dev stage (deploy/params/dev.json) into a temporary directory, then for each
 * function prints its zip size and the time a fresh `node` process takes to import its bundle
 * and build its handler, beside the same for a "floor" bundle that only imports the AWS SDK
 * clients and commands that function calls (built by esbuild with the same options as
 * serverless.yml). Target (issue 13): a rule function's own code adds at most 20% to that floor,
 * judged on the median of each round's ratio (bundle and floor run back to back, in turns); the
 * scheduled report's figures are printed beside them, outside the target.
 *
 * Environment: BENCH_ROUNDS (default 21) runs per bundle, interleaved so that machine load
 * falls on every variant alike. `-- --json`: one JSON object with every figure instead of the table.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { configActions, describeActions } from "../deploy/iam";
import { functionKey, outboxStatements } from "../deploy/stack";
import { RULES } from "../rules";

const ROOT = path.resolve(__dirname, "..");
const ROUNDS = Number.parseInt(process.env.BENCH_ROUNDS ?? "21", 10);
const TARGET_OVERHEAD = 0.2;
const json = process.argv.includes("--json");
const log = (line: string) => json || console.log(line);

/** `service:Operation` → the SDK package and the names to import for it. */
const SDK_PACKAGES: Record<string, { pkg: string; client: string }> = {
  ec2: { pkg: "@aws-sdk/client-ec2", client: "EC2Client" },
  config: { pkg: "@aws-sdk/client-config-service", client: "ConfigServiceClient" },
  sns: { pkg: "@aws-sdk/client-sns", client: "SNSClient" },
  s3: { pkg: "@aws-sdk/client-s3", client: "S3Client" },
  dynamodb: { pkg: "@aws-sdk/client-dynamodb", client: "DynamoDBClient" },
  sqs: { pkg: "@aws-sdk/client-sqs", client: "SQSClient" },
};

/** The SDK calls each function makes: the same action lists its IAM role is built from. */
function callsOf(key: string): string[] {
  if (key === "scheduledReport") {
    return [
      "config:DescribeComplianceByConfigRule",
      "config:GetComplianceDetailsByConfigRule",
      "s3:ListObjectsV2",
      "s3:GetObject",
      "s3:PutObject",
      "sns:Publish",
    ];
  }
  const rule = RULES.find((candidate) => functionKey(candidate.meta.id) === key);
  if (!rule) throw new Error(`no rule for function ${key}`);
  // The alerts outbox (DynamoDB) is read and written at every run of a deployed function.
  const outbox = outboxStatements(rule.meta.id).flatMap((statement) => [statement.Action].flat());
  return [...describeActions(rule), ...configActions(rule), "sns:Publish", ...outbox];
}

/** The floor: the SDK clients and commands the function calls, but those left to the Lambda runtime (not in its bundle either). */
function floorEntry(key: string): string {
  const byPackage = new Map<string, Set<string>>();
  const excluded = new Set(excludedPackages());
  for (const call of callsOf(key)) {
    const [service, operation] = call.split(":") as [string, string];
    const sdk = SDK_PACKAGES[service];
    if (!sdk) throw new Error(`no SDK package for ${call}`);
    if (excluded.has(sdk.pkg)) continue;
    const names = byPackage.get(sdk.pkg) ?? new Set([sdk.client]);
    names.add(`${operation}Command`);
    byPackage.set(sdk.pkg, names);
  }
  if (key === "scheduledReport") byPackage.set("@aws-sdk/s3-request-presigner", new Set(["getSignedUrl"]));
  return [...byPackage].map(([pkg, names]) => `export { ${[...names].sort().join(", ")} } from "${pkg}";`).join("\n");
}

/** serverless.yml's `custom.esbuild.exclude`: packages left to the Lambda runtime, absent from the zips. */
function excludedPackages(): string[] {
  const list = /^\s*exclude:\s*\[(.*)\]/m.exec(readFileSync(path.join(ROOT, "serverless.yml"), "utf8"))?.[1] ?? "";
  return list
    .split(",")
    .map((name) => name.trim().replace(/^["']|["']$/g, ""))
    .filter((name) => name.length > 0);
}

/** The packages (or project folders) that contribute most to a function's bundle, from esbuild's metafile. */
function largestPackages(esbuild: string, key: string, work: string): string {
  const handler =
    key === "scheduledReport" ? "scheduled-report" : (RULES.find((rule) => functionKey(rule.meta.id) === key)?.meta.id ?? key);
  const metafile = path.join(work, `${key}.meta.json`);
  run(esbuild, [
    `handlers/${handler}.ts`,
    "--bundle",
    "--platform=node",
    "--target=node22",
    "--format=cjs",
    "--minify",
    "--keep-names",
    "--main-fields=module,main",
    ...excludedPackages().map((name) => `--external:${name}`),
    `--outfile=${path.join(work, `${key}.meta.js`)}`,
    `--metafile=${metafile}`,
    "--log-level=error",
  ]);
  const meta = JSON.parse(readFileSync(metafile, "utf8")) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const bytes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const inModules = file.split("node_modules/").pop() as string;
      const parts = inModules.split("/");
      const name = file.includes("node_modules/") ? parts.slice(0, inModules.startsWith("@") ? 2 : 1).join("/") : `${parts[0]}/`;
      bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([name, size]) => `${name} ${kb(size)}`)
    .join(", ");
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, input?: string): { stdout: string; ms: number } {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: ROOT, env, input, encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  return { stdout: result.stdout, ms };
}

/** The value below which a share q of the values lie, interpolating between the two nearest. */
const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return (sorted[below] as number) + ((sorted[above] as number) - (sorted[below] as number)) * (at - below);
};

const median = (values: number[]): number => quantile(values, 0.5);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** In-process time to require the bundle (and so build the handler), printed by the child; its wall time is measured here. */
const IMPORT_PROBE = `const t=process.hrtime.bigint();const m=require(process.argv[1]);
if(typeof m.handler!=="function"&&Object.keys(m).length===0)throw new Error("nothing exported");
process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));`;

function main(): void {
  const work = mkdtempSync(path.join(tmpdir(), "bench-package-"));
  try {
    const childEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      SLS_TELEMETRY_DISABLED: "1",
      AWS_REGION: "us-east-1",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ALERTS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:bench",
      // The packages serverless.yml leaves to the Lambda runtime's SDK resolve here as they would there.
      NODE_PATH: path.join(ROOT, "node_modules"),
    };
    const packageDir = path.join(work, "package");
    const osls = path.join(ROOT, "node_modules", "osls", "bin", "serverless.js");
    const packaging = run(
      process.execPath,
      [osls, "package", "--stage", "bench", "--param", "config=deploy/params/dev.json", "--package", packageDir],
      {
        ...childEnv,
        HOME: process.env.HOME,
      },
    );
    log(
      `osls package (stage bench, ${RULES.length} rules): ${(packaging.ms / 1000).toFixed(1)} s, load average ${loadavg()[0]?.toFixed(1)} on this machine`,
    );

    const esbuild = path.join(ROOT, "node_modules", ".bin", "esbuild");
    const rows: { key: string; zip: number; bundle: string; floor: string; largest: string }[] = [];
    for (const zip of readdirSync(packageDir)
      .filter((file) => file.endsWith(".zip"))
      .sort()) {
      const key = path.basename(zip, ".zip");
      const unpacked = path.join(work, "project", key);
      mkdirSync(unpacked, { recursive: true });
      run("unzip", ["-q", "-o", path.join(packageDir, zip), "-d", unpacked]);
      const bundle = path.join(
        unpacked,
        "handlers",
        readdirSync(path.join(unpacked, "handlers")).find((file) => file.endsWith(".js")) ?? "",
      );
      const floor = path.join(work, "floor", `${key}.js`);
      // The options of serverless.yml's custom.esbuild; the entry comes on stdin, resolved from the repository.
      run(
        esbuild,
        [
          "--bundle",
          "--platform=node",
          "--target=node22",
          "--format=cjs",
          "--minify",
          "--keep-names",
          "--main-fields=module,main",
          `--outfile=${floor}`,
          "--log-level=warning",
        ],
        process.env,
        floorEntry(key),
      );
      rows.push({ key, zip: statSync(path.join(packageDir, zip)).size, bundle, floor, largest: largestPackages(esbuild, key, work) });
    }

    const timings = new Map<string, { require: number[]; process: number[] }>();
    const measure = (label: string, args: string[]) => {
      const { stdout, ms } = run(process.execPath, args, childEnv);
      const entry = timings.get(label) ?? { require: [], process: [] };
      entry.require.push(Number(stdout) || 0);
      entry.process.push(ms);
      timings.set(label, entry);
    };
    for (let round = 0; round < ROUNDS; round += 1) {
      measure("bare", ["-e", "0"]);
      for (const row of rows) {
        // Each bundle beside its floor, in turns, so that a round's load falls on both and neither always goes first.
        const pair: [string, string][] = [
          [`project:${row.key}`, row.bundle],
          [`floor:${row.key}`, row.floor],
        ];
        if (round % 2 === 1) pair.reverse();
        for (const [label, bundle] of pair) measure(label, ["-e", IMPORT_PROBE, bundle]);
      }
    }
    const bare = median(timings.get("bare")?.process ?? []);

    log(`\nCold import, median of ${ROUNDS} fresh node processes (node ${process.version}; bare \`node -e 0\` = ${bare.toFixed(0)} ms)`);
    log("require = in-process time to load the bundle and build the handler; process = whole `node` run minus bare node");
    log("over floor (require) = median of each round's ratio, the bundle and its floor run back to back; quartiles in brackets\n");
    const header = [
      "function",
      "zip",
      "bundle",
      "floor bundle",
      "require",
      "floor require",
      "over floor",
      "process",
      "floor process",
      "over floor",
      "target ≤20%",
    ];
    const lines: string[][] = [header];
    const figures: Record<string, unknown>[] = [];
    for (const row of rows) {
      const project = timings.get(`project:${row.key}`);
      const floor = timings.get(`floor:${row.key}`);
      if (!project || !floor) continue;
      const [pr, fr] = [median(project.require), median(floor.require)];
      const [pp, fp] = [median(project.process) - bare, median(floor.process) - bare];
      // The ratio of each round's pair, not of the two medians: the pair ran back to back, so slow drifts in the machine's speed cancel.
      const ratios = project.require.map((ms, round) => ms / (floor.require[round] as number));
      const overRequire = median(ratios) - 1;
      const quartiles = [quantile(ratios, 0.25), quantile(ratios, 0.75)] as const;
      const overProcess = pp / fp - 1;
      // Issue 13's target is a rule function's; the scheduled report's floor is half theirs, its own code the larger share.
      const ruleFunction = row.key !== "scheduledReport";
      figures.push({
        function: row.key,
        zipBytes: row.zip,
        bundleBytes: statSync(row.bundle).size,
        floorBytes: statSync(row.floor).size,
        requireMs: pr,
        floorRequireMs: fr,
        requireOverFloor: overRequire + 1,
        requireOverFloorQuartiles: quartiles,
        processMs: pp,
        floorProcessMs: fp,
        processOverFloor: pp / fp,
        ruleFunction,
        onTarget: ruleFunction ? overRequire <= TARGET_OVERHEAD : null,
        largest: row.largest,
      });
      lines.push([
        row.key,
        kb(row.zip),
        `${kb(statSync(row.bundle).size)} (gz ${kb(gzipSync(readFileSync(row.bundle)).length)})`,
        `${kb(statSync(row.floor).size)} (gz ${kb(gzipSync(readFileSync(row.floor)).length)})`,
        `${pr.toFixed(0)} ms`,
        `${fr.toFixed(0)} ms`,
        `${(overRequire * 100).toFixed(0)}% (${quartiles.map((ratio) => ((ratio - 1) * 100).toFixed(0)).join("–")}%)`,
        `${pp.toFixed(0)} ms`,
        `${fp.toFixed(0)} ms`,
        `${(overProcess * 100).toFixed(0)}%`,
        ruleFunction ? (overRequire <= TARGET_OVERHEAD ? "met" : "MISSED") : "(not a rule function)",
      ]);
    }
    if (json) {
      const target = { maxRequireOverFloor: 1 + TARGET_OVERHEAD, allOnTarget: figures.every((figure) => figure.onTarget !== false) };
      console.log(
        JSON.stringify({ rounds: ROUNDS, node: process.version, bareMs: bare, loadAverage: loadavg(), target, functions: figures }),
      );
      return;
    }
    const widths = header.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? "").length)));
    for (const line of lines) console.log(line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  "));
    console.log("\nLargest parts of each bundle (esbuild metafile of the same handler, same options):");
    for (const row of rows) console.log(`  ${row.key}: ${row.largest}`);
    console.log(`\nload average after: ${loadavg()[0]?.toFixed(2)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
