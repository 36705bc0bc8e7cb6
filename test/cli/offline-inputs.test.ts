import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RULES } from "../../rules";
import { EXAMPLE_SNAPSHOT, ROOT, runCli } from "../support/cli";

/**
 * Offline inputs as a user gives them: folders of `aws ec2 describe-…` outputs (with AWS CLI
 * documented example outputs, test/cli/fixtures/aws-cli-examples/README.md), the refusals that
 * keep a CI gate from passing on no data, and --fail-on.
 */

const root = ROOT;
const example = EXAMPLE_SNAPSHOT;
const fixtures = join(__dirname, "fixtures", "aws-cli-examples");

const cli = (...args: string[]) => runCli(args);

const tmp = mkdtempSync(join(tmpdir(), "cli-offline-"));
let counter = 0;
const newFolder = (files: Record<string, unknown> = {}) => {
  const path = join(tmp, `${counter++}-folder`);
  mkdirSync(path);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(path, name), JSON.stringify(content, null, 2));
  return path;
};
const writeFile = (name: string, content: unknown) => {
  const path = join(tmp, `${counter++}-${name}`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

const kebab = (operation: string) => operation.replace(/[A-Z]/g, (letter, at: number) => `${at ? "-" : ""}${letter.toLowerCase()}`);
const snapshot = JSON.parse(readFileSync(example, "utf8")) as { accountId: string; regions: Record<string, Record<string, unknown>> };
const REGION = "eu-west-1";

/** The example account as the files `aws ec2 describe-… --output json` writes: one per command the rules read. */
function exampleFolder(): string {
  const responses = snapshot.regions[REGION] as Record<string, unknown>;
  return newFolder(Object.fromEntries(Object.entries(responses).map(([operation, response]) => [`${kebab(operation)}.json`, response])));
}

type Row = Record<string, string>;
const verdicts = (stdout: string) =>
  (JSON.parse(stdout) as Row[]).map((row) => `${row.ruleId} ${row.resourceId} ${row.complianceType} ${row.annotation}`).sort();
const warningLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("warning: "));

describe("describe folders made with the AWS CLI", () => {
  it("gives the same verdicts with real outputs no rule reads beside the files, and one warning line naming them", () => {
    const plain = exampleFolder();
    const withExtras = exampleFolder();
    cpSync(join(fixtures, "extra"), withExtras, { recursive: true });

    const before = cli("evaluate", "--snapshot", plain, "--format", "json");
    const after = cli("evaluate", "--snapshot", withExtras, "--format", "json");
    expect(before.code).toBe(1);
    expect(after.code).toBe(before.code);
    expect(verdicts(after.stdout).map((line) => line.replace(withExtras, "<folder>"))).toEqual(
      verdicts(before.stdout).map((line) => line.replace(plain, "<folder>")),
    );
    expect(verdicts(after.stdout).length).toBeGreaterThan(10);
    const added = warningLines(after.stderr).filter((line) => !warningLines(before.stderr).includes(line));
    expect(added).toEqual([
      `warning: ${withExtras}: ignored describe-nat-gateways.json, describe-volumes.json, describe-vpcs.json (EC2 outputs that no rule reads)`,
    ]);
  });

  it("evaluates the output of one real command (describe-security-groups) with --account-id and --region", () => {
    const folder = join(fixtures, "security-groups");
    const { code, stdout, stderr } = cli(
      "evaluate",
      "--snapshot",
      folder,
      "--account-id",
      "123456789012",
      "--region",
      "us-east-1",
      "--format",
      "json",
    );
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Row[];
    expect(rows.find((row) => row.resourceId === "sg-903004f8")).toMatchObject({
      ruleId: "sg-attached-to-eni",
      accountId: "123456789012",
      region: "us-east-1",
      complianceType: "INSUFFICIENT_DATA",
      annotation: expect.stringContaining(`no describe-network-interfaces.json in ${folder}`),
    });
    expect(rows.every((row) => row.complianceType === "INSUFFICIENT_DATA")).toBe(true);
    expect(stderr).toContain("INSUFFICIENT_DATA");
    // A gate that also fails on what could not be judged.
    expect(
      cli("evaluate", "--snapshot", folder, "--account-id", "123456789012", "--region", "us-east-1", "--fail-on", "insufficient-data").code,
    ).toBe(1);
  });

  it("takes --account-id and --region in report and remediate --plan too", () => {
    const folder = join(fixtures, "security-groups");
    const output = join(tmp, "sg-report.json");
    const report = cli("report", "--snapshot", folder, "--region", "us-east-1", "--format", "json", "--output", output);
    expect(report.code).toBe(0);
    expect(JSON.parse(readFileSync(output, "utf8")).inputs).toEqual([
      { path: folder, format: "describe-folder", accountIds: ["123456789012"], regions: ["us-east-1"] },
    ]);
    const plan = cli(
      "remediate",
      "--plan",
      "--snapshot",
      folder,
      "--region",
      "us-east-1",
      "--account-id",
      "123456789012",
      "--format",
      "json",
    );
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).plans).toHaveLength(RULES.length);
    expect(cli("remediate", "--plan", "--snapshot", folder).stderr).toMatch(/cannot tell the region.*give --account-id and --region/);
  });

  it("reads AWS-managed prefix lists from describe-managed-prefix-lists.json as it does from describe-prefix-lists.json", () => {
    const viaPrefixLists = exampleFolder();
    const viaManaged = exampleFolder();
    const lists = JSON.parse(readFileSync(join(viaManaged, "describe-prefix-lists.json"), "utf8")) as { PrefixLists: Row[] };
    rmSync(join(viaManaged, "describe-prefix-lists.json"));
    // The shape `aws ec2 describe-managed-prefix-lists` prints for AWS-managed lists (no Cidrs; OwnerId "AWS").
    const managed = lists.PrefixLists.map(({ PrefixListId, PrefixListName }) => ({
      PrefixListId,
      AddressFamily: "IPv4",
      State: "create-complete",
      PrefixListArn: `arn:aws:ec2:${REGION}:aws:prefix-list/${PrefixListId}`,
      PrefixListName,
      MaxEntries: 20,
      Version: 1,
      Tags: [],
      OwnerId: "AWS",
    }));
    writeFileSync(join(viaManaged, "describe-managed-prefix-lists.json"), JSON.stringify({ PrefixLists: managed }));
    const neither = exampleFolder();
    rmSync(join(neither, "describe-prefix-lists.json"));

    const run = (folder: string) => cli("evaluate", "--snapshot", folder, "--rule", "endpoint-route-present", "--format", "json").stdout;
    const expected = verdicts(run(viaPrefixLists));
    expect(verdicts(run(viaManaged))).toEqual(expected);
    // The blackhole route to a deleted endpoint is told to be s3's by its prefix list's name alone.
    const blackhole =
      "endpoint-route-present rtb-0private00000c01 NON_COMPLIANT s3 route to pl-6da54004 via vpce-0deleted00000001 is blackhole, endpoint gone.";
    expect(expected.some((line) => line.startsWith(blackhole))).toBe(true);
    expect(verdicts(run(neither)).some((line) => line.startsWith(blackhole))).toBe(false);
  });

  it("judges the kind of an output that holds a NextToken as INSUFFICIENT_DATA, never as complete", () => {
    const folder = exampleFolder();
    const instances = JSON.parse(readFileSync(join(folder, "describe-instances.json"), "utf8"));
    writeFileSync(
      join(folder, "describe-instances.json"),
      JSON.stringify({ ...instances, NextToken: "eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==" }),
    );
    const { code, stdout } = cli("evaluate", "--snapshot", folder, "--rule", "imdsv2-required", "--format", "json");
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Row[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.complianceType).toBe("INSUFFICIENT_DATA");
      expect(row.annotation).toBe(
        "Cannot evaluate: missing AWS::EC2::Instance (describe-instances.json holds a NextToken: incomplete output)",
      );
    }
    expect(cli("evaluate", "--snapshot", folder, "--rule", "imdsv2-required", "--fail-on", "insufficient-data").code).toBe(1);
  });
});

describe("refusals: exit 2 and one line naming what is wrong", () => {
  const sg = join(fixtures, "security-groups");
  /** Readable JSON, but no report: refused only once its findings are read. */
  const invalidPrevious = () => {
    const path = join(tmp, "not-a-report.json");
    writeFileSync(path, JSON.stringify({ findings: [] }));
    return path;
  };
  const withFile = (name: string, content: unknown) => {
    const folder = exampleFolder();
    writeFileSync(join(folder, name), JSON.stringify(content));
    return folder;
  };
  const withSubfolder = (name: string) => {
    const folder = exampleFolder();
    mkdirSync(join(folder, name));
    return folder;
  };
  const withMetadata = () => {
    const folder = newFolder({ "metadata.json": { accountId: "123456789012", region: "us-west-2" } });
    cpSync(sg, folder, { recursive: true });
    return folder;
  };
  const volumesOnly = () =>
    writeFile("volumes-history.json", {
      fileVersion: "1.0",
      configurationItems: [
        {
          configurationItemVersion: "1.3",
          configurationItemCaptureTime: "2026-11-20T10:00:00.000Z",
          configurationStateId: 1,
          awsAccountId: "111122223333",
          configurationItemStatus: "OK",
          resourceType: "AWS::EC2::Volume",
          resourceId: "vol-049df61146c4d7901",
          awsRegion: "eu-west-1",
          availabilityZone: "eu-west-1a",
          tags: {},
          relationships: [],
          configuration: { volumeId: "vol-049df61146c4d7901", size: 8 },
          supplementaryConfiguration: {},
        },
      ],
    });
  const recordedWith = (regions: unknown) =>
    writeFile("regions.json", { schemaVersion: "1.0", accountId: "111122223333", capturedAt: "2026-11-20T10:00:00Z", regions });
  const noEvaluation =
    /nothing to evaluate: the inputs hold no resource of the types the selected rules judge \(AWS::EC2::EIP, .*\), so no verdict at all was made; read .*volumes-history\.json \(AWS Config file; not read by any rule: AWS::EC2::Volume \(1 item\)\); found no resource of a type the rules read\. Give --allow-empty/;

  const cases: [string, () => string[], RegExp][] = [
    [
      "a file named after no EC2 command",
      () => ["evaluate", "-s", withFile("describe-instance.json", {})],
      /describe-instance\.json: "describe-instance" is not an EC2 Describe command; did you mean describe-instances\.json\?/,
    ],
    [
      "a describe-*.json that is a folder",
      () => ["evaluate", "-s", withSubfolder("describe-vpcs.json")],
      /describe-vpcs\.json: is a folder, expected a file/,
    ],
    [
      "a read describe-*.json that is a folder",
      () => ["evaluate", "-s", withSubfolder("describe-network-interfaces.json.gz")],
      /describe-network-interfaces\.json\.gz: is a folder, expected a file/,
    ],
    [
      "no region for a folder whose files name none",
      () => ["evaluate", "-s", sg],
      /cannot tell the region \(no Availability Zone in the files\); give --account-id and --region/,
    ],
    [
      "--account-id that disagrees with the files",
      () => ["evaluate", "-s", sg, "--account-id", "111122223333", "--region", "us-east-1"],
      /--account-id 111122223333 disagrees with OwnerId 123456789012 in describe-security-groups\.json/,
    ],
    [
      "--region that disagrees with the files",
      () => ["evaluate", "-s", exampleFolder(), "--region", "us-east-1"],
      /--region us-east-1 disagrees with region eu-west-1 of the Availability Zones in describe-\S+\.json/,
    ],
    [
      "--region that disagrees with metadata.json",
      () => ["report", "-s", withMetadata(), "--region", "us-east-1", "-f", "json", "-o", join(tmp, "r.json")],
      /metadata\.json: --region us-east-1 disagrees with region us-west-2 in metadata\.json/,
    ],
    [
      "--account-id that disagrees with metadata.json",
      () => ["remediate", "--plan", "-s", withMetadata(), "--account-id", "111122223333"],
      /metadata\.json: --account-id 111122223333 disagrees with accountId 123456789012 in metadata\.json/,
    ],
    [
      "--account-id not of 12 digits",
      () => ["evaluate", "-s", sg, "--account-id", "12345"],
      /--account-id.*'12345' is invalid\. expected an account id of 12 digits/,
    ],
    [
      "--region not a region name",
      () => ["evaluate", "-s", sg, "--region", "EU-WEST-1"],
      /--region.*'EU-WEST-1' is invalid\. expected a region name/,
    ],
    [
      "--region with no describe folder",
      () => ["evaluate", "-s", example, "--region", "eu-west-1"],
      /--region is for folders of describe-\* outputs/,
    ],
    [
      "--fail-on of an unknown level",
      () => ["evaluate", "-s", example, "--fail-on", "warning"],
      /'warning' is invalid\. Allowed choices are non-compliant, insufficient-data/,
    ],
    ["no evaluation at all (evaluate)", () => ["evaluate", "-s", volumesOnly()], noEvaluation],
    ["no evaluation at all (report)", () => ["report", "-s", volumesOnly(), "-f", "json", "-o", join(tmp, "empty.json")], noEvaluation],
    [
      "no evaluation at all (report --previous, refused before the previous report's findings are read)",
      () => ["report", "-s", volumesOnly(), "-f", "json", "-o", join(tmp, "empty.json"), "--previous", invalidPrevious()],
      noEvaluation,
    ],
    ["no evaluation at all (remediate --plan)", () => ["remediate", "--plan", "-s", volumesOnly()], noEvaluation],
    [
      "a recorded snapshot whose regions is an array",
      () => ["evaluate", "-s", recordedWith([])],
      /regions\.json: field regions: expected an object of regions .*got an array/,
    ],
    [
      "a recorded snapshot whose regions is a string",
      () => ["evaluate", "-s", recordedWith("eu-west-1")],
      /regions\.json: field regions: expected an object of regions .*got string "eu-west-1"/,
    ],
    [
      "a recorded snapshot whose regions is {}",
      () => ["evaluate", "-s", recordedWith({})],
      /regions\.json: field regions: no region: expected at least one region/,
    ],
  ];
  it.each(cases)("%s", (_name, args, message) => {
    const { code, stderr, stdout } = cli(...args());
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
    expect(stdout).toBe("");
  });

  it("accepts an input with no evaluation under --allow-empty", () => {
    const evaluate = cli("evaluate", "-s", volumesOnly(), "--allow-empty", "--format", "json");
    expect(evaluate).toMatchObject({ code: 0, stdout: "[]\n" });
    expect(cli("report", "-s", volumesOnly(), "--allow-empty", "-f", "json", "-o", join(tmp, "empty.json")).code).toBe(0);
    expect(cli("remediate", "--plan", "-s", volumesOnly(), "--allow-empty").code).toBe(0);
  });

  it("counts INSUFFICIENT_DATA as evaluations: a run of gaps only is not empty", () => {
    const { code, stdout } = cli(
      "evaluate",
      "-s",
      join(root, "examples", "config-snapshot.json.gz"),
      "--rule",
      "placement-group-limits",
      "--format",
      "json",
    );
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Row[]).map((row) => row.complianceType)).toEqual(["INSUFFICIENT_DATA"]);
  });
});
