import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  type AwsSecurityFinding,
  AwsSecurityFinding$,
  BatchImportFindingsCommand,
  ComplianceStatus,
  GetFindingsCommand,
  Partition,
  RecordState,
  SecurityHubClient,
  SeverityLabel,
  WorkflowStatus,
} from "@aws-sdk/client-securityhub";
import { toAsffFinding } from "../../lib/asff/finding";
import { importBatches } from "../../lib/aws/securityhub";
import { writeReport } from "../../lib/cli/commands/report";
import { asffFindings } from "../../lib/reports/asff";
import { parseReport, renderJson } from "../../lib/reports/json";
import { useMotoServer } from "../integration/moto-server";
import { shapeProblems } from "../support/smithy-shape";
import { fixtureReport, TOOL } from "./fixture";

const EXAMPLE = relative(process.cwd(), join(__dirname, "..", "..", "examples", "account-snapshot.json"));
const now = () => new Date("2026-11-23T06:00:00.000Z");
const REQUIRED = [
  "SchemaVersion",
  "Id",
  "ProductArn",
  "GeneratorId",
  "AwsAccountId",
  "Types",
  "CreatedAt",
  "UpdatedAt",
  "Severity",
  "Title",
  "Description",
  "Resources",
];

let example: AwsSecurityFinding[];

beforeAll(async () => {
  // Exemption expiry is judged against the clock (the example's exemptions end in 2027).
  jest.useFakeTimers({
    now: now(),
    doNotFake: [
      "hrtime",
      "nextTick",
      "performance",
      "queueMicrotask",
      "setImmediate",
      "clearImmediate",
      "setInterval",
      "clearInterval",
      "setTimeout",
      "clearTimeout",
    ],
  });
  const output = join(mkdtempSync(join(tmpdir(), "asff-")), "findings.json");
  await writeReport({ snapshot: [EXAMPLE], format: "asff", output }, TOOL, now);
  jest.useRealTimers();
  example = JSON.parse(readFileSync(output, "utf8"));
});

/** Enum-valued fields, checked against the SDK's own enum values (the schema does not carry them). */
function enumProblems(finding: AwsSecurityFinding): string[] {
  const problems: string[] = [];
  const check = (field: string, value: string | undefined, allowed: Record<string, string>) => {
    if (value !== undefined && !Object.values(allowed).includes(value)) problems.push(`${finding.Id} ${field}: ${value}`);
  };
  check("Severity.Label", finding.Severity?.Label, SeverityLabel);
  check("Compliance.Status", finding.Compliance?.Status, ComplianceStatus);
  check("RecordState", finding.RecordState, RecordState);
  check("Workflow.Status", finding.Workflow?.Status, WorkflowStatus);
  for (const resource of finding.Resources ?? []) check("Resources[].Partition", resource.Partition, Partition);
  return problems;
}

describe("report --format asff on the example", () => {
  test("is a JSON array of findings that match the SDK's AwsSecurityFinding shape and enums", () => {
    expect(example.length).toBeGreaterThan(50);
    for (const finding of example) {
      expect(shapeProblems(finding, AwsSecurityFinding$)).toEqual([]);
      expect(enumProblems(finding)).toEqual([]);
    }
  });

  test("every finding has the fields ASFF requires, within ASFF's limits", () => {
    for (const finding of example) {
      for (const field of REQUIRED) expect(finding).toHaveProperty(field);
      expect(finding.SchemaVersion).toBe("2018-10-08");
      expect(finding.ProductArn).toBe(
        `arn:aws:securityhub:${finding.Region}:${finding.AwsAccountId}:product/${finding.AwsAccountId}/default`,
      );
      expect(finding.Severity?.Label).toBeDefined();
      expect(finding.Title?.length).toBeLessThanOrEqual(256);
      expect(finding.Description?.length).toBeLessThanOrEqual(1024);
      expect(finding.Resources).toHaveLength(1);
      expect(finding.Resources?.[0]).toMatchObject({ Partition: "aws", Region: finding.Region });
      expect(Number.isNaN(Date.parse(finding.CreatedAt ?? ""))).toBe(false);
      expect(finding.Compliance?.RelatedRequirements?.length ?? 0).toBeLessThanOrEqual(32);
    }
  });

  test("Ids are unique and name account, region, rule and resource", () => {
    const ids = example.map((finding) => finding.Id);
    expect(new Set(ids).size).toBe(ids.length);
    const idle = example.find((finding) => finding.Id?.includes("eipalloc-0idle000000000001"));
    expect(idle?.Id).toBe("ec2-config-rules/111122223333/eu-west-1/eip-attached/AWS::EC2::EIP/eipalloc-0idle000000000001");
    expect(idle).toMatchObject({
      GeneratorId: "ec2-config-rules/eip-attached",
      Compliance: {
        Status: "FAILED",
        RelatedRequirements: ["AWS Foundational Security Best Practices v1.0.0/EC2.12", "NIST.800-53.r5 CM-8(1)", "PCI DSS v3.2.1/2.4"],
      },
      Severity: { Label: "LOW" },
      Resources: [{ Type: "AwsEc2Eip", Id: "arn:aws:ec2:eu-west-1:111122223333:elastic-ip/eipalloc-0idle000000000001" }],
      RecordState: "ACTIVE",
    });
  });

  test("the two exempted findings are SUPPRESSED, with the exemption (reason, owner, expiry) as the note", () => {
    const suppressed = example.filter((finding) => finding.Workflow?.Status === "SUPPRESSED");
    expect(suppressed).toHaveLength(2);
    for (const finding of suppressed) {
      expect(finding.Compliance?.Status).toBe("NOT_AVAILABLE");
      expect(finding.Note).toEqual({
        Text: expect.stringMatching(/^Exempted \(tag\) by [\w-]+ until 2027-\d\d-\d\d: .+/),
        UpdatedBy: "ec2-config-rules",
        UpdatedAt: "2026-11-23T06:00:00.000Z",
      });
    }
    expect(example.filter((finding) => finding.Note)).toHaveLength(2);
  });

  test("compliance types map to ASFF statuses; passing findings are INFORMATIONAL", () => {
    const statuses = new Set(
      example.map((finding) => `${finding.ProductFields?.["ec2-config-rules/ComplianceType"]}->${finding.Compliance?.Status}`),
    );
    expect([...statuses].sort()).toEqual(
      expect.arrayContaining(["COMPLIANT->PASSED", "NON_COMPLIANT->FAILED", "NOT_APPLICABLE->NOT_AVAILABLE"]),
    );
    for (const finding of example.filter((candidate) => candidate.Compliance?.Status === "PASSED"))
      expect(finding.Severity?.Label).toBe("INFORMATIONAL");
    const notApplicable = example.filter((candidate) => candidate.Compliance?.Status === "NOT_AVAILABLE");
    expect(notApplicable.filter((finding) => !finding.Workflow).length).toBeGreaterThan(0);
    for (const finding of notApplicable) expect(finding.Severity?.Label === "INFORMATIONAL").toBe(finding.Workflow === undefined);
    const imds = example.find(
      (finding) => finding.GeneratorId === "ec2-config-rules/imdsv2-required" && finding.Compliance?.Status === "FAILED",
    );
    expect(imds?.Severity?.Label).toBe("HIGH");
    expect(imds?.Compliance?.RelatedRequirements).toContain("CIS AWS Foundations Benchmark v3.0.0/5.6");
  });
});

describe("ASFF with a previous report", () => {
  const previous = parseReport(JSON.parse(renderJson(fixtureReport("previous"))), "previous.json");
  const findings = [...asffFindings(fixtureReport("current", previous))];

  test("findings resolved because their resource is gone are ARCHIVED; unverifiable ones are not claimed", () => {
    const archived = findings.filter((finding) => finding.RecordState === "ARCHIVED");
    expect(archived.map((finding) => finding.Id)).toEqual([
      "ec2-config-rules/111122223333/eu-west-1/eip-attached/AWS::EC2::EIP/eipalloc-0released",
    ]);
    expect(findings.filter((finding) => finding.Compliance?.Status === "WARNING").length).toBeGreaterThan(0);
    for (const finding of findings) expect(shapeProblems(finding, AwsSecurityFinding$)).toEqual([]);
  });

  test("CreatedAt is when the finding entered its state; UpdatedAt is this report", () => {
    const stillFailing = findings.find((finding) => finding.CreatedAt !== finding.UpdatedAt && finding.RecordState === "ACTIVE");
    expect(stillFailing?.CreatedAt).toBe("2026-11-01T06:00:00.000Z");
    expect(stillFailing?.UpdatedAt).toBe("2026-11-23T06:00:00.000Z");
  });
});

describe("finding details", () => {
  const evaluation = {
    ruleId: "placement-group-limits",
    resourceType: "AWS::EC2::PlacementGroup",
    resourceId: "pg-1",
    region: "cn-north-1",
    accountId: "111122223333",
    complianceType: "INSUFFICIENT_DATA" as const,
    annotation: "x".repeat(2000),
  };
  const finding = toAsffFinding({
    evaluation,
    rule: { id: "placement-group-limits", description: "d".repeat(400), severity: "medium", controls: [] },
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-02T00:00:00.000Z",
    exempted: false,
  });

  test("a type ASFF has no name for is Other, with its Config type in the details; partitions follow the region", () => {
    expect(finding.Resources?.[0]).toEqual({
      Type: "Other",
      Id: "arn:aws-cn:ec2:cn-north-1:111122223333:placement-group/pg-1",
      Partition: "aws-cn",
      Region: "cn-north-1",
      Details: { Other: { ResourceType: "AWS::EC2::PlacementGroup", ResourceId: "pg-1" } },
    });
    expect(finding.ProductArn).toBe("arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default");
    expect(finding.Compliance).toEqual({ Status: "WARNING" });
  });

  test("titles and descriptions are cut to ASFF's limits", () => {
    expect(finding.Title).toHaveLength(256);
    expect(finding.Description).toHaveLength(1024);
  });

  test("batches hold at most 100 findings", () => {
    const batches = importBatches(Array.from({ length: 250 }, (_, index) => index));
    expect(batches.map((batch) => batch.length)).toEqual([100, 100, 50]);
  });
});

describe("BatchImportFindings on moto's Security Hub", () => {
  const { motoIt } = useMotoServer({ env: { AWS_REGION: "eu-west-1" } });

  motoIt(
    "the SDK serializes the example's findings, moto stores them all, and a re-import updates rather than duplicates",
    async () => {
      const client = new SecurityHubClient({ region: "eu-west-1" });
      const importAll = async () => {
        let success = 0;
        for (const batch of importBatches(example)) {
          const response = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
          expect(response.FailedCount).toBe(0);
          success += response.SuccessCount ?? 0;
        }
        return success;
      };
      expect(await importAll()).toBe(example.length);
      expect(await importAll()).toBe(example.length);
      const stored: AwsSecurityFinding[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new GetFindingsCommand({ MaxResults: 100, NextToken: nextToken }));
        stored.push(...(page.Findings ?? []));
        nextToken = page.NextToken;
      } while (nextToken);
      expect(stored.length).toBe(example.length);
      expect(stored.filter((finding) => finding.Workflow?.Status === "SUPPRESSED")).toHaveLength(2);
    },
    60_000,
  );
});
