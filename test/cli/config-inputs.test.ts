import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runCli } from "../support/cli";

const root = ROOT;
const fixture = (name: string) => join(root, "test", "sources", "fixtures", "config-api", name);

const cli = (...args: string[]) => runCli(args);

const tmp = mkdtempSync(join(tmpdir(), "cli-config-inputs-"));
const write = (name: string, content: unknown) => {
  const path = join(tmp, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
};
const read = (name: string) => JSON.parse(readFileSync(fixture(name), "utf8"));

describe("evaluate on the AWS Config API's outputs", () => {
  it("evaluates an aggregator's select results across accounts, exit 1 for the violations", () => {
    const { code, stdout } = cli("evaluate", "--format", "json", "--snapshot", fixture("select-aggregate-resource-config.json"));
    expect(code).toBe(1);
    const rows = JSON.parse(stdout) as { accountId: string; resourceId: string; complianceType: string }[];
    expect(new Set(rows.map((row) => row.accountId))).toEqual(new Set(["264683526309", "681361479661"]));
    expect(rows).toContainEqual(expect.objectContaining({ resourceId: "eipalloc-0b7a1c2d3e4f50617", complianceType: "NOT_APPLICABLE" }));
  });

  it.each([
    [
      "select results with an entry that is not JSON",
      () => write("select.json", { ...read("select-aggregate-resource-config.json"), Results: ["{"] }),
      "field Results[0]: not valid JSON",
    ],
    [
      "a history item whose configuration is not JSON",
      () => {
        const output = read("get-resource-config-history.json");
        output.configurationItems[0].configuration = "{";
        return write("history.json", output);
      },
      "field configurationItems[0].configuration: not valid JSON",
    ],
    [
      "a batch item without resourceType",
      () => {
        const output = read("batch-get-resource-config.json");
        delete output.baseConfigurationItems[0].resourceType;
        return write("batch.json", output);
      },
      "field baseConfigurationItems[0].resourceType: resource i-03402838daac1d611: required",
    ],
    [
      "an empty page with a nextToken",
      () => write("page.json", { configurationItems: [], nextToken: "abc" }),
      "field nextToken: incomplete",
    ],
    [
      "a recorder with an unknown recording strategy",
      () => write("recorders.json", { ConfigurationRecorders: [{ recordingGroup: { recordingStrategy: { useOnly: "SOME" } } }] }),
      "field ConfigurationRecorders.0.recordingGroup.recordingStrategy.useOnly",
    ],
  ])("exits 2 with one line naming the file and field for %s", (_name, make, expected) => {
    const file = make();
    const { code, stderr, stdout } = cli("evaluate", "--snapshot", file, fixture("get-resource-config-history.json"));
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain(file);
    expect(stderr).toContain(expected);
  });
});
