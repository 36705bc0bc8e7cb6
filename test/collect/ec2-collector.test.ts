import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribePlacementGroupsCommand,
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { CollectionError, collectAll, collectRelated, relatedQuery } from "../../lib/collect/ec2-collector";
import { KINDS } from "../../lib/model/kinds";
import { ModelBuilder } from "../../lib/model/resource-model";
import type { Instance, RouteTable } from "../../lib/model/types";
import { ACCOUNT, ec2Error, instance, REGION, reservation } from "../lambda/fixtures";

const ec2 = mockClient(EC2Client);
const scope = { region: REGION, accountId: ACCOUNT };
beforeEach(() => ec2.reset());

const routeTable = (id: string, vpcId = "vpc-1") => ({ RouteTableId: id, VpcId: vpcId, Routes: [], Associations: [] });

describe("collectAll", () => {
  it("walks every page at the largest page size and marks each kind collected", async () => {
    ec2
      .on(DescribeRouteTablesCommand)
      .resolvesOnce({ RouteTables: [routeTable("rtb-1")], NextToken: "t1" })
      // An empty page may still carry a token: keep going.
      .resolvesOnce({ RouteTables: [], NextToken: "t2" })
      .resolvesOnce({ RouteTables: [routeTable("rtb-2")] });
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    const builder = new ModelBuilder();
    await collectAll(["route-table", "eip"], { ec2: new EC2Client({}), scope, builder });
    const model = builder.build();
    expect(ec2).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 3);
    // (The SDK's paginator reuses one input object across pages, so only the page size is checked per call.)
    const inputs = ec2.commandCalls(DescribeRouteTablesCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.MaxResults)).toEqual([100, 100, 100]);
    // Unpaginated: one call, no MaxResults.
    expect(ec2).toHaveReceivedCommandTimes(DescribeAddressesCommand, 1);
    expect(ec2.commandCalls(DescribeAddressesCommand)[0]?.args[0].input).not.toHaveProperty("MaxResults");
    expect([...model.all("route-table")].map((table) => table.id)).toEqual(["rtb-1", "rtb-2"]);
    expect(model.hasCollected(scope, "route-table")).toBe(true);
    expect(model.hasCollected(scope, "eip")).toBe(true);
    expect(model.hasCollected(scope, "instance")).toBe(false);
  });

  it("describes only the instance types the instances use, by name", async () => {
    const small = instance("i-1");
    const large = { ...instance("i-2"), InstanceType: "c6in.large" } as typeof small;
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [reservation(small), reservation(large)] });
    ec2.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: [
        { InstanceType: "c6in.large", NetworkInfo: { EnaSupport: "required" } },
        { InstanceType: "t3.micro", NetworkInfo: { EnaSupport: "required" } },
      ],
    });
    ec2.on(DescribePlacementGroupsCommand).resolves({ PlacementGroups: [] });
    const builder = new ModelBuilder();
    await collectAll(["placement-group", "instance", "instance-type"], { ec2: new EC2Client({}), scope, builder });
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, { MaxResults: 1000 });
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstanceTypesCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(DescribeInstanceTypesCommand, { InstanceTypes: ["c6in.large", "t3.micro"], MaxResults: 100 });
    const model = builder.build();
    expect(model.instanceType(scope, "c6in.large")?.enaSupport).toBe("required");
    expect(model.hasCollected(scope, "instance-type")).toBe(true);
  });

  it("throws a CollectionError naming the operation when a call fails, even if the other walks succeed", async () => {
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    ec2.on(DescribeSubnetsCommand).rejects(ec2Error("UnauthorizedOperation", 403));
    const builder = new ModelBuilder();
    const run = collectAll(["eip", "subnet"], { ec2: new EC2Client({}), scope, builder });
    await expect(run).rejects.toThrow(CollectionError);
    await expect(run).rejects.toThrow("ec2:DescribeSubnets failed in 111122223333/eu-west-1 after retries: UnauthorizedOperation");
    expect(builder.build().hasCollected(scope, "subnet")).toBe(false);
  });

  it("uses the documented largest page sizes", () => {
    expect(KINDS["route-table"].pageSize).toBe(100);
    expect(KINDS["instance-type"].pageSize).toBe(100);
    expect(KINDS.instance.pageSize).toBe(1000);
    expect(KINDS.eip.pageSize).toBeUndefined();
    expect(KINDS["placement-group"].pageSize).toBeUndefined();
  });
});

describe("collectRelated (change events)", () => {
  const table: RouteTable = {
    kind: "route-table",
    id: "rtb-9",
    vpcId: "vpc-7",
    routes: [],
    associations: [],
    tags: {},
    ...scope,
  };

  it("reads a route table's VPC by filter, never the whole account", async () => {
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [routeTable("rtb-main", "vpc-7")] });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: "subnet-1", VpcId: "vpc-7" }] });
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
    ec2.on(DescribePrefixListsCommand).resolves({ PrefixLists: [] });
    const builder = new ModelBuilder();
    await collectRelated(["route-table", "subnet", "vpc-endpoint", "prefix-list"], table, { ec2: new EC2Client({}), scope, builder });
    const vpcFilter = { Filters: [{ Name: "vpc-id", Values: ["vpc-7"] }] };
    expect(ec2).toHaveReceivedCommandWith(DescribeRouteTablesCommand, vpcFilter);
    expect(ec2).toHaveReceivedCommandWith(DescribeSubnetsCommand, vpcFilter);
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcEndpointsCommand, vpcFilter);
    const model = builder.build();
    for (const kind of ["route-table", "subnet", "vpc-endpoint", "prefix-list"] as const)
      expect(model.hasCollected(scope, kind)).toBe(true);
  });

  it("needs nothing more for an instance judged on its own item", () => {
    const subject: Instance = {
      kind: "instance",
      id: "i-1",
      state: "running",
      networkInterfaces: [],
      tags: {},
      ...scope,
    };
    expect(relatedQuery("instance", subject)).toBeNull();
    expect(relatedQuery("network-interface", subject)).toEqual({ filters: [{ Name: "attachment.instance-id", Values: ["i-1"] }] });
  });
});
