import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Evaluation } from "../../lib/engine/rule";
import { runRules } from "../../lib/engine/run";
import { InputError } from "../../lib/errors";
import { RESOURCE_KINDS } from "../../lib/model/kinds";
import type { ResourceModel } from "../../lib/model/resource-model";
import { buildReport, reportRuleOf } from "../../lib/reports/model";
import { loadSnapshots } from "../../lib/sources/load";
import { RULES } from "../../rules";

const fixtures = join(__dirname, "fixtures", "config-api");
const fixture = (name: string) => join(fixtures, name);
const root = join(__dirname, "..", "..");
const exampleSnapshot = () =>
  JSON.parse(gunzipSync(readFileSync(join(root, "examples", "config-snapshot.json.gz"))).toString("utf8")) as {
    configurationItems: Record<string, unknown>[];
  };

const tmp = mkdtempSync(join(tmpdir(), "config-api-"));
let counter = 0;
function write(name: string, content: unknown): string {
  const path = join(tmp, `${counter++}-${name}`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

async function evaluate(paths: string[]): Promise<{ model: ResourceModel; evaluations: Evaluation[] }> {
  const { model } = await loadSnapshots(paths);
  return { model, evaluations: runRules(model, { rules: RULES }) };
}

async function inputError(paths: string[]): Promise<string> {
  const error = await loadSnapshots(paths).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  const message = (error as Error).message;
  expect(message).not.toContain("\n");
  return message;
}

const find = (evaluations: Evaluation[], ruleId: string, resourceId: string) =>
  evaluations.find((evaluation) => evaluation.ruleId === ruleId && evaluation.resourceId === resourceId);

/** Every record of every kind, for comparing two loads. */
const contents = (model: ResourceModel) => Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, [...model.all(kind)]]));

const INSTANCE = "i-03402838daac1d611";
const INSTANCE_SCOPE = { accountId: "681361479661", region: "us-east-1" };
const EXAMPLE_SCOPE = { accountId: "111122223333", region: "eu-west-1" };

describe("enum-like fields in AWS Config items", () => {
  /** Wraps every scalar of a configuration in `{"value": …}`, as Config may write any enum. */
  const wrapScalars = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(wrapScalars);
    if (value === null) return null;
    if (typeof value !== "object") return { value };
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, wrapScalars(inner)]));
  };
  /** The instance state as a bare string, `{"value": …}` or the usual `{"code", "name"}`. */
  const stateAs = (form: "string" | "value" | "code-name") => (configuration: Record<string, unknown>) => {
    const state = configuration.state as { code: number; name: string } | undefined;
    if (!state || typeof state !== "object" || !("name" in state)) return configuration;
    const forms = { string: state.name, value: { value: state.name }, "code-name": state };
    return { ...configuration, state: forms[form] };
  };
  /** The API shape of a notification-shape item: renamed keys, configuration as a JSON string. */
  const toApiShape = (item: Record<string, unknown>) => {
    const { awsAccountId, ARN, configurationItemVersion, configurationStateMd5Hash, relationships, configuration, ...rest } = item;
    return {
      ...rest,
      accountId: awsAccountId,
      arn: ARN,
      version: configurationItemVersion,
      configurationItemMD5Hash: configurationStateMd5Hash,
      relationships,
      configuration: JSON.stringify(configuration),
    };
  };

  it.each([
    ["notification shape, every scalar as {value}", (configuration: Record<string, unknown>) => wrapScalars(configuration), false],
    ["API shape, every scalar as {value}", (configuration: Record<string, unknown>) => wrapScalars(configuration), true],
    ["notification shape, instance state as a string", stateAs("string"), false],
    ["API shape, instance state as {value}", stateAs("value"), true],
    ["API shape, instance state as {code, name}", stateAs("code-name"), true],
  ])("%s gives the same model and verdicts as the snapshot as delivered", async (_name, rewrite, api) => {
    const original = exampleSnapshot();
    const baseline = await evaluate([write("snapshot.json", original)]);
    const rewritten = {
      ...original,
      configurationItems: original.configurationItems.map((item) => {
        const changed = { ...item, configuration: rewrite(item.configuration as Record<string, unknown>) };
        return api ? toApiShape(changed) : changed;
      }),
    };
    const result = await evaluate([write("rewritten.json", rewritten)]);
    expect(contents(result.model)).toEqual(contents(baseline.model));
    expect(result.evaluations).toEqual(baseline.evaluations);
  });

  it("keeps numbers and booleans typed when unwrapping them", async () => {
    const { model } = await evaluate([
      write("wrapped.json", {
        configurationItems: exampleSnapshot().configurationItems.map((item) => ({
          ...item,
          configuration: wrapScalars(item.configuration),
        })),
      }),
    ]);
    const instance = model.get("instance", "i-0web00000000000001", EXAMPLE_SCOPE);
    expect(instance?.enaSupport).toBe(true);
    expect(instance?.networkInterfaces[0]?.deviceIndex).toBe(0);
    expect(instance?.state).toBe("running");
  });

  it("judges a shutting-down instance whose state is {value} (it was refused whole)", async () => {
    const original = exampleSnapshot();
    const item = original.configurationItems.find((candidate) => candidate.resourceId === "i-0web00000000000001") as Record<
      string,
      unknown
    >;
    const configuration = { ...(item.configuration as Record<string, unknown>), state: { value: "shutting-down" } };
    const { model } = await evaluate([write("shutting-down.json", { ...original, configurationItems: [{ ...item, configuration }] })]);
    expect(model.get("instance", "i-0web00000000000001", EXAMPLE_SCOPE)?.state).toBe("shutting-down");
  });
});

describe("aws configservice get-resource-config-history output", () => {
  it("evaluates the item (configuration a JSON string, CLI v2 timestamps)", async () => {
    const { model, evaluations } = await evaluate([fixture("get-resource-config-history.json")]);
    expect(model.hasCollected(INSTANCE_SCOPE, "instance")).toBe(true);
    expect(find(evaluations, "imdsv2-required", INSTANCE)).toMatchObject({ complianceType: "NON_COMPLIANT", ...INSTANCE_SCOPE });
    expect(find(evaluations, "ec2-no-public-ip", INSTANCE)?.complianceType).toBe("NON_COMPLIANT");
  });

  it("reads CLI v1's epoch-second timestamps", async () => {
    const output = JSON.parse(readFileSync(fixture("get-resource-config-history.json"), "utf8"));
    output.configurationItems[0].configurationItemCaptureTime = 1491430991.677;
    const { inputs } = await loadSnapshots([write("history-v1.json", output)]);
    expect(inputs[0]?.capturedAt).toBe("2017-04-05T22:23:11.677Z");
  });

  it("treats a nextToken as incomplete: that type in that scope is a gap, never judged", async () => {
    const file = fixture("get-resource-config-history-truncated.json");
    const { model, evaluations } = await evaluate([file]);
    expect(model.hasCollected(INSTANCE_SCOPE, "instance")).toBe(false);
    expect(model.gapReason(INSTANCE_SCOPE, "instance")).toBe(
      "get-resource-config-history-truncated.json is incomplete: get-resource-config-history output with a nextToken (a --max-items or --no-paginate run); fetch every page",
    );
    expect(find(evaluations, "imdsv2-required", INSTANCE)?.complianceType).toBe("INSUFFICIENT_DATA");
    // A complete listing given alongside does not make the truncated one complete.
    const again = await evaluate([fixture("get-resource-config-history.json"), file]);
    expect(find(again.evaluations, "imdsv2-required", INSTANCE)?.complianceType).toBe("INSUFFICIENT_DATA");
  });

  it("refuses a nextToken with no item to tell what is missing, and a configuration that is not JSON", async () => {
    const empty = write("empty-page.json", { configurationItems: [], nextToken: "abc" });
    expect(await inputError([empty])).toMatch(new RegExp(`^${empty}: field nextToken: incomplete \\(nextToken present`));
    const output = JSON.parse(readFileSync(fixture("get-resource-config-history.json"), "utf8"));
    output.configurationItems[0].configuration = '{"instanceId": ';
    const bad = write("bad-configuration.json", output);
    expect(await inputError([bad])).toMatch(new RegExp(`^${bad}: field configurationItems\\[0\\]\\.configuration: not valid JSON`));
  });
});

describe("aws configservice batch-get-resource-config output", () => {
  it("evaluates its items and makes the unprocessed keys' type a gap with that reason", async () => {
    const { model, evaluations } = await evaluate([fixture("batch-get-resource-config.json")]);
    expect(find(evaluations, "imdsv2-required", INSTANCE)?.complianceType).toBe("NON_COMPLIANT");
    expect(model.gapReason(INSTANCE_SCOPE, "security-group")).toBe(
      "batch-get-resource-config.json: sg-fd215482 not processed by batch-get-resource-config; run it again for those keys",
    );
    const sg = evaluations.filter((evaluation) => evaluation.ruleId === "sg-attached-to-eni");
    expect(sg).toEqual([
      expect.objectContaining({ complianceType: "INSUFFICIENT_DATA", annotation: expect.stringContaining("sg-fd215482 not processed") }),
    ]);
  });

  it("places the aggregate form's unprocessed identifiers in their own account and region", async () => {
    const output = JSON.parse(readFileSync(fixture("batch-get-resource-config.json"), "utf8"));
    const file = write("aggregate-batch.json", {
      BaseConfigurationItems: output.baseConfigurationItems,
      UnprocessedResourceIdentifiers: [
        { SourceAccountId: "999988887777", SourceRegion: "eu-west-1", ResourceId: "eipalloc-1", ResourceType: "AWS::EC2::EIP" },
      ],
    });
    const { model } = await evaluate([file]);
    expect(model.gapReason({ accountId: "999988887777", region: "eu-west-1" }, "eip")).toMatch(
      /eipalloc-1 not processed by batch-get-aggregate-resource-config/,
    );
    expect(model.hasCollected(INSTANCE_SCOPE, "instance")).toBe(true);
  });

  it("names the item of a bad batch item: missing resourceType, configuration not JSON", async () => {
    const output = JSON.parse(readFileSync(fixture("batch-get-resource-config.json"), "utf8"));
    const { resourceType: _type, ...untyped } = output.baseConfigurationItems[0];
    const missing = write("no-type.json", { baseConfigurationItems: [untyped] });
    expect(await inputError([missing])).toBe(`${missing}: field baseConfigurationItems[0].resourceType: resource ${INSTANCE}: required`);
    const notJson = write("not-json.json", { baseConfigurationItems: [{ ...output.baseConfigurationItems[0], configuration: "{" }] });
    expect(await inputError([notJson])).toMatch(
      new RegExp(`^${notJson}: field baseConfigurationItems\\[0\\]\\.configuration: not valid JSON`),
    );
  });
});

describe("aws configservice select-aggregate-resource-config output", () => {
  it("evaluates every account and region of the aggregator from one file, and reports the deleted EIP", async () => {
    const file = fixture("select-aggregate-resource-config.json");
    const { model, inputs } = await loadSnapshots([file]);
    expect(inputs).toEqual([
      expect.objectContaining({ format: "config", accountIds: ["264683526309", "681361479661"], regions: ["us-east-1"] }),
    ]);
    expect(model.scopes()).toEqual([
      { accountId: "264683526309", region: "us-east-1" },
      { accountId: "681361479661", region: "us-east-1" },
    ]);
    const evaluations = runRules(model, { rules: RULES });
    expect(find(evaluations, "imdsv2-required", INSTANCE)).toMatchObject({ complianceType: "NON_COMPLIANT", ...INSTANCE_SCOPE });
    expect(model.get("route-table", "rtb-50b9b034", { accountId: "264683526309", region: "us-east-1" })).toBeDefined();
    expect(model.get("route-table", "rtb-50b9b034", INSTANCE_SCOPE)).toBeUndefined();
    expect(find(evaluations, "eip-attached", "eipalloc-0b7a1c2d3e4f50617")).toEqual({
      ruleId: "eip-attached",
      resourceType: "AWS::EC2::EIP",
      resourceId: "eipalloc-0b7a1c2d3e4f50617",
      region: "us-east-1",
      accountId: "264683526309",
      complianceType: "NOT_APPLICABLE",
      annotation: "Configuration item status ResourceDeleted: deleted at 2016-09-25T08:12:40.102Z",
    });
  });

  it("treats a NextToken as incomplete for every type of every scope it holds", async () => {
    const output = JSON.parse(readFileSync(fixture("select-aggregate-resource-config.json"), "utf8"));
    const { model, evaluations } = await evaluate([write("select-page.json", { ...output, NextToken: "eyJ0b2tlbiI6IG51bGx9" })]);
    for (const kind of ["instance", "route-table", "eip", "vpc-endpoint"] as const) {
      expect(model.gapReason(INSTANCE_SCOPE, kind)).toMatch(
        /^\d+-select-page\.json is incomplete: select-resource-config output with a NextToken/,
      );
    }
    expect(find(evaluations, "imdsv2-required", INSTANCE)?.complianceType).toBe("INSUFFICIENT_DATA");
  });

  it("refuses results that are not JSON or lack the fields a rule needs, saying what to select", async () => {
    const output = JSON.parse(readFileSync(fixture("select-aggregate-resource-config.json"), "utf8"));
    const notJson = write("select-bad.json", { ...output, Results: ['{"resourceId": '] });
    expect(await inputError([notJson])).toMatch(new RegExp(`^${notJson}: field Results\\[0\\]: not valid JSON`));
    const item = JSON.parse(output.Results[0]);
    for (const key of ["resourceType", "configurationItemStatus", "configuration"]) {
      const { [key]: _dropped, ...rest } = item;
      const file = write(`select-no-${key}.json`, { ...output, Results: [JSON.stringify(rest)] });
      expect(await inputError([file])).toBe(
        `${file}: field Results[0].${key}: resource ${INSTANCE}: required: select it: SELECT *, configurationItemStatus, configuration, tags WHERE resourceType IN (…) (see README)`,
      );
    }
    const noResults = write("select-no-results.json", { QueryInfo: output.QueryInfo });
    expect(await inputError([noResults])).toBe(`${noResults}: field Results: required`);
  });

  it("reads the advanced query's tag list as the item's tags", async () => {
    const output = JSON.parse(readFileSync(fixture("select-aggregate-resource-config.json"), "utf8"));
    const item = JSON.parse(output.Results[0]);
    item.tags = [{ key: "Name", value: "bastion", tag: "Name=bastion" }];
    const { model } = await evaluate([write("select-tags.json", { ...output, Results: [JSON.stringify(item)] })]);
    expect(model.get("instance", INSTANCE, INSTANCE_SCOPE)).toMatchObject({ name: "bastion", tags: { Name: "bastion" } });
  });
});

describe("deleted resources", () => {
  const ACCOUNT = "111122223333";
  const REGION = "eu-west-1";
  const scope = { accountId: ACCOUNT, region: REGION };
  const item = (type: string, id: string, time: string, status: string, configuration: unknown) => ({
    configurationItemVersion: "1.3",
    configurationItemCaptureTime: time,
    awsAccountId: ACCOUNT,
    configurationItemStatus: status,
    resourceType: type,
    resourceId: id,
    awsRegion: REGION,
    tags: {},
    relationships: [],
    configuration,
  });
  const group = { groupId: "sg-9", groupName: "db", ownerId: ACCOUNT, vpcId: "vpc-1", ipPermissions: [], ipPermissionsEgress: [] };
  const eni = { networkInterfaceId: "eni-1", vpcId: "vpc-1", groups: [], status: "in-use", interfaceType: "interface" };
  const okItems = [
    item("AWS::EC2::SecurityGroup", "sg-9", "2026-11-20T10:00:00.000Z", "OK", group),
    item("AWS::EC2::NetworkInterface", "eni-1", "2026-11-20T10:00:00.000Z", "OK", eni),
  ];
  const deletion = item("AWS::EC2::SecurityGroup", "sg-9", "2026-11-22T10:00:00.000Z", "ResourceDeleted", null);

  it("are NOT_APPLICABLE 'deleted at <capture time>' for the rules of their type; the latest item wins in either file order", async () => {
    const before = write("history-1.json", { fileVersion: "1.0", configSnapshotId: "s", configurationItems: okItems });
    const after = write("history-2.json", { fileVersion: "1.0", configurationItems: [deletion] });
    for (const order of [
      [before, after],
      [after, before],
    ]) {
      const { model, evaluations } = await evaluate(order);
      expect(model.get("security-group", "sg-9", scope)).toBeUndefined();
      expect(model.deleted).toEqual([
        { kind: "security-group", id: "sg-9", ...scope, status: "ResourceDeleted", deletedAt: "2026-11-22T10:00:00.000Z" },
      ]);
      expect(evaluations.filter((evaluation) => evaluation.resourceId === "sg-9")).toEqual([
        {
          ruleId: "sg-attached-to-eni",
          resourceType: "AWS::EC2::SecurityGroup",
          resourceId: "sg-9",
          ...scope,
          complianceType: "NOT_APPLICABLE",
          annotation: "Configuration item status ResourceDeleted: deleted at 2026-11-22T10:00:00.000Z",
        },
      ]);
    }
    // An older deletion than the live item: the resource stands.
    const older = write("history-0.json", {
      configurationItems: [{ ...deletion, configurationItemCaptureTime: "2026-11-19T10:00:00.000Z" }],
    });
    const { evaluations } = await evaluate([before, older]);
    expect(find(evaluations, "sg-attached-to-eni", "sg-9")?.complianceType).toBe("NON_COMPLIANT");
  });

  it("show in a report's diff as resolved with the deletion, not as a finding that vanished", async () => {
    const rules = RULES.filter((rule) => rule.meta.id === "sg-attached-to-eni");
    const tool = { name: "test", version: "0" };
    const first = await loadSnapshots([write("day-1.json", { configSnapshotId: "a", configurationItems: okItems })]);
    const previous = buildReport({
      evaluations: runRules(first.model, { rules }),
      rules: rules.map(reportRuleOf),
      scopes: first.model.scopes(),
      tool,
    });
    expect([...previous.findings].find((finding) => finding.resourceId === "sg-9")?.complianceType).toBe("NON_COMPLIANT");
    const second = await loadSnapshots([write("day-2.json", { configSnapshotId: "b", configurationItems: [deletion, okItems[1]] })]);
    const report = buildReport({
      evaluations: runRules(second.model, { rules }),
      rules: rules.map(reportRuleOf),
      scopes: second.model.scopes(),
      tool,
      previous,
    });
    expect(report.diff?.resolved).toEqual([
      expect.objectContaining({
        resourceId: "sg-9",
        complianceType: "NOT_APPLICABLE",
        annotation: expect.stringContaining("deleted at 2026-11-22"),
      }),
    ]);
    expect(report.diff?.resolved[0]?.absent).toBeUndefined();
  });
});

describe("aws configservice describe-configuration-recorders output", () => {
  /** The example account's snapshot without its VPC endpoints: AWS Config files alone cannot tell "none" from "not recorded". */
  const withoutEndpoints = () => {
    const original = exampleSnapshot();
    return write("no-endpoints.json", {
      ...original,
      configurationItems: original.configurationItems.filter((item) => item.resourceType !== "AWS::EC2::VPCEndpoint"),
    });
  };
  const exampleScope = { accountId: "111122223333", region: "eu-west-1" };
  const routeTableVerdicts = (evaluations: Evaluation[]) =>
    evaluations
      .filter((evaluation) => evaluation.ruleId === "endpoint-route-present" && evaluation.resourceType === "AWS::EC2::RouteTable")
      .map((evaluation) => evaluation.complianceType);

  it("turns a recorded type with no items in a snapshot into none, so route tables are judged", async () => {
    const snapshot = withoutEndpoints();
    const alone = await evaluate([snapshot]);
    expect(new Set(routeTableVerdicts(alone.evaluations))).toEqual(new Set(["INSUFFICIENT_DATA"]));
    const recorder = fixture("describe-configuration-recorders-exclusion.json");
    const { model, evaluations } = await evaluate([recorder, snapshot]);
    expect(model.hasCollected(exampleScope, "vpc-endpoint")).toBe(true);
    const verdicts = routeTableVerdicts(evaluations);
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts).not.toContain("INSUFFICIENT_DATA");
    const { inputs } = await loadSnapshots([recorder, snapshot]);
    expect(inputs[0]).toEqual({ path: recorder, format: "config-recorders", accountIds: ["111122223333"], regions: ["eu-west-1"] });
  });

  it("keeps a type the recorder does not record a gap that says so, even where items were expected", async () => {
    const original = exampleSnapshot();
    const noEnis = write("no-enis.json", {
      ...original,
      configurationItems: original.configurationItems.filter((item) => item.resourceType !== "AWS::EC2::NetworkInterface"),
    });
    const { model, evaluations } = await evaluate([fixture("describe-configuration-recorders-exclusion.json"), noEnis]);
    expect(model.gapReason(exampleScope, "network-interface")).toBe(
      "not recorded: recorder default excludes this type (describe-configuration-recorders-exclusion.json)",
    );
    expect(
      new Set(
        evaluations.filter((evaluation) => evaluation.ruleId === "sg-attached-to-eni").map((evaluation) => evaluation.complianceType),
      ),
    ).toEqual(new Set(["INSUFFICIENT_DATA"]));
  });

  it("applies a recorder named only by its role's account to that account's scopes (the AWS CLI's examples)", async () => {
    const items = exampleSnapshot().configurationItems.map((item): Record<string, unknown> => ({ ...item, awsAccountId: "123456789012" }));
    const snapshot = write("account-123.json", {
      configSnapshotId: "x",
      configurationItems: items.filter((item) => item.resourceType !== "AWS::EC2::VPCEndpoint"),
    });
    const scope = { accountId: "123456789012", region: "eu-west-1" };
    const all = await evaluate([fixture("describe-configuration-recorders.json"), snapshot]);
    expect(all.model.hasCollected(scope, "vpc-endpoint")).toBe(true);
    const listed = await evaluate([fixture("describe-configuration-recorders-inclusion.json"), snapshot]);
    expect(listed.model.gapReason(scope, "vpc-endpoint")).toBe(
      "not recorded: recorder default records only the 9 type(s) it lists (describe-configuration-recorders-inclusion.json)",
    );
  });

  it("does not infer none from files that are not snapshots", async () => {
    const history = write("history.json", {
      fileVersion: "1.0",
      configurationItems: exampleSnapshot().configurationItems.filter((item) => item.resourceType === "AWS::EC2::RouteTable"),
    });
    const { model } = await evaluate([fixture("describe-configuration-recorders-exclusion.json"), history]);
    expect(model.gapReason(exampleScope, "vpc-endpoint")).toBe(
      "no AWS::EC2::VPCEndpoint items, and no AWS Config snapshot file of this account and region to show that none exist",
    );
  });

  it("refuses a recorder alone, for an account no Config input holds, two for one scope, or a bad strategy", async () => {
    const recorder = fixture("describe-configuration-recorders-exclusion.json");
    expect(await inputError([recorder])).toBe(
      `${recorder}: configuration recorders only say which types AWS Config records: give the account's AWS Config snapshot files alongside`,
    );
    const snapshot = withoutEndpoints();
    const other = fixture("describe-configuration-recorders.json");
    expect(await inputError([other, snapshot])).toBe(
      `${other}: the configuration recorder is for 123456789012, which no AWS Config input holds items of`,
    );
    const copy = write("recorders-copy.json", readFileSync(recorder, "utf8"));
    expect(await inputError([recorder, copy, snapshot])).toMatch(
      new RegExp(`^${copy}: two configuration recorders speak for 111122223333/eu-west-1`),
    );
    const bad = write("bad-recorder.json", {
      ConfigurationRecorders: [{ name: "default", recordingGroup: { recordingStrategy: { useOnly: "SOME" } } }],
    });
    expect(await inputError([bad, snapshot])).toMatch(
      new RegExp(`^${bad}: field ConfigurationRecorders\\.0\\.recordingGroup\\.recordingStrategy\\.useOnly: `),
    );
  });

  it("treats no customer managed recorder as nothing recorded", async () => {
    const none = write("no-recorder.json", { ConfigurationRecorders: [] });
    const { model } = await evaluate([none, withoutEndpoints()]);
    expect(model.hasCollected(exampleScope, "instance")).toBe(true);
    expect(model.gapReason(exampleScope, "vpc-endpoint")).toMatch(/^not recorded: no configuration recorder/);
  });
});
