import { PassThrough } from "node:stream";
import { gunzipSync } from "node:zlib";
import { ACCOUNT_RESOURCE_TYPE, type Evaluation } from "../../lib/engine/rule";
import { type Finding, reportRuleOf } from "../../lib/reports/model";
import { gzipLineWriter, type ScanItem, sortedFindingLines } from "../../lib/scan/findings";
import { DIFF_LIST_LIMIT, type MergeInput, mergeScan, type ScanReport } from "../../lib/scan/merge";
import { RULES } from "../../rules";

const A = "111111111111";
const B = "222222222222";
const FIRST = "2026-12-01T05:00:00.000Z";
const SECOND = "2026-12-02T05:00:00.000Z";

const evaluation = (
  accountId: string,
  region: string,
  ruleId: string,
  resourceId: string,
  complianceType: Evaluation["complianceType"],
  resourceType = "AWS::EC2::EIP",
): Evaluation => ({
  ruleId,
  resourceType,
  resourceId,
  region,
  accountId,
  complianceType,
  annotation: `${complianceType} ${resourceId}`,
});

async function* linesOf(lines: readonly string[]): AsyncGenerator<string> {
  for (const line of lines) yield line;
}

/** Merges items held in memory; returns the report and the merged findings as written. */
async function merge(
  byItem: Map<string, Evaluation[]>,
  options: { previous?: Finding[]; items?: ScanItem[]; generatedAt?: string } = {},
): Promise<{ report: ScanReport; findings: Finding[] }> {
  const items =
    options.items ??
    [...byItem.keys()].map((key) => {
      const [accountId, region] = key.split(" ") as [string, string];
      return { accountId, region };
    });
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => sink.on("end", () => resolve()));
  const input: MergeInput = {
    scanId: "scan",
    items,
    openItem: (item) => linesOf(sortedFindingLines(byItem.get(`${item.accountId} ${item.region}`) ?? [])),
    describeItem: (item) => `${item.accountId}/${item.region}`,
    previous: options.previous
      ? { generatedAt: FIRST, lines: linesOf(options.previous.map((finding) => JSON.stringify(finding))), where: "previous.jsonl.gz" }
      : undefined,
    rules: RULES.map(reportRuleOf),
    out: gzipLineWriter(sink, () => ended),
    findingsUri: "findings.jsonl.gz",
    generatedAt: options.generatedAt ?? FIRST,
    tool: { name: "test", version: "0" },
  };
  const report = await mergeScan(input);
  const text = gunzipSync(Buffer.concat(chunks)).toString("utf8");
  return {
    report,
    findings: text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  };
}

describe("mergeScan", () => {
  const firstScan = () =>
    new Map([
      [
        `${A} eu-west-1`,
        [
          evaluation(A, "eu-west-1", "eip-attached", "eipalloc-1", "NON_COMPLIANT"),
          evaluation(A, "eu-west-1", "eip-attached", "eipalloc-2", "COMPLIANT"),
        ],
      ],
      [`${A} us-east-2`, [evaluation(A, "us-east-2", "eip-attached", "eipalloc-1", "NON_COMPLIANT")]],
      // The same resource id in another account is another finding.
      [
        `${B} eu-west-1`,
        [
          evaluation(B, "eu-west-1", "eip-attached", "eipalloc-1", "NON_COMPLIANT"),
          evaluation(B, "eu-west-1", "eip-attached", "eipalloc-9", "NON_COMPLIANT"),
        ],
      ],
    ]);

  test("counts per account, region, rule and severity; every account of the manifest listed; findings in key order", async () => {
    const items = [
      { accountId: A, region: "eu-west-1" },
      { accountId: A, region: "us-east-2" },
      { accountId: B, region: "eu-west-1" },
      { accountId: "333333333333", region: "eu-west-1" },
    ];
    const { report, findings } = await merge(firstScan(), { items });
    expect(report.summary.totals).toMatchObject({ NON_COMPLIANT: 4, COMPLIANT: 1, total: 5 });
    expect(report.summary.byAccount[A]).toMatchObject({ NON_COMPLIANT: 2, COMPLIANT: 1, total: 3 });
    expect(report.summary.byAccount[B]).toMatchObject({ NON_COMPLIANT: 2, total: 2 });
    // An account without findings is in the breakdown, with zeros: never silently absent.
    expect(report.summary.byAccount["333333333333"]).toMatchObject({ total: 0 });
    expect(report.summary.byRegion["us-east-2"]?.total).toBe(1);
    expect(report.scan).toEqual({ scanId: "scan", items: 4, accounts: 3, regions: ["eu-west-1", "us-east-2"] });
    expect(findings.map((finding) => `${finding.accountId} ${finding.region} ${finding.resourceId}`)).toEqual([
      `${A} eu-west-1 eipalloc-1`,
      `${A} eu-west-1 eipalloc-2`,
      `${A} us-east-2 eipalloc-1`,
      `${B} eu-west-1 eipalloc-1`,
      `${B} eu-west-1 eipalloc-9`,
    ]);
    // Severity from the rule's metadata.
    expect(findings[0]).toMatchObject({
      severity: RULES.find((rule) => rule.meta.id === "eip-attached")?.meta.severity,
      exempted: false,
      firstSeen: FIRST,
    });
    expect(report.diff).toBeUndefined();
  });

  test("the diff by merge-join: new, resolved (fixed or gone), unverified where the rule could not judge, unchanged keeps firstSeen", async () => {
    const { findings: previous } = await merge(firstScan());
    const second = new Map([
      // eipalloc-1 fixed, eipalloc-2 still compliant, eipalloc-3 new and failing.
      [
        `${A} eu-west-1`,
        [
          evaluation(A, "eu-west-1", "eip-attached", "eipalloc-1", "COMPLIANT"),
          evaluation(A, "eu-west-1", "eip-attached", "eipalloc-2", "COMPLIANT"),
          evaluation(A, "eu-west-1", "eip-attached", "eipalloc-3", "NON_COMPLIANT"),
        ],
      ],
      // The rule lacked its input in this scope: the failing finding is unverified, not resolved.
      [`${A} us-east-2`, [evaluation(A, "us-east-2", "eip-attached", A, "INSUFFICIENT_DATA", ACCOUNT_RESOURCE_TYPE)]],
      // eipalloc-9 is gone (resolved, absent); eipalloc-1 still failing.
      [`${B} eu-west-1`, [evaluation(B, "eu-west-1", "eip-attached", "eipalloc-1", "NON_COMPLIANT")]],
    ]);
    const { report, findings } = await merge(second, { previous, generatedAt: SECOND });
    expect(report.diff?.previousGeneratedAt).toBe(FIRST);
    expect(report.diff?.counts).toMatchObject({ new: 1, resolved: 2, "still-failing": 1, unverified: 1, unchanged: 2 });
    expect(report.diff?.new.map((finding) => finding.resourceId)).toEqual(["eipalloc-3"]);
    expect(report.diff?.resolved.map((finding) => `${finding.accountId} ${finding.resourceId} ${finding.absent ?? false}`)).toEqual([
      `${A} eipalloc-1 false`,
      `${B} eipalloc-9 true`,
    ]);
    expect(report.diff?.unverified).toEqual([
      expect.objectContaining({ accountId: A, region: "us-east-2", resourceId: "eipalloc-1", absent: true }),
    ]);
    const byId = (account: string, id: string) => findings.find((finding) => finding.accountId === account && finding.resourceId === id);
    expect(byId(A, "eipalloc-2")).toMatchObject({ change: "unchanged", firstSeen: FIRST });
    expect(byId(B, "eipalloc-1")).toMatchObject({ change: "still-failing", firstSeen: FIRST });
    expect(byId(A, "eipalloc-1")).toMatchObject({ change: "resolved", firstSeen: SECOND });
  });

  test("a previous scope this scan did not scan (an account gone) is not compared", async () => {
    const { findings: previous } = await merge(firstScan());
    const onlyA = new Map([...firstScan()].filter(([key]) => key.startsWith(A)));
    const { report } = await merge(onlyA, { previous, generatedAt: SECOND });
    expect(report.diff?.counts.resolved).toBe(0);
    expect(report.summary.byAccount[B]).toBeUndefined();
  });

  test("the diff lists are capped; the counts are not", async () => {
    const many = Array.from({ length: DIFF_LIST_LIMIT + 5 }, (_, index) =>
      evaluation(A, "eu-west-1", "eip-attached", `eipalloc-${String(index).padStart(4, "0")}`, "NON_COMPLIANT"),
    );
    const { report } = await merge(new Map([[`${A} eu-west-1`, many]]), { previous: [] });
    expect(report.diff?.counts.new).toBe(DIFF_LIST_LIMIT + 5);
    expect(report.diff?.new).toHaveLength(DIFF_LIST_LIMIT);
  });

  test("bad input fails the merge, naming the file and line: out of order, of another item, not JSON, an unsorted manifest", async () => {
    const unsorted = async (lines: string[]) => {
      const sink = new PassThrough().resume();
      return mergeScan({
        scanId: "scan",
        items: [{ accountId: A, region: "eu-west-1" }],
        openItem: () => linesOf(lines),
        describeItem: () => "s3://bucket/item.jsonl.gz",
        rules: RULES.map(reportRuleOf),
        out: gzipLineWriter(sink, async () => undefined),
        findingsUri: "x",
        generatedAt: FIRST,
        tool: { name: "test", version: "0" },
      });
    };
    const one = JSON.stringify(evaluation(A, "eu-west-1", "eip-attached", "eipalloc-2", "COMPLIANT"));
    const two = JSON.stringify(evaluation(A, "eu-west-1", "eip-attached", "eipalloc-1", "COMPLIANT"));
    await expect(unsorted([one, two])).rejects.toThrow("s3://bucket/item.jsonl.gz: line 2 is out of key order");
    await expect(unsorted([JSON.stringify(evaluation(B, "eu-west-1", "eip-attached", "x", "COMPLIANT"))])).rejects.toThrow(
      `line 1 is of ${B} eu-west-1, not of this item`,
    );
    await expect(unsorted(["{"])).rejects.toThrow("s3://bucket/item.jsonl.gz: line 1 is not JSON");
    await expect(
      merge(firstScan(), {
        items: [
          { accountId: B, region: "eu-west-1" },
          { accountId: A, region: "eu-west-1" },
        ],
      }),
    ).rejects.toThrow(`the manifest is not sorted by account and region at ${A} eu-west-1`);
  });
});

describe("gzipLineWriter", () => {
  test("a destination that fails fails the writer instead of waiting for a drain", async () => {
    const destination = new PassThrough({ highWaterMark: 16 });
    const writer = gzipLineWriter(destination, async () => undefined);
    destination.destroy(new Error("upload aborted"));
    const line = "x".repeat(70_000);
    await expect(
      (async () => {
        for (let index = 0; index < 100; index++) await writer.write(`${line}${index}`);
        await writer.end();
      })(),
    ).rejects.toThrow("upload aborted");
  });
});
