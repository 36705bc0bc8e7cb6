import * as ec2Sdk from "@aws-sdk/client-ec2";
import {
  CONFIG_RECORDED_KINDS,
  EC2_OPERATIONS,
  idFilterOf,
  KINDS,
  kindOfConfigType,
  kindOfResourceId,
  RESOURCE_KINDS,
} from "../../lib/model/kinds";
import { ModelBuilder } from "../../lib/model/resource-model";
import { NORMALIZERS, normalizeEc2Item } from "../../lib/sources/ec2-adapter";
import { ACCOUNT, REGION, RESPONSES } from "../../scripts/example-account";

// Compile-time checks, run by `npx tsc --noEmit` (npm test): each line below must fail to
// typecheck, or tsc reports the directive as unused.
const { instance: _instanceNormalizer, ...normalizersWithoutInstance } = NORMALIZERS;
// @ts-expect-error a kind of lib/model/kinds.ts without its normalizer
const missingNormalizer: typeof NORMALIZERS = normalizersWithoutInstance;
// @ts-expect-error a normalizer of a kind the model does not have
const extraNormalizer: typeof NORMALIZERS = { ...NORMALIZERS, vpc: () => [] };
// @ts-expect-error a normalizer returning another kind's records
const wrongNormalizer: typeof NORMALIZERS = { ...NORMALIZERS, eip: NORMALIZERS.subnet };
const { subnet: _subnetFacts, ...kindsWithoutSubnet } = KINDS;
// @ts-expect-error a model kind without its entry in the table
const missingEntry: typeof KINDS = kindsWithoutSubnet;
// @ts-expect-error a table entry for a kind the model does not have
const extraEntry: typeof KINDS = { ...KINDS, vpc: { ...KINDS.subnet } };

describe("the kind table (lib/model/kinds.ts)", () => {
  it("has exactly one normalizer per kind, and no other", () => {
    expect(Object.keys(NORMALIZERS).sort()).toEqual([...RESOURCE_KINDS].sort());
    expect([missingNormalizer, extraNormalizer, wrongNormalizer, missingEntry, extraEntry].every(Boolean)).toBe(true);
  });

  it("gives each kind its own operation, list key and resource type", () => {
    for (const facts of [KINDS, EC2_OPERATIONS]) expect(Object.keys(facts)).toHaveLength(RESOURCE_KINDS.length);
    expect(new Set(RESOURCE_KINDS.map((kind) => KINDS[kind].configType)).size).toBe(RESOURCE_KINDS.length);
    for (const kind of RESOURCE_KINDS) {
      expect(EC2_OPERATIONS[KINDS[kind].operation].kind).toBe(kind);
      expect(kindOfConfigType(KINDS[kind].configType)).toBe(kind);
    }
    expect(kindOfConfigType("AWS::::Account")).toBeUndefined();
  });

  it("names operations the SDK has, paginated exactly where it has a paginator", () => {
    const sdk = ec2Sdk as unknown as Record<string, unknown>;
    for (const kind of RESOURCE_KINDS) {
      const { operation, pageSize } = KINDS[kind];
      expect(typeof sdk[`${operation}Command`]).toBe("function");
      expect([kind, typeof sdk[`paginate${operation}`]]).toEqual([kind, pageSize === undefined ? "undefined" : "function"]);
    }
  });

  it("normalizes each operation's items into records of its kind, identified by its id fields", () => {
    const origin = { region: REGION, accountId: ACCOUNT };
    for (const kind of RESOURCE_KINDS) {
      const { operation, listKey, idFields } = KINDS[kind];
      const items = RESPONSES[operation]?.[listKey] ?? [];
      expect([kind, items.length > 0]).toEqual([kind, true]);
      for (const item of items) {
        const records = normalizeEc2Item(operation, item, origin);
        expect(records.every((record) => record.kind === kind)).toBe(true);
        // A reservation's instances carry the instance's id field; every other item its own.
        const inner =
          kind === "instance" ? ((item as { Instances: Record<string, unknown>[] }).Instances ?? []) : [item as Record<string, unknown>];
        expect(records.map((record) => record.id)).toEqual(
          inner.map((entry) => idFields.map((field) => entry[field]).find((value) => typeof value === "string")),
        );
      }
    }
  });

  it("keys regional kinds by account and region in the model, the others by account and id", () => {
    const builder = new ModelBuilder();
    for (const region of ["eu-west-1", "us-east-1"]) {
      builder.add({
        kind: "instance-type",
        id: "c6in.large",
        region,
        accountId: ACCOUNT,
        enaSupport: region === "eu-west-1" ? "required" : "supported",
      });
    }
    builder.add({ kind: "prefix-list", id: "pl-1", name: "one", region: "eu-west-1", accountId: ACCOUNT });
    const model = builder.build();
    expect(KINDS["instance-type"].regional).toBe(true);
    expect(model.count("instance-type")).toBe(2);
    expect(model.get("instance-type", "c6in.large", { accountId: ACCOUNT, region: "us-east-1" })?.enaSupport).toBe("supported");
    expect(KINDS["prefix-list"].regional).toBeUndefined();
    expect(model.get("prefix-list", "pl-1", { accountId: ACCOUNT, region: "us-east-1" })?.name).toBe("one");
  });

  it("tells a kind from an id's prefix, and gives the filter that reads one resource", () => {
    expect(kindOfResourceId("igw-0abc", CONFIG_RECORDED_KINDS)).toBe("internet-gateway");
    expect(kindOfResourceId("i-0abc")).toBe("instance");
    expect(kindOfResourceId("pl-0abc")).toBeUndefined();
    expect(idFilterOf("eip", "eipalloc-1")).toEqual({ Name: "allocation-id", Values: ["eipalloc-1"] });
    expect(idFilterOf("eip", "203.0.113.7")).toEqual({ Name: "public-ip", Values: ["203.0.113.7"] });
    expect(idFilterOf("route-table", "rtb-1")).toEqual({ Name: "route-table-id", Values: ["rtb-1"] });
    expect(idFilterOf("placement-group", "pg-1")).toBeUndefined();
  });

  it("lists as recorded by AWS Config exactly the kinds the Config-item adapter reads", () => {
    expect(CONFIG_RECORDED_KINDS).toEqual([
      "instance",
      "eip",
      "security-group",
      "network-interface",
      "subnet",
      "route-table",
      "vpc-endpoint",
      "internet-gateway",
    ]);
  });
});
