import { ModelBuilder } from "../../lib/model/resource-model";
import type { NetworkInterface, PlacementGroup, SecurityGroup, Subnet } from "../../lib/model/types";

const A = { accountId: "111111111111", region: "eu-west-1" };
const B = { accountId: "222222222222", region: "eu-west-1" };

const subnet = (id: string, scope: typeof A, vpcId = "vpc-1"): Subnet => ({ kind: "subnet", id, vpcId, ...scope });
const group = (name: string, scope: { accountId: string; region: string }): PlacementGroup => ({
  kind: "placement-group",
  id: name,
  name,
  state: "available",
  strategy: "spread",
  tags: {},
  ...scope,
});
const securityGroup = (id: string, scope: typeof A, referenced: string[] = []): SecurityGroup => ({
  kind: "security-group",
  id,
  name: id,
  references: referenced.map((groupId) => ({ groupId, direction: "ingress" })),
  tags: {},
  ...scope,
});
const eni = (id: string, scope: typeof A, groupIds: string[]): NetworkInterface => ({
  kind: "network-interface",
  id,
  groupIds,
  ...scope,
});
const ids = (records: Iterable<{ id: string; accountId: string }>) => [...records].map((record) => `${record.accountId}/${record.id}`);

describe("ModelBuilder and ResourceModel", () => {
  it("keeps records in first-added order, a later copy taking the earlier one's place", () => {
    const later = subnet("subnet-1", A, "vpc-2");
    const model = new ModelBuilder().add(subnet("subnet-1", A)).add(subnet("subnet-2", A)).add(later).build();
    expect(ids(model.all("subnet"))).toEqual(["111111111111/subnet-1", "111111111111/subnet-2"]);
    expect(model.count("subnet")).toBe(2);
    expect(model.get("subnet", "subnet-1", A)).toBe(later);
    expect(model.subnetsInVpc("vpc-1", A).map((record) => record.id)).toEqual(["subnet-2"]);
  });

  it("drops a deleted record from every view, and puts a later copy after the others, undoing its deletion", () => {
    const builder = new ModelBuilder().add(subnet("subnet-1", A)).add(subnet("subnet-2", A)).add(subnet("subnet-3", A));
    builder.markDeleted({ kind: "subnet", id: "subnet-1", ...A, status: "ResourceDeleted", deletedAt: "2026-11-20T10:00:00.000Z" });
    builder.markDeleted({ kind: "subnet", id: "subnet-2", ...A, status: "ResourceDeleted", deletedAt: "2026-11-20T10:00:00.000Z" });
    builder.add(subnet("subnet-1", A));
    const model = builder.build();
    expect(ids(model.all("subnet"))).toEqual(["111111111111/subnet-3", "111111111111/subnet-1"]);
    expect(model.count("subnet")).toBe(2);
    expect(model.get("subnet", "subnet-2", A)).toBeUndefined();
    expect(model.get("subnet", "subnet-3", A)?.id).toBe("subnet-3");
    expect(model.subnetsInVpc("vpc-1", A).map((record) => record.id)).toEqual(["subnet-3", "subnet-1"]);
    expect(model.deleted.map((resource) => resource.id)).toEqual(["subnet-2"]);
  });

  it("keeps the latest version of each resource and of its deletion, in any order, the last of two equal ones winning", () => {
    const deletion = (id: string) => ({
      kind: "subnet" as const,
      id,
      ...A,
      status: "ResourceDeleted",
      deletedAt: "2026-11-20T10:00:00.000Z",
    });
    const builder = new ModelBuilder()
      .add(subnet("subnet-1", A, "vpc-new"), 2)
      .add(subnet("subnet-1", A, "vpc-old"), 1)
      .add(subnet("subnet-2", A, "vpc-first"), 1)
      .add(subnet("subnet-2", A, "vpc-last"), 1)
      .markDeleted(deletion("subnet-3"), 2)
      .add(subnet("subnet-3", A), 1)
      .add(subnet("subnet-4", A), 1)
      .markDeleted(deletion("subnet-4"), 0)
      .markDeleted(deletion("subnet-5"), 1)
      .add(subnet("subnet-5", A, "vpc-back"), 2);
    const model = builder.build();
    expect(model.get("subnet", "subnet-1", A)?.vpcId).toBe("vpc-new");
    expect(model.get("subnet", "subnet-2", A)?.vpcId).toBe("vpc-last");
    expect(model.get("subnet", "subnet-3", A)).toBeUndefined();
    expect(model.get("subnet", "subnet-4", A)).toBeDefined();
    expect(model.get("subnet", "subnet-5", A)?.vpcId).toBe("vpc-back");
    expect(ids(model.all("subnet"))).toEqual(["subnet-1", "subnet-2", "subnet-4", "subnet-5"].map((id) => `111111111111/${id}`));
    expect(model.deleted.map((resource) => resource.id)).toEqual(["subnet-3"]);
  });

  it("holds the same id in two accounts as two records, each found and related only in its own account", () => {
    const model = new ModelBuilder()
      .add(subnet("subnet-1", A))
      .add(subnet("subnet-1", B, "vpc-9"))
      .build();
    expect(ids(model.all("subnet"))).toEqual(["111111111111/subnet-1", "222222222222/subnet-1"]);
    expect(model.get("subnet", "subnet-1", B)?.vpcId).toBe("vpc-9");
    expect(model.subnetsInVpc("vpc-9", A)).toEqual([]);
    expect(model.subnetsInVpc("vpc-9", B).map((record) => record.accountId)).toEqual(["222222222222"]);
  });

  it("keys regional kinds by region too", () => {
    const us = { ...A, region: "us-east-1" };
    const model = new ModelBuilder().add(group("batch", A)).add(group("batch", us)).build();
    expect(model.count("placement-group")).toBe(2);
    expect(model.get("placement-group", "batch", us)?.region).toBe("us-east-1");
    expect(model.get("placement-group", "batch", { ...A, region: "ap-southeast-2" })).toBeUndefined();
  });

  it("relates network interfaces and referencing groups to each group of their own account, in the order added", () => {
    const model = new ModelBuilder()
      .add(securityGroup("sg-1", A))
      .add(eni("eni-3", A, ["sg-1", "sg-2"]))
      .add(securityGroup("sg-2", A, ["sg-1"]))
      .add(eni("eni-1", A, ["sg-1"]))
      .add(eni("eni-2", A, ["sg-1"]))
      .add(securityGroup("sg-1", B))
      .add(eni("eni-9", B, ["sg-2"]))
      .add(securityGroup("sg-3", B, ["sg-1", "sg-4"]))
      .build();
    expect(ids(model.networkInterfacesUsingGroup("sg-1", A))).toEqual(["eni-3", "eni-1", "eni-2"].map((id) => `111111111111/${id}`));
    expect(ids(model.networkInterfacesUsingGroup("sg-2", A))).toEqual(["111111111111/eni-3"]);
    // B's sg-1 is another group: A's ENIs and references are not its, and B holds no sg-2.
    expect(model.networkInterfacesUsingGroup("sg-1", B)).toEqual([]);
    expect(model.networkInterfacesUsingGroup("sg-2", B)).toEqual([]);
    expect(model.groupsReferencing("sg-1", A).map((reference) => reference.fromGroupId)).toEqual(["sg-2"]);
    expect(model.groupsReferencing("sg-2", A)).toEqual([]);
    expect(model.groupsReferencing("sg-1", B).map((reference) => reference.fromGroupId)).toEqual(["sg-3"]);
    expect(model.groupsReferencing("sg-4", B)).toEqual([]);
  });

  it("resolves one list of group ids, shared by interfaces of two accounts, to each account's own group", () => {
    // The EC2 adapter gives equal lists of group ids as one array, whatever the account.
    const shared = ["sg-1", "sg-2"];
    const model = new ModelBuilder()
      .add(securityGroup("sg-1", A))
      .add(securityGroup("sg-2", B))
      .add(eni("eni-1", A, shared))
      .add(eni("eni-2", B, shared))
      .add(eni("eni-3", { ...A, region: "us-east-1" }, shared))
      .build();
    expect(ids(model.networkInterfacesUsingGroup("sg-1", A))).toEqual(["111111111111/eni-1", "111111111111/eni-3"]);
    expect(ids(model.networkInterfacesUsingGroup("sg-2", B))).toEqual(["222222222222/eni-2"]);
    expect(model.networkInterfacesUsingGroup("sg-2", A)).toEqual([]);
    expect(model.networkInterfacesUsingGroup("sg-1", B)).toEqual([]);
  });
});
