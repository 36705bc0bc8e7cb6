import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { InputError } from "../../lib/errors";
import type { ResourceModel } from "../../lib/model/resource-model";
import { loadSnapshots } from "../../lib/sources/load";
import { renderSnapshotSchema } from "../../scripts/generate-schema";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const scope = { accountId: ACCOUNT, region: REGION };
const root = mkdtempSync(join(tmpdir(), "loaders-"));
let counter = 0;

function write(name: string, content: unknown, { gzip = false } = {}): string {
  const path = join(root, `${counter++}-${name}`);
  const text = typeof content === "string" ? content : JSON.stringify(content, null, 1);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

const instance = (id: string, extra: Record<string, unknown> = {}) => ({
  InstanceId: id,
  InstanceType: "c5.large",
  State: { Code: 16, Name: "running" },
  Placement: { AvailabilityZone: "eu-west-1a", GroupName: "pg-spread", Tenancy: "default" },
  SubnetId: "subnet-1",
  VpcId: "vpc-1",
  NetworkInterfaces: [],
  SecurityGroups: [{ GroupId: "sg-1", GroupName: "web" }],
  MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 1, State: "applied" },
  ...extra,
});

const responses = {
  DescribeInstances: { Reservations: [{ ReservationId: "r-1", OwnerId: ACCOUNT, Instances: [instance("i-1"), instance("i-2")] }] },
  DescribeAddresses: { Addresses: [{ AllocationId: "eipalloc-1", PublicIp: "203.0.113.1", Domain: "vpc" }] },
  DescribeSecurityGroups: {
    SecurityGroups: [{ GroupId: "sg-1", GroupName: "web", OwnerId: ACCOUNT, VpcId: "vpc-1", IpPermissions: [], IpPermissionsEgress: [] }],
  },
  DescribePlacementGroups: { PlacementGroups: [{ GroupName: "pg-spread", GroupId: "pg-1", State: "available", Strategy: "spread" }] },
  DescribeInstanceTypes: { InstanceTypes: [{ InstanceType: "c5.large", NetworkInfo: { EnaSupport: "required" } }] },
};

function recorded(overrides: Record<string, unknown> = {}, operations: Record<string, unknown> = responses) {
  return {
    schemaVersion: "1.0",
    accountId: ACCOUNT,
    capturedAt: "2026-11-23T12:00:00.000Z",
    regions: { [REGION]: operations },
    ...overrides,
  };
}

async function inputError(paths: string[]): Promise<InputError> {
  const error = await loadSnapshots(paths).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as Error).message).not.toContain("\n");
  return error as InputError;
}

/** Everything in a model, by kind, for comparing two loads. */
function contents(model: ResourceModel) {
  const kinds = ["instance", "eip", "security-group", "placement-group", "instance-type", "subnet", "route-table"] as const;
  return Object.fromEntries(kinds.map((kind) => [kind, [...model.all(kind)]]));
}

function configItem(type: string, id: string, time: string, status: string, configuration: unknown) {
  return {
    configurationItemVersion: "1.3",
    configurationItemCaptureTime: time,
    configurationStateId: Date.parse(time),
    awsAccountId: ACCOUNT,
    configurationItemStatus: status,
    resourceType: type,
    resourceId: id,
    awsRegion: REGION,
    availabilityZone: "Not Applicable",
    tags: {},
    relationships: [],
    configuration,
    supplementaryConfiguration: {},
  };
}

const eipConfiguration = (associationId?: string) => ({
  allocationId: "eipalloc-9",
  publicIp: "198.51.100.9",
  domain: "vpc",
  associationId,
});
const sgConfiguration = { groupId: "sg-9", groupName: "db", ownerId: ACCOUNT, vpcId: "vpc-1", ipPermissions: [], ipPermissionsEgress: [] };

describe("recorded snapshot", () => {
  it("loads items and coverage, reports what it read, and gives the same model plain or gzipped", async () => {
    const plain = write("snap.json", recorded());
    const gzipped = write("snap.bin", recorded(), { gzip: true });
    const a = await loadSnapshots([plain]);
    const b = await loadSnapshots([gzipped]);
    expect(a.inputs).toEqual([
      { path: plain, format: "recorded", accountIds: [ACCOUNT], regions: [REGION], capturedAt: "2026-11-23T12:00:00.000Z" },
    ]);
    expect([...a.model.all("instance")].map((i) => i.id)).toEqual(["i-1", "i-2"]);
    expect(a.model.get("instance", "i-1", scope)).toMatchObject({ accountId: ACCOUNT, region: REGION, placementGroupName: "pg-spread" });
    expect(a.model.hasCollected(scope, "placement-group")).toBe(true);
    expect(a.model.hasCollected(scope, "subnet")).toBe(false);
    expect(a.model.gapReason(scope, "subnet")).toBe(`DescribeSubnets is not in the recorded snapshot ${plain} for ${REGION}`);
    expect(contents(b.model)).toEqual(contents(a.model));
    expect(b.model.coverage.collected).toEqual(a.model.coverage.collected);
  });

  it("takes the account id even when it comes after the regions", async () => {
    const { regions, ...rest } = recorded();
    const file = write("late-header.json", `{"regions": ${JSON.stringify(regions)}, ${JSON.stringify(rest).slice(1)}`);
    const { model } = await loadSnapshots([file]);
    expect(model.get("eip", "eipalloc-1", scope)?.accountId).toBe(ACCOUNT);
  });

  it("turns listed failures into gaps with the error", async () => {
    const failures = [{ region: REGION, operation: "DescribeAddresses", error: "UnauthorizedOperation: no" }];
    const { model } = await loadSnapshots([write("partial.json", recorded({ failures }))]);
    expect(model.hasCollected(scope, "eip")).toBe(false);
    expect(model.gapReason(scope, "eip")).toBe("DescribeAddresses failed when the snapshot was recorded: UnauthorizedOperation: no");
    expect(model.hasCollected(scope, "instance")).toBe(true);
  });

  it("rejects an unknown schemaVersion, naming the file, field and value", async () => {
    const file = write("v9.json", recorded({ schemaVersion: "9" }));
    expect((await inputError([file])).message).toBe(`${file}: field schemaVersion: unsupported schemaVersion "9" (supported: 1.0)`);
  });

  it.each([
    ["accountId", { accountId: undefined }, "field accountId: required"],
    ["accountId", { accountId: "1234" }, "field accountId: expected 12 digits"],
    ["capturedAt", { capturedAt: "yesterday" }, "field capturedAt: Invalid ISO datetime"],
    ["schemaVersion", { schemaVersion: undefined }, "field schemaVersion: required"],
  ])("rejects a bad %s", async (_field, overrides, message) => {
    const file = write("bad-header.json", recorded(overrides));
    expect((await inputError([file])).message).toBe(`${file}: ${message}`);
  });

  it("names the file, JSON path and resource of an item missing a required field", async () => {
    const reservations = [{ ReservationId: "r-1", Instances: [instance("i-1"), { ...instance("i-2"), InstanceId: undefined }] }];
    const file = write("missing-id.json", recorded({}, { DescribeInstances: { Reservations: reservations } }));
    expect((await inputError([file])).message).toBe(
      `${file}: field regions.${REGION}.DescribeInstances.Reservations[0].Instances[1].InstanceId: resource r-1: required`,
    );
  });

  it.each([
    [{ DescribeInstances: {} }, `field regions.${REGION}.DescribeInstances.Reservations: required`],
    [
      { DescribeInstances: { Reservations: {} } },
      `field regions.${REGION}.DescribeInstances.Reservations: expected an array, got an object`,
    ],
    [{ DescribeInstance: { Reservations: [] } }, `field regions.${REGION}.DescribeInstance: unknown operation "DescribeInstance"`],
  ])("rejects a malformed region %j", async (operations, message) => {
    const file = write("bad-region.json", recorded({}, operations as Record<string, unknown>));
    expect((await inputError([file])).message).toContain(`${file}: ${message}`);
  });

  it("rejects a file that is not JSON and a truncated gzip file, naming the file", async () => {
    const notJson = write("notes.json", "these are not the droids");
    expect((await inputError([notJson])).message).toBe(`${notJson}: not a JSON object: expected '{', found 't' at byte 0`);
    const zipped = gzipSync(JSON.stringify(recorded()));
    const truncated = write("cut.json.gz", "");
    writeFileSync(truncated, zipped.subarray(0, zipped.length >> 1));
    expect((await inputError([truncated])).message).toMatch(
      new RegExp(`^${escapeRegExp(truncated)}: truncated gzip .* at compressed byte \\d+$`),
    );
  });

  it("rejects a missing file and a JSON file of neither format", async () => {
    const missing = join(root, "nowhere.json");
    expect((await inputError([missing])).message).toBe(`${missing}: no such file or folder`);
    const other = write("other.json", { hello: 1, world: [] });
    expect((await inputError([other])).message).toBe(
      `${other}: neither a recorded snapshot (no schemaVersion or regions) nor AWS Config items (no configurationItems, baseConfigurationItems or Results) nor configuration recorders (no ConfigurationRecorders); top-level keys: hello, world`,
    );
  });

  it.each([
    ["an array", [], 'expected an object of regions (e.g. {"eu-west-1": {…}}), got an array'],
    ["a string", "eu-west-1", 'expected an object of regions (e.g. {"eu-west-1": {…}}), got string "eu-west-1"'],
    ["null", null, 'expected an object of regions (e.g. {"eu-west-1": {…}}), got null'],
    ["an empty object", {}, "no region: expected at least one region with its Describe* responses"],
  ])("refuses regions that is %s, naming the file and field regions", async (_what, regions, problem) => {
    const file = write("regions.json", recorded({ regions }));
    expect((await inputError([file])).message).toBe(`${file}: field regions: ${problem}`);
  });

  it("publishes the JSON Schema generated from the loader's zod schema", () => {
    const committed = readFileSync(join(__dirname, "..", "..", "schema", "snapshot.schema.json"), "utf8");
    expect(committed).toBe(renderSnapshotSchema());
    const schema = JSON.parse(committed);
    expect(schema.required).toEqual(expect.arrayContaining(["schemaVersion", "accountId", "capturedAt", "regions"]));
    expect(schema.properties.regions).toMatchObject({ type: "object", minProperties: 1 });
    const region = schema.properties.regions.additionalProperties;
    expect(region.properties.DescribeInstances.required).toEqual(["Reservations"]);
  });
});

describe("AWS Config files", () => {
  const history1 = () => ({
    fileVersion: "1.0",
    configurationItems: [
      configItem("AWS::EC2::EIP", "eipalloc-9", "2026-11-20T10:00:00.000Z", "ResourceDiscovered", eipConfiguration()),
      configItem("AWS::EC2::SecurityGroup", "sg-9", "2026-11-20T10:00:00.000Z", "ResourceDiscovered", sgConfiguration),
      configItem("AWS::S3::Bucket", "my-bucket", "2026-11-20T10:00:00.000Z", "OK", { name: "my-bucket" }),
    ],
  });
  const history2 = () => ({
    fileVersion: "1.0",
    configurationItems: [
      configItem("AWS::EC2::EIP", "eipalloc-9", "2026-11-21T10:00:00.000Z", "OK", eipConfiguration("eipassoc-1")),
      configItem("AWS::EC2::SecurityGroup", "sg-9", "2026-11-22T10:00:00.000Z", "ResourceDeleted", null),
      configItem("AWS::EC2::Subnet", "subnet-7", "2026-11-22T10:00:00.000Z", "ResourceNotRecorded", null),
    ],
  });

  it("keeps each resource's latest item across files in either order, and removes deleted ones", async () => {
    const first = write("history1.json.gz", history1(), { gzip: true });
    const second = write("history2.json", history2());
    for (const order of [
      [first, second],
      [second, first],
    ]) {
      const { model, inputs } = await loadSnapshots(order);
      expect(model.get("eip", "eipalloc-9", scope)?.associationId).toBe("eipassoc-1");
      expect(model.get("security-group", "sg-9", scope)).toBeUndefined();
      expect(model.hasCollected(scope, "eip")).toBe(true);
      expect(model.hasCollected(scope, "security-group")).toBe(true);
      expect(model.hasCollected(scope, "subnet")).toBe(false);
      expect(model.gapReason(scope, "subnet")).toBe("no AWS::EC2::Subnet items in the AWS Config files: not recorded, or none exist");
      expect(inputs.map((input) => input.format)).toEqual(["config", "config"]);
      expect(inputs.find((input) => input.path === second)?.capturedAt).toBe("2026-11-22T10:00:00.000Z");
    }
  });

  it("lets a later live item undo a deletion, and an older one of either kind change nothing, in any file order", async () => {
    const item = (time: string, status: string, association?: string) =>
      configItem("AWS::EC2::EIP", "eipalloc-9", time, status, status === "ResourceDeleted" ? null : eipConfiguration(association));
    const files = [
      write("t1.json", { fileVersion: "1.0", configurationItems: [item("2026-11-20T10:00:00.000Z", "OK", "eipassoc-old")] }),
      write("t2.json", { fileVersion: "1.0", configurationItems: [item("2026-11-21T10:00:00.000Z", "ResourceDeleted")] }),
      write("t3.json", { fileVersion: "1.0", configurationItems: [item("2026-11-22T10:00:00.000Z", "OK", "eipassoc-new")] }),
    ];
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
      [0, 2, 1],
    ]) {
      const { model } = await loadSnapshots(order.map((index) => files[index] as string));
      expect(model.get("eip", "eipalloc-9", scope)?.associationId).toBe("eipassoc-new");
      expect(model.deleted).toEqual([]);
    }
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      const { model } = await loadSnapshots(order.map((index) => files[index] as string));
      expect(model.get("eip", "eipalloc-9", scope)).toBeUndefined();
      expect(model.deleted).toEqual([expect.objectContaining({ kind: "eip", id: "eipalloc-9", deletedAt: "2026-11-21T10:00:00.000Z" })]);
    }
  });

  it("reports placement groups and instance types as gaps unless a recorded snapshot fills them, in either order", async () => {
    const config = write("config.json", { ...history1(), configSnapshotId: "abc" });
    const alone = await loadSnapshots([config]);
    expect(alone.model.hasCollected(scope, "placement-group")).toBe(false);
    expect(alone.model.gapReason(scope, "placement-group")).toBe(
      "AWS Config does not record placement groups; give a recorded snapshot alongside",
    );
    expect(alone.model.gapReason(scope, "instance-type")).toMatch(/does not record instance types/);

    const snapshot = write("pg.json", recorded({}, { DescribePlacementGroups: responses.DescribePlacementGroups }));
    for (const order of [
      [config, snapshot],
      [snapshot, config],
    ]) {
      const { model, inputs } = await loadSnapshots(order);
      expect(model.hasCollected(scope, "placement-group")).toBe(true);
      expect(model.gapReason(scope, "placement-group")).toBeUndefined();
      expect(model.get("placement-group", "pg-1", scope)?.strategy).toBe("spread");
      expect(model.get("eip", "eipalloc-9", scope)).toBeDefined();
      expect(model.hasCollected(scope, "instance-type")).toBe(false);
      expect(inputs.map((input) => input.path)).toEqual(order);
    }
  });

  it("names the resource types it holds that no rule reads", async () => {
    const file = write("history1.json", history1());
    expect((await loadSnapshots([file])).unread.get(file)).toEqual(["AWS::S3::Bucket (1 item)"]);
    const volumes = write("volumes.json", {
      fileVersion: "1.0",
      configurationItems: ["vol-1", "vol-2"].map((id) =>
        configItem("AWS::EC2::Volume", id, "2026-11-20T10:00:00.000Z", "OK", { volumeId: id }),
      ),
    });
    const { model, unread } = await loadSnapshots([volumes]);
    expect(unread.get(volumes)).toEqual(["AWS::EC2::Volume (2 items)"]);
    expect(model.scopes()).toEqual([]);
  });

  it("rejects a file whose configurationItems is not an array", async () => {
    const file = write("bad-config.json", { fileVersion: "1.0", configurationItems: { oops: true } });
    expect((await inputError([file])).message).toBe(`${file}: field configurationItems: expected an array, got an object`);
  });

  it("names the item and resource of a bad configuration item", async () => {
    const item = configItem("AWS::EC2::SecurityGroup", "sg-9", "2026-11-20T10:00:00.000Z", "OK", sgConfiguration);
    const file = write("bad-item.json", { fileVersion: "1.0", configurationItems: [item, { ...item, awsRegion: undefined }] });
    expect((await inputError([file])).message).toBe(`${file}: field configurationItems[1].awsRegion: resource sg-9: required`);
  });
});

describe("describe folder", () => {
  function folder(files: Record<string, unknown>): string {
    const path = join(root, `${counter++}-describe`);
    mkdirSync(path);
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(path, name), name.endsWith(".gz") ? gzipSync(JSON.stringify(content)) : JSON.stringify(content, null, 4));
    }
    return path;
  }

  it("loads aws ec2 describe-… outputs, inferring the account from OwnerId and the region from zones", async () => {
    const path = folder({
      "describe-instances.json": { ...responses.DescribeInstances, NextToken: null },
      "describe-addresses.json.gz": responses.DescribeAddresses,
      "describe-placement-groups.json": responses.DescribePlacementGroups,
    });
    const { model, inputs } = await loadSnapshots([path]);
    expect(inputs).toEqual([{ path, format: "describe-folder", accountIds: [ACCOUNT], regions: [REGION] }]);
    expect([...model.all("instance")].map((i) => [i.id, i.accountId, i.region])).toEqual([
      ["i-1", ACCOUNT, REGION],
      ["i-2", ACCOUNT, REGION],
    ]);
    expect(model.get("placement-group", "pg-1", scope)).toBeDefined();
    expect(model.hasCollected(scope, "eip")).toBe(true);
    expect(model.gapReason(scope, "subnet")).toBe(`no describe-subnets.json in ${path}`);
  });

  it("takes account and region from metadata.json when given", async () => {
    const path = folder({
      "metadata.json": { accountId: "444455556666", region: "us-east-2" },
      "describe-addresses.json": responses.DescribeAddresses,
    });
    const { model } = await loadSnapshots([path]);
    expect(model.get("eip", "eipalloc-1", { accountId: "444455556666", region: "us-east-2" })).toBeDefined();
  });

  it("says what to give when the account or region cannot be told", async () => {
    const path = folder({ "describe-addresses.json": responses.DescribeAddresses });
    expect((await inputError([path])).message).toBe(
      `${path}: cannot tell the account id (no OwnerId in the files); give --account-id and --region, or add metadata.json with {"accountId": "123456789012", "region": "eu-west-1"}`,
    );
  });

  it("rejects a name that is no EC2 Describe command, suggesting the nearest", async () => {
    const path = folder({ "describe-instance.json": responses.DescribeInstances });
    expect((await inputError([path])).message).toBe(
      `${join(path, "describe-instance.json")}: "describe-instance" is not an EC2 Describe command; did you mean describe-instances.json? ` +
        "(files are named after the aws ec2 command that printed them, e.g. describe-instances.json)",
    );
    const gz = folder({ ...files(), "describe-nat-gateway.json.gz": { NatGateways: [] } });
    expect((await inputError([gz])).message).toContain("did you mean describe-nat-gateways.json.gz?");
    const far = folder({ ...files(), "describe-everything.json": {} });
    expect((await inputError([far])).message).toBe(
      `${join(far, "describe-everything.json")}: "describe-everything" is not an EC2 Describe command; (files are named after the aws ec2 command that printed them, e.g. describe-instances.json)`,
    );
    const other = folder({ ...files(), "notes.txt": "hello" });
    expect((await inputError([other])).message).toMatch(
      new RegExp(`^${escapeRegExp(join(other, "notes.txt"))}: unexpected file in a describe folder`),
    );
  });

  /** Files that the rules read, from which account and region can be inferred. */
  const files = () => ({
    "describe-instances.json": responses.DescribeInstances,
    "describe-addresses.json": responses.DescribeAddresses,
    "describe-security-groups.json": responses.DescribeSecurityGroups,
  });

  it("ignores the outputs of real EC2 Describe commands that no rule reads, naming them in one warning", async () => {
    const plain = await loadSnapshots([folder(files())]);
    const path = folder({
      ...files(),
      "describe-vpcs.json": { Vpcs: [{ VpcId: "vpc-1", OwnerId: "999999999999" }] },
      "describe-volumes.json.gz": { Volumes: [] },
      "describe-ipv6-pools.json": "not even read",
    });
    const { model, inputs, warnings, unread } = await loadSnapshots([path]);
    expect(warnings).toEqual([
      `${path}: ignored describe-ipv6-pools.json, describe-volumes.json.gz, describe-vpcs.json (EC2 outputs that no rule reads)`,
    ]);
    expect(unread.get(path)).toEqual(["describe-ipv6-pools.json", "describe-volumes.json.gz", "describe-vpcs.json"]);
    expect(inputs[0]).toMatchObject({ accountIds: [ACCOUNT], regions: [REGION] });
    expect(contents(model)).toEqual(contents(plain.model));
    expect(model.coverage.collected).toEqual(plain.model.coverage.collected);
    expect((await loadSnapshots([folder(files())])).warnings).toEqual([]);
  });

  const managed = {
    PrefixLists: [
      {
        PrefixListId: "pl-6da54004",
        AddressFamily: "IPv4",
        State: "create-complete",
        PrefixListName: "com.amazonaws.eu-west-1.s3",
        MaxEntries: 20,
        Version: 1,
        Tags: [],
        OwnerId: "AWS",
      },
      {
        PrefixListId: "pl-0123456abcabcabc1",
        AddressFamily: "IPv4",
        State: "active",
        PrefixListName: "vpc-cidrs",
        MaxEntries: 10,
        Version: 1,
        Tags: [],
        OwnerId: ACCOUNT,
      },
    ],
  };

  it("reads describe-managed-prefix-lists.json as prefix lists, alone or merged by id with describe-prefix-lists.json", async () => {
    const alone = (await loadSnapshots([folder({ ...files(), "describe-managed-prefix-lists.json": managed })])).model;
    expect(alone.hasCollected(scope, "prefix-list")).toBe(true);
    expect(alone.prefixList("pl-6da54004", scope)).toMatchObject({
      name: "com.amazonaws.eu-west-1.s3",
      accountId: ACCOUNT,
      region: REGION,
    });
    expect(alone.prefixList("pl-0123456abcabcabc1", scope)?.name).toBe("vpc-cidrs");
    const service = {
      PrefixLists: [{ PrefixListId: "pl-6ea54007", PrefixListName: "com.amazonaws.eu-west-1.dynamodb", Cidrs: ["52.94.24.0/23"] }],
    };
    const both = (
      await loadSnapshots([folder({ ...files(), "describe-managed-prefix-lists.json": managed, "describe-prefix-lists.json": service })])
    ).model;
    expect([...both.all("prefix-list")].map((list) => list.id).sort()).toEqual(["pl-0123456abcabcabc1", "pl-6da54004", "pl-6ea54007"]);
    const neither = (await loadSnapshots([folder(files())])).model;
    expect(neither.gapReason(scope, "prefix-list")).toMatch(/^no describe-prefix-lists.json or describe-managed-prefix-lists.json in /);
  });

  it("treats an output that still holds a NextToken as incomplete: its kind is a gap, its items are kept", async () => {
    const path = folder({
      ...files(),
      "describe-addresses.json": { ...responses.DescribeAddresses, NextToken: "eyJOZXh0VG9rZW4iOiBudWxsfQ==" },
    });
    const { model } = await loadSnapshots([path]);
    expect(model.hasCollected(scope, "eip")).toBe(false);
    expect(model.gapReason(scope, "eip")).toBe("describe-addresses.json holds a NextToken: incomplete output");
    expect(model.get("eip", "eipalloc-1", scope)).toBeDefined();
    expect(model.hasCollected(scope, "instance")).toBe(true);
    // One complete source of a kind is enough: a partial managed list beside a complete describe-prefix-lists.
    const lists = folder({
      ...files(),
      "describe-managed-prefix-lists.json": { ...managed, NextToken: "abc" },
      "describe-prefix-lists.json": { PrefixLists: [] },
    });
    expect((await loadSnapshots([lists])).model.hasCollected(scope, "prefix-list")).toBe(true);
  });

  it("takes the account and region from --account-id/--region, which must agree with metadata.json and the files", async () => {
    const bare = folder({ "describe-addresses.json": responses.DescribeAddresses });
    const { model, inputs } = await loadSnapshots([bare], { describeFolderScope: { accountId: "444455556666", region: "us-east-2" } });
    expect(model.get("eip", "eipalloc-1", { accountId: "444455556666", region: "us-east-2" })).toBeDefined();
    expect(inputs[0]).toMatchObject({ accountIds: ["444455556666"], regions: ["us-east-2"] });
    // One flag, the other inferred.
    const inferred = await loadSnapshots([folder(files())], { describeFolderScope: { region: REGION } });
    expect(inferred.inputs[0]).toMatchObject({ accountIds: [ACCOUNT], regions: [REGION] });

    const withMetadata = folder({
      "metadata.json": { accountId: "444455556666", region: "us-east-2" },
      "describe-addresses.json": responses.DescribeAddresses,
    });
    expect((await loadSnapshots([withMetadata], { describeFolderScope: { accountId: "444455556666" } })).inputs[0]?.regions).toEqual([
      "us-east-2",
    ]);
    expect((await inputError2([withMetadata], { accountId: "111111111111" })).message).toBe(
      `${join(withMetadata, "metadata.json")}: --account-id 111111111111 disagrees with accountId 444455556666 in metadata.json`,
    );
    expect((await inputError2([withMetadata], { region: "eu-west-1" })).message).toBe(
      `${join(withMetadata, "metadata.json")}: --region eu-west-1 disagrees with region us-east-2 in metadata.json`,
    );
    const named = folder(files());
    expect((await inputError2([named], { accountId: "444455556666" })).message).toBe(
      `${named}: --account-id 444455556666 disagrees with OwnerId ${ACCOUNT} in describe-instances.json`,
    );
    expect((await inputError2([named], { region: "us-east-2" })).message).toBe(
      `${named}: --region us-east-2 disagrees with region ${REGION} of the Availability Zones in describe-instances.json`,
    );
    const snapshot = write("snap.json", recorded());
    expect((await inputError2([snapshot], { region: REGION })).message).toBe(
      "--region is for folders of describe-* outputs (recorded snapshots and AWS Config files name their own account and region)",
    );
  });

  it("names a describe-*.json that is a folder in one line", async () => {
    const path = folder(files());
    mkdirSync(join(path, "describe-subnets.json"));
    expect((await inputError([path])).message).toBe(
      `${join(path, "describe-subnets.json")}: is a folder, expected a file (the JSON output of an aws ec2 command)`,
    );
    const linked = folder(files());
    symlinkSync(root, join(linked, "describe-route-tables.json"));
    expect((await inputError([linked])).message).toBe(
      `${join(linked, "describe-route-tables.json")}: is a folder, expected a file (the JSON output of an aws ec2 command)`,
    );
    const ignored = folder(files());
    mkdirSync(join(ignored, "describe-vpcs.json"));
    expect((await inputError([ignored])).message).toBe(
      `${join(ignored, "describe-vpcs.json")}: is a folder, expected a file (the JSON output of an aws ec2 command)`,
    );
  });
});

async function inputError2(paths: string[], describeFolderScope: { accountId?: string; region?: string }): Promise<InputError> {
  const error = await loadSnapshots(paths, { describeFolderScope }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
