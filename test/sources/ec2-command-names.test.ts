import { readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { EC2_OPERATIONS } from "../../lib/model/kinds";
import { cliCommandOf, closestName, ec2DescribeCommands, editDistance } from "../../lib/sources/ec2-command-names";

const root = join(__dirname, "..", "..");

describe("EC2 Describe command names", () => {
  it("spells operations as the AWS CLI does", () => {
    expect(cliCommandOf("DescribeVpcEndpoints")).toBe("describe-vpc-endpoints");
    expect(cliCommandOf("DescribeIpv6Pools")).toBe("describe-ipv6-pools");
    expect(cliCommandOf("DescribeManagedPrefixLists")).toBe("describe-managed-prefix-lists");
  });

  it("lists every Describe command of the SDK, including each one the rules read", () => {
    const commands = ec2DescribeCommands();
    for (const command of [
      "describe-vpcs",
      "describe-nat-gateways",
      "describe-volumes",
      "describe-managed-prefix-lists",
      "describe-public-ipv4-pools",
    ]) {
      expect(commands.has(command)).toBe(true);
    }
    for (const operation of Object.keys(EC2_OPERATIONS)) expect(commands.has(cliCommandOf(operation))).toBe(true);
    expect(commands.has("describe-instance")).toBe(false);
    expect(commands.size).toBeGreaterThan(150);
  });

  it("suggests the nearest name only when it is a likely typo", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    const commands = ec2DescribeCommands();
    expect(closestName("describe-instance", commands)).toBe("describe-instances");
    expect(closestName("describe-security-group", commands)).toBe("describe-security-groups");
    expect(closestName("descibe-subnets", commands)).toBe("describe-subnets");
    expect(closestName("inventory", commands)).toBeUndefined();
  });

  it("stays out of the rule functions' bundles: only the offline CLI lists the SDK's commands", async () => {
    // Every rule function is createRuleHandler(rule) from lib/lambda/handler: eip-attached stands for them.
    expect(readdirSync(join(root, "handlers"))).toContain("eip-attached.ts");
    const result = await build({
      entryPoints: [join(root, "handlers", "eip-attached.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      mainFields: ["module", "main"],
      outdir: "/nowhere",
      write: false,
      metafile: true,
      logLevel: "silent",
      external: ["@aws-sdk/client-sts", "@aws-sdk/client-ssm"],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.endsWith("lib/sources/ec2-adapter.ts"))).toBe(true);
    expect(inputs.filter((input) => /ec2-command-names|describe-folder/.test(input))).toEqual([]);
  }, 120_000);
});
