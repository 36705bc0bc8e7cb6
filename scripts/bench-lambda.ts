/**
 * Lambda benchmark: every rule's periodic run against a mocked account of 10k instances and 10k
 * security groups (aws-sdk-client-mock; no network). For each rule it prints the EC2 calls made
 * against the number of pages at the largest page size, the PutEvaluations calls against
 * ceil(evaluations / 100), and the handler's own time, with the time spent inside the mocks
 * subtracted. Run: npm run bench:lambda [-- --instances N --groups N] [-- --json]
 *
 * With --resources N (e.g. 100000): the account generator's account (scripts/bench/account.ts)
 * in one region, served as max-size pages with NextToken and generated per request, with Config's
 * held results from the last run (plus some for resources gone since) behind
 * GetComplianceDetailsByConfigRule. Each rule's periodic run goes through the real handler in a
 * fresh child process, which prints its wall time, peak V8 heap (the heap before every GC, from
 * v8.GCProfiler, and a 5 ms sample) and peak RSS; the table gives the margins to Lambda's 900 s
 * and 1024 MB (target: at least 3 on each).
 */

import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { GCProfiler, getHeapStatistics } from "node:v8";
import { Logger } from "@aws-lambda-powertools/logger";
import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
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
import { mockClient } from "aws-sdk-client-mock";
import { createRuleHandler } from "../lib/lambda/handler";
import { localContext } from "../lib/lambda/local-context";
import { EC2_OPERATIONS, type Ec2Operation, KINDS } from "../lib/model/kinds";
import { RULES } from "../rules";
import { ACCOUNT_ID } from "./bench/account";
import { PagedAccount, type PageRequest } from "./bench/paged-account";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
process.env.AWS_REGION ??= "eu-west-1";
process.env.AWS_ACCESS_KEY_ID ??= "bench";
process.env.AWS_SECRET_ACCESS_KEY ??= "bench";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const flag = (name: string) => process.argv.includes(`--${name}`);
const json = flag("json");
const instanceCount = argument("instances", 10_000);
const groupCount = argument("groups", 10_000);
const vpcCount = 50;
const subnetsPerVpc = 4;
const placementGroupCount = 100;

const pad = (n: number) => String(n).padStart(8, "0");
const vpcOf = (n: number) => `vpc-${pad(n % vpcCount)}`;
const subnetOf = (n: number) => `subnet-${pad(n % (vpcCount * subnetsPerVpc))}`;

/** A realistic-ish account: the Describe* list items as the SDK returns them. */
function account(): Record<Ec2Operation, unknown[]> {
  const strategies = ["spread", "partition", "cluster"] as const;
  const reservations = Array.from({ length: instanceCount }, (_, n) => {
    const id = `i-${pad(n)}`;
    const publicIp = n % 5 === 0 ? { Association: { PublicIp: `198.51.${(n >> 8) & 255}.${n & 255}`, IpOwnerId: "amazon" } } : {};
    const group = `sg-${pad(n % Math.ceil(groupCount / 2))}`; // half of the groups are in use
    return {
      ReservationId: `r-${pad(n)}`,
      OwnerId: ACCOUNT,
      Instances: [
        {
          InstanceId: id,
          InstanceType: n % 3 === 0 ? "c6in.large" : "t3.micro",
          State: { Code: 16, Name: n % 17 === 0 ? "stopped" : "running" },
          VpcId: vpcOf(n),
          SubnetId: subnetOf(n),
          Placement: {
            AvailabilityZone: `${REGION}${"abc"[n % 3]}`,
            GroupName: n % 4 === 0 ? `pg-${n % placementGroupCount}` : "",
            Tenancy: "default",
          },
          MetadataOptions: {
            State: "applied",
            HttpTokens: n % 2 === 0 ? "required" : "optional",
            HttpEndpoint: "enabled",
            HttpPutResponseHopLimit: 1,
          },
          SecurityGroups: [{ GroupId: group, GroupName: group }],
          NetworkInterfaces: [
            {
              NetworkInterfaceId: `eni-${pad(n)}`,
              Attachment: { DeviceIndex: 0, Status: "attached" },
              Groups: [{ GroupId: group, GroupName: group }],
              ...publicIp,
              PrivateIpAddresses: [{ PrivateIpAddress: "10.0.0.1", Primary: true, ...publicIp }],
            },
          ],
          EnaSupport: true,
          Tags: [{ Key: "Name", Value: `node-${n}` }],
        },
      ],
    };
  });
  const enis = reservations.map((reservation, n) => ({
    NetworkInterfaceId: `eni-${pad(n)}`,
    Status: "in-use",
    InterfaceType: "interface",
    OwnerId: ACCOUNT,
    VpcId: vpcOf(n),
    SubnetId: subnetOf(n),
    Groups: reservation.Instances[0]?.SecurityGroups,
    Attachment: { InstanceId: `i-${pad(n)}`, Status: "attached", DeviceIndex: 0 },
    PrivateIpAddresses: [],
    TagSet: [],
  }));
  const groups = Array.from({ length: groupCount }, (_, n) => ({
    GroupId: `sg-${pad(n)}`,
    GroupName: n < vpcCount ? "default" : `group-${n}`,
    Description: "bench",
    OwnerId: ACCOUNT,
    VpcId: vpcOf(n),
    IpPermissions: n % 10 === 0 ? [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: `sg-${pad(n + 1)}`, UserId: ACCOUNT }] }] : [],
    IpPermissionsEgress: [],
    Tags: [],
  }));
  const subnets = Array.from({ length: vpcCount * subnetsPerVpc }, (_, n) => ({
    SubnetId: `subnet-${pad(n)}`,
    VpcId: vpcOf(n),
    AvailabilityZone: `${REGION}a`,
    CidrBlock: `10.${n % 250}.0.0/24`,
    MapPublicIpOnLaunch: false,
    Tags: [],
  }));
  const routeTables = [
    ...Array.from({ length: vpcCount }, (_, v) => ({
      RouteTableId: `rtb-main-${pad(v)}`,
      VpcId: vpcOf(v),
      Routes: [{ DestinationCidrBlock: "10.0.0.0/8", GatewayId: "local", State: "active" }],
      Associations: [{ Main: true, RouteTableAssociationId: `rtbassoc-m${v}`, AssociationState: { State: "associated" } }],
      Tags: [],
    })),
    ...subnets.map((subnet, n) => ({
      RouteTableId: `rtb-${pad(n)}`,
      VpcId: subnet.VpcId,
      Routes: [
        { DestinationCidrBlock: "10.0.0.0/8", GatewayId: "local", State: "active" },
        ...(n % 3 === 0 ? [] : [{ DestinationPrefixListId: "pl-s3", GatewayId: `vpce-${pad(n % vpcCount)}`, State: "active" }]),
      ],
      Associations: [
        { Main: false, SubnetId: subnet.SubnetId, RouteTableAssociationId: `rtbassoc-${n}`, AssociationState: { State: "associated" } },
      ],
      Tags: [],
    })),
  ];
  const endpoints = Array.from({ length: vpcCount }, (_, v) => ({
    VpcEndpointId: `vpce-${pad(v)}`,
    VpcEndpointType: "Gateway",
    VpcId: vpcOf(v),
    ServiceName: `com.amazonaws.${REGION}.s3`,
    State: "available",
    RouteTableIds: routeTables.filter((table) => table.VpcId === vpcOf(v)).map((table) => table.RouteTableId),
    SubnetIds: [],
    Tags: [],
  }));
  return {
    DescribeInstances: reservations,
    DescribeNetworkInterfaces: enis,
    DescribeSecurityGroups: groups,
    DescribeAddresses: Array.from({ length: 1000 }, (_, n) => ({
      AllocationId: `eipalloc-${pad(n)}`,
      PublicIp: `203.0.${n >> 8}.${n & 255}`,
      Domain: "vpc",
      ...(n % 4 === 0 ? {} : { AssociationId: `eipassoc-${pad(n)}`, InstanceId: `i-${pad(n)}`, NetworkInterfaceId: `eni-${pad(n)}` }),
    })),
    DescribeSubnets: subnets,
    DescribeRouteTables: routeTables,
    DescribeVpcEndpoints: endpoints,
    DescribePrefixLists: [{ PrefixListId: "pl-s3", PrefixListName: `com.amazonaws.${REGION}.s3` }],
    DescribeInternetGateways: [],
    DescribePlacementGroups: Array.from({ length: placementGroupCount }, (_, n) => ({
      GroupName: `pg-${n}`,
      GroupId: `pg-${pad(n)}`,
      State: "available",
      Strategy: strategies[n % 3],
      ...(n % 3 === 1 ? { PartitionCount: 3 } : {}),
    })),
    DescribeInstanceTypes: ["c6in.large", "t3.micro"].map((InstanceType) => ({ InstanceType, NetworkInfo: { EnaSupport: "required" } })),
  };
}

/** A periodic notification for one rule, as Config sends it. */
function periodicEvent(ruleId: string, accountId: string) {
  return {
    version: "1.0",
    invokingEvent: JSON.stringify({
      messageType: "ScheduledNotification",
      notificationCreationTime: new Date().toISOString(),
      awsAccountId: accountId,
      recordVersion: "1.0",
    }),
    ruleParameters: "{}",
    resultToken: "bench-token",
    eventLeftScope: false,
    configRuleArn: `arn:aws:config:${REGION}:${accountId}:config-rule/config-rule-${ruleId}`,
    configRuleName: ruleId,
    accountId,
  };
}

const COMMANDS = {
  DescribeInstances: DescribeInstancesCommand,
  DescribeNetworkInterfaces: DescribeNetworkInterfacesCommand,
  DescribeSecurityGroups: DescribeSecurityGroupsCommand,
  DescribeAddresses: DescribeAddressesCommand,
  DescribeSubnets: DescribeSubnetsCommand,
  DescribeRouteTables: DescribeRouteTablesCommand,
  DescribeVpcEndpoints: DescribeVpcEndpointsCommand,
  DescribePrefixLists: DescribePrefixListsCommand,
  DescribeInternetGateways: DescribeInternetGatewaysCommand,
  DescribePlacementGroups: DescribePlacementGroupsCommand,
  DescribeInstanceTypes: DescribeInstanceTypesCommand,
} as const;

async function main(): Promise<void> {
  const data = account();
  const ec2 = mockClient(EC2Client);
  const config = mockClient(ConfigServiceClient);
  let mockedMs = 0;

  for (const [operation, command] of Object.entries(COMMANDS) as [Ec2Operation, (typeof COMMANDS)[Ec2Operation]][]) {
    ec2.on(command as never).callsFake((input: { MaxResults?: number; NextToken?: string; InstanceTypes?: string[] }) => {
      const started = performance.now();
      let items = data[operation];
      if (operation === "DescribeInstanceTypes" && input.InstanceTypes) {
        const names = new Set(input.InstanceTypes);
        items = items.filter((item) => names.has((item as { InstanceType: string }).InstanceType));
      }
      const size = input.MaxResults ?? items.length;
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const end = Math.min(items.length, start + size);
      const page = {
        [EC2_OPERATIONS[operation].listKey]: items.slice(start, end),
        ...(end < items.length ? { NextToken: String(end) } : {}),
      };
      mockedMs += performance.now() - started;
      return page;
    });
  }
  config.on(PutEvaluationsCommand).callsFake(() => ({ FailedEvaluations: [] }));
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });

  const logger = new Logger({ serviceName: "bench", logLevel: "SILENT" });

  if (!json)
    console.log(
      `Mocked account: ${instanceCount} instances, ${groupCount} security groups, ${data.DescribeNetworkInterfaces.length} ENIs, ` +
        `${data.DescribeAddresses.length} EIPs, ${data.DescribeRouteTables.length} route tables, ${data.DescribePlacementGroups.length} placement groups`,
    );
  const header = [
    "rule",
    "evaluations",
    "EC2 calls",
    "pages (target)",
    "PutEvaluations",
    "ceil(n/100)",
    "handler ms",
    "in mocks ms",
    "handler − mocks ms",
  ];
  const rows: string[][] = [];
  let allOnTarget = true;
  for (const rule of RULES) {
    if (!rule.meta.triggers.includes("periodic")) continue;
    ec2.resetHistory();
    config.resetHistory();
    mockedMs = 0;
    const handler = createRuleHandler(rule, { logger });
    const started = performance.now();
    const result = await handler(periodicEvent(rule.meta.id, ACCOUNT), localContext(rule.meta.id));
    const handlerMs = performance.now() - started;

    const kinds = new Set([...rule.meta.requires, ...(rule.meta.optional ?? [])]);
    let targetPages = 0;
    for (const kind of kinds) {
      const { operation, pageSize } = KINDS[kind];
      let count = data[operation].length;
      if (operation === "DescribeInstanceTypes" && kinds.has("instance"))
        count = new Set(data.DescribeInstances.map((r) => (r as { Instances: { InstanceType: string }[] }).Instances[0]?.InstanceType))
          .size;
      targetPages += pageSize === undefined ? 1 : Math.max(1, Math.ceil(count / pageSize));
    }
    const ec2Calls = ec2.calls().length;
    const puts = config.commandCalls(PutEvaluationsCommand).length;
    const expectedPuts = Math.ceil(result.evaluations.length / 100);
    allOnTarget &&= ec2Calls === targetPages && puts === expectedPuts;
    rows.push([
      rule.meta.id,
      String(result.evaluations.length),
      String(ec2Calls),
      String(targetPages),
      String(puts),
      String(expectedPuts),
      handlerMs.toFixed(0),
      mockedMs.toFixed(0),
      (handlerMs - mockedMs).toFixed(0),
    ]);
  }
  if (json) {
    const keys = [
      "rule",
      "evaluations",
      "ec2Calls",
      "pages",
      "putEvaluationsCalls",
      "expectedPutEvaluationsCalls",
      "handlerMs",
      "mockMs",
      "ownMs",
    ];
    const entries = rows.map((row) => Object.fromEntries(row.map((cell, column) => [keys[column], column === 0 ? cell : Number(cell)])));
    console.log(JSON.stringify({ instances: instanceCount, groups: groupCount, rules: entries, allOnTarget }));
  } else {
    printTable(header, rows);
    console.log("");
    console.log(
      allOnTarget
        ? "EC2 calls = pages at the largest page size and PutEvaluations = ceil(n/100) for every rule."
        : "OFF TARGET: see the rows above.",
    );
  }
  if (!allOnTarget) process.exitCode = 1;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  for (const row of [header, ...rows])
    console.log(
      row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  "),
    );
}

const LAMBDA_TIMEOUT_MS = 900_000;
const LAMBDA_MEMORY_BYTES = 1024 * 2 ** 20;
const TARGET_MARGIN = 3;
const SEED = 1;
const MiB = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

/** What one rule's run in a child process measured. */
interface ChildResult {
  rule: string;
  evaluations: number;
  staleResults: number;
  ec2Calls: Partial<Record<Ec2Operation, number>>;
  /** Requests for a page smaller than the operation's largest. */
  smallPages: number;
  putEvaluationsCalls: number;
  evaluationsPosted: number;
  heldResultPages: number;
  handlerMs: number;
  mockMs: number;
  /** Heap used after a full GC just before the run: modules, mocks and SDK clients. */
  baselineHeapBytes: number;
  peakHeapBytes: number;
  /** The largest heap left after a full GC: what the run held live, garbage aside. */
  peakLiveHeapBytes: number;
  peakRssBytes: number;
  gcs: number;
}

/** One rule's periodic run against the paged account, in this (fresh) process; prints a ChildResult. */
async function runChild(ruleId: string, resources: number): Promise<void> {
  const rule = RULES.find((candidate) => candidate.meta.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  const paged = new PagedAccount(SEED, resources);
  const ec2 = mockClient(EC2Client);
  const config = mockClient(ConfigServiceClient);
  let peakHeap = 0;
  const sample = () => {
    peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
  };
  const result: Omit<ChildResult, "handlerMs" | "baselineHeapBytes" | "peakHeapBytes" | "peakLiveHeapBytes" | "peakRssBytes" | "gcs"> = {
    rule: ruleId,
    evaluations: 0,
    staleResults: 0,
    ec2Calls: {},
    smallPages: 0,
    putEvaluationsCalls: 0,
    evaluationsPosted: 0,
    heldResultPages: 0,
    mockMs: 0,
  };
  const mocked = <T>(answer: () => T): T => {
    // The mocks' call history would hold every page served (sinon keeps each call's arguments and
    // result): dropped once this call is recorded (sinon refuses a reset inside the call), so the
    // heap holds what the handler keeps and no more.
    queueMicrotask(() => {
      ec2.resetHistory();
      config.resetHistory();
    });
    sample();
    const started = performance.now();
    const value = answer();
    result.mockMs += performance.now() - started;
    return value;
  };
  for (const [operation, command] of Object.entries(COMMANDS) as [Ec2Operation, (typeof COMMANDS)[Ec2Operation]][]) {
    const { listKey, pageSize } = EC2_OPERATIONS[operation];
    ec2.on(command as never).callsFake((input: PageRequest) =>
      mocked(() => {
        result.ec2Calls[operation] = (result.ec2Calls[operation] ?? 0) + 1;
        if (input.MaxResults !== pageSize && !input.InstanceTypes) result.smallPages++;
        const page = paged.page(operation, input);
        return { [listKey]: page.items, ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
      }),
    );
  }
  const recordedAt = new Date(Date.now() - 86_400_000);
  config.on(GetComplianceDetailsByConfigRuleCommand).callsFake((input: { NextToken?: string; Limit?: number }) =>
    mocked(() => {
      result.heldResultPages++;
      const page = paged.heldResults(rule.meta.resourceTypes, { NextToken: input.NextToken, Limit: input.Limit ?? 100 });
      return {
        EvaluationResults: page.results.map((held, n) => ({
          EvaluationResultIdentifier: {
            EvaluationResultQualifier: { ConfigRuleName: ruleId, ResourceType: held.resourceType, ResourceId: held.resourceId },
            OrderingTimestamp: recordedAt,
          },
          ComplianceType: n % 7 === 0 ? "NON_COMPLIANT" : "COMPLIANT",
          ResultRecordedTime: recordedAt,
          ConfigRuleInvokedTime: recordedAt,
        })),
        ...(page.NextToken ? { NextToken: page.NextToken } : {}),
      };
    }),
  );
  config.on(PutEvaluationsCommand).callsFake((input: { Evaluations?: unknown[] }) =>
    mocked(() => {
      result.putEvaluationsCalls++;
      result.evaluationsPosted += input.Evaluations?.length ?? 0;
      return { FailedEvaluations: [] };
    }),
  );
  const logger = new Logger({ serviceName: "bench", logLevel: "SILENT" });
  const handler = createRuleHandler(rule, { logger });

  (globalThis as { gc?: () => void }).gc?.();
  const baselineHeapBytes = getHeapStatistics().used_heap_size;
  const profiler = new GCProfiler();
  profiler.start();
  // Unref'd: a failed run must still end the process.
  const timer = setInterval(sample, 5).unref();
  const started = performance.now();
  const outcome = await handler(periodicEvent(ruleId, ACCOUNT_ID), localContext(ruleId));
  const handlerMs = performance.now() - started;
  sample();
  clearInterval(timer);
  const gcs = profiler.stop()?.statistics ?? [];
  let peakLiveHeap = 0;
  for (const gc of gcs) {
    peakHeap = Math.max(peakHeap, gc.beforeGC.heapStatistics.usedHeapSize);
    if (gc.gcType === "MarkSweepCompact") peakLiveHeap = Math.max(peakLiveHeap, gc.afterGC.heapStatistics.usedHeapSize);
  }
  result.evaluations = outcome.evaluations.length;
  result.staleResults = typeof outcome.staleResults === "number" ? outcome.staleResults : 0;
  const measured: ChildResult = {
    ...result,
    handlerMs,
    baselineHeapBytes,
    peakHeapBytes: peakHeap,
    peakLiveHeapBytes: peakLiveHeap,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    gcs: gcs.length,
  };
  process.stdout.write(`${JSON.stringify(measured)}\n`);
}

/** Every periodic rule, each in a fresh child process so heap peaks never mix; prints the table or --json. */
function runAccount(resources: number): void {
  const paged = new PagedAccount(SEED, resources);
  const pages = new Map<Ec2Operation, number>();
  const counts: Partial<Record<Ec2Operation, number>> = {};
  for (const operation of Object.keys(COMMANDS) as Ec2Operation[]) {
    const { resources: count, pages: walked } = paged.count(operation, EC2_OPERATIONS[operation].pageSize);
    counts[operation] = count;
    pages.set(operation, walked);
  }
  // Instance types are described by name, only those the instances use.
  const typesUsed = new Set<string>();
  for (const reservation of paged.page("DescribeInstances", {}).items)
    for (const instance of reservation.Instances as { InstanceType: string }[]) typesUsed.add(instance.InstanceType);
  pages.set("DescribeInstanceTypes", Math.ceil(typesUsed.size / (KINDS["instance-type"].namesPerRequest ?? 1)));
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  const log = (line: string) => json || console.log(line);
  log(
    `Mocked account in ${REGION}: ${total} resources in ${paged.layout.vpcs} VPCs (` +
      Object.entries(counts)
        .map(([operation, count]) => `${operation.replace("Describe", "")} ${count}`)
        .join(", ") +
      `), served as max-size pages; load average ${loadavg()[0]?.toFixed(2)}`,
  );

  const results: (ChildResult & { targetPages: number; timeMargin: number; heapMargin: number; rssMargin: number; onTarget: boolean })[] =
    [];
  for (const rule of RULES) {
    if (!rule.meta.triggers.includes("periodic")) continue;
    const child = spawnSync(process.execPath, ["--expose-gc", __filename, "--child", rule.meta.id, "--resources", String(resources)], {
      encoding: "utf8",
      maxBuffer: 16 << 20,
    });
    if (child.status !== 0) throw new Error(`${rule.meta.id}: child failed (${child.status ?? child.signal}):\n${child.stderr}`);
    const measured = JSON.parse(child.stdout.trim().split("\n").pop() ?? "") as ChildResult;
    const kinds = new Set([...rule.meta.requires, ...(rule.meta.optional ?? [])]);
    const operations = new Set([...kinds].map((kind) => KINDS[kind].operation));
    if (operations.has("DescribeInstanceTypes") && !operations.has("DescribeInstances"))
      throw new Error("unsupported: instance types alone");
    const targetPages = [...operations].reduce((sum, operation) => sum + (pages.get(operation) ?? 0), 0);
    const ec2Calls = Object.values(measured.ec2Calls).reduce((sum, calls) => sum + calls, 0);
    const timeMargin = LAMBDA_TIMEOUT_MS / measured.handlerMs;
    const heapMargin = LAMBDA_MEMORY_BYTES / measured.peakHeapBytes;
    const rssMargin = LAMBDA_MEMORY_BYTES / measured.peakRssBytes;
    const onTarget =
      ec2Calls === targetPages &&
      measured.smallPages === 0 &&
      measured.evaluationsPosted === measured.evaluations &&
      measured.putEvaluationsCalls === Math.ceil(measured.evaluations / 100) &&
      timeMargin >= TARGET_MARGIN &&
      heapMargin >= TARGET_MARGIN &&
      rssMargin >= TARGET_MARGIN;
    results.push({ ...measured, targetPages, timeMargin, heapMargin, rssMargin, onTarget });
  }
  const allOnTarget = results.every((result) => result.onTarget);
  if (json) {
    console.log(
      JSON.stringify({
        resources: total,
        vpcs: paged.layout.vpcs,
        byOperation: counts,
        loadAverage: loadavg()[0],
        rules: results,
        allOnTarget,
      }),
    );
  } else {
    log("");
    printTable(
      [
        "rule",
        "evaluations",
        "stale",
        "EC2 calls",
        "pages",
        "PutEvaluations",
        "held pages",
        "wall s",
        "in mocks s",
        "900 s / wall",
        "heap base MB",
        "peak heap MB",
        "1024 MB / heap",
        "live heap MB",
        "peak RSS MB",
        "1024 MB / RSS",
        "GCs",
        "target",
      ],
      results.map((result) => [
        result.rule,
        String(result.evaluations),
        String(result.staleResults),
        String(Object.values(result.ec2Calls).reduce((sum, calls) => sum + calls, 0)),
        String(result.targetPages),
        String(result.putEvaluationsCalls),
        String(result.heldResultPages),
        (result.handlerMs / 1000).toFixed(2),
        (result.mockMs / 1000).toFixed(2),
        result.timeMargin.toFixed(0),
        MiB(result.baselineHeapBytes),
        MiB(result.peakHeapBytes),
        result.heapMargin.toFixed(1),
        result.peakLiveHeapBytes > 0 ? MiB(result.peakLiveHeapBytes) : "no full GC",
        MiB(result.peakRssBytes),
        result.rssMargin.toFixed(1),
        String(result.gcs),
        result.onTarget ? "met" : "MISSED",
      ]),
    );
    log("");
    log(
      "wall = the handler's whole run, page generation in the mocks included; peak heap = V8 heap used, the largest of the value before every GC and a 5 ms sample (garbage included); " +
        "live heap = the largest heap left after a full GC; " +
        "target: EC2 calls = pages at the largest page size, one PutEvaluations per 100 evaluations, and a margin of at least 3 on time, heap and RSS.",
    );
    log(allOnTarget ? "All rules on target." : "OFF TARGET: see the rows above.");
  }
  if (!allOnTarget) process.exitCode = 1;
}

const childRule = process.argv[process.argv.indexOf("--child") + 1];
const run =
  flag("child") && childRule
    ? runChild(childRule, argument("resources", 100_000))
    : flag("resources")
      ? Promise.resolve(runAccount(argument("resources", 100_000)))
      : main();
run.catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
