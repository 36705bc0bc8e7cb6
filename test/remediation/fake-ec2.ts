import {
  type Address,
  CreateTagsCommand,
  DeleteRouteCommand,
  DeleteSecurityGroupCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DisassociateAddressCommand,
  EC2Client,
  type Filter,
  type Instance,
  ModifyInstanceMetadataOptionsCommand,
  ModifyVpcEndpointCommand,
  type NetworkInterface,
  type PrefixList,
  ReleaseAddressCommand,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type VpcEndpoint,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import type { ResourceModel } from "../../lib/model/resource-model";
import { modelFromEc2 } from "../support/rule-tester";

export const ACCOUNT = "111122223333";
export const REGION = "eu-west-1";

export function awsError(code: string, message = code): Error {
  return Object.assign(new Error(message), { name: code, Code: code, $fault: "client", $metadata: {} });
}

type Item = Record<string, unknown>;

/** Values an item holds for a Describe filter name (only the filters the code under test uses). */
const FILTER_VALUES: Record<string, (item: Item) => unknown[]> = {
  "allocation-id": (a) => [a.AllocationId],
  "public-ip": (a) => [a.PublicIp],
  "instance-id": (i) => [i.InstanceId],
  "network-interface-id": (n) => [n.NetworkInterfaceId],
  "group-id": (x) => (x.Groups ? (x.Groups as Item[]).map((g) => g.GroupId) : [x.GroupId]),
  "ip-permission.group-id": (g) =>
    ((g.IpPermissions as Item[]) ?? []).flatMap((p) => ((p.UserIdGroupPairs as Item[]) ?? []).map((u) => u.GroupId)),
  "egress.ip-permission.group-id": (g) =>
    ((g.IpPermissionsEgress as Item[]) ?? []).flatMap((p) => ((p.UserIdGroupPairs as Item[]) ?? []).map((u) => u.GroupId)),
  "vpc-id": (x) => [x.VpcId],
  "route-table-id": (r) => [r.RouteTableId],
  "vpc-endpoint-id": (e) => [e.VpcEndpointId],
  "attachment.vpc-id": (g) => ((g.Attachments as Item[]) ?? []).map((a) => a.VpcId),
  "attachment.instance-id": (n) => [(n.Attachment as Item | undefined)?.InstanceId],
};

function matches(item: Item, filters: Filter[] | undefined): boolean {
  return (filters ?? []).every((filter) => {
    const values = FILTER_VALUES[filter.Name ?? ""];
    if (!values) throw new Error(`fake EC2: unsupported filter ${filter.Name}`);
    const held = values(item);
    return (filter.Values ?? []).some((value) => held.includes(value));
  });
}

/**
 * A small stateful EC2 behind aws-sdk-client-mock: Describe* answer from its state by filter,
 * writes change it, DryRun answers DryRunOperation (or UnauthorizedOperation for denied
 * operations), as EC2 does.
 */
export class FakeEc2 {
  addresses: Address[] = [];
  instances: Instance[] = [];
  groups: SecurityGroup[] = [];
  enis: NetworkInterface[] = [];
  routeTables: RouteTable[] = [];
  endpoints: VpcEndpoint[] = [];
  subnets: Subnet[] = [];
  prefixLists: PrefixList[] = [];
  /** Operations the caller lacks permission for. */
  denied = new Set<string>();
  /** Every write actually made (not dry runs), as `Operation:parameters`. */
  writes: string[] = [];
  readonly mock = mockClient(EC2Client);

  constructor() {
    const list = <T>(items: T[], filters: Filter[] | undefined) => items.filter((item) => matches(item as Item, filters));
    this.mock.on(DescribeAddressesCommand).callsFake((input) => ({ Addresses: list(this.addresses, input.Filters) }));
    this.mock.on(DescribeInstancesCommand).callsFake((input) => ({
      Reservations: list(this.instances, input.Filters).map((instance) => ({
        ReservationId: `r-${instance.InstanceId}`,
        OwnerId: ACCOUNT,
        Instances: [instance],
      })),
    }));
    this.mock.on(DescribeSecurityGroupsCommand).callsFake((input) => ({ SecurityGroups: list(this.groups, input.Filters) }));
    this.mock.on(DescribeNetworkInterfacesCommand).callsFake((input) => ({ NetworkInterfaces: list(this.enis, input.Filters) }));
    this.mock.on(DescribeRouteTablesCommand).callsFake((input) => ({ RouteTables: list(this.routeTables, input.Filters) }));
    this.mock.on(DescribeVpcEndpointsCommand).callsFake((input) => ({ VpcEndpoints: list(this.endpoints, input.Filters) }));
    this.mock.on(DescribeSubnetsCommand).callsFake((input) => ({ Subnets: list(this.subnets, input.Filters) }));
    this.mock.on(DescribePrefixListsCommand).callsFake(() => ({ PrefixLists: this.prefixLists }));
    this.mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [] });

    this.write(ReleaseAddressCommand, "ReleaseAddress", (input) => {
      const address = this.addresses.find((a) => a.AllocationId === input.AllocationId);
      if (!address) throw awsError("InvalidAllocationID.NotFound");
      if (address.AssociationId) throw awsError("InvalidIPAddress.InUse");
      this.addresses = this.addresses.filter((a) => a !== address);
    });
    this.write(DisassociateAddressCommand, "DisassociateAddress", (input) => {
      const address = this.addresses.find((a) => a.AssociationId === input.AssociationId);
      if (!address) throw awsError("InvalidAssociationID.NotFound");
      for (const instance of this.instances) {
        for (const eni of instance.NetworkInterfaces ?? []) {
          if (eni.Association?.PublicIp === address.PublicIp) eni.Association = undefined;
        }
      }
      address.AssociationId = undefined;
      address.InstanceId = undefined;
      address.NetworkInterfaceId = undefined;
    });
    this.write(CreateTagsCommand, "CreateTags", (input) => {
      for (const id of input.Resources ?? []) {
        const address = this.addresses.find((a) => a.AllocationId === id);
        if (!address) throw awsError("InvalidAllocationID.NotFound");
        const keys = new Set((input.Tags ?? []).map((tag: { Key: string }) => tag.Key));
        address.Tags = [...(address.Tags ?? []).filter((tag) => !keys.has(tag.Key ?? "")), ...(input.Tags ?? [])];
      }
    });
    this.write(DeleteSecurityGroupCommand, "DeleteSecurityGroup", (input) => {
      if (!this.groups.some((g) => g.GroupId === input.GroupId)) throw awsError("InvalidGroup.NotFound");
      if (this.enis.some((eni) => eni.Groups?.some((g) => g.GroupId === input.GroupId))) throw awsError("DependencyViolation");
      this.groups = this.groups.filter((g) => g.GroupId !== input.GroupId);
    });
    this.write(ModifyInstanceMetadataOptionsCommand, "ModifyInstanceMetadataOptions", (input) => {
      const instance = this.instances.find((i) => i.InstanceId === input.InstanceId);
      if (!instance) throw awsError("InvalidInstanceID.NotFound");
      instance.MetadataOptions = {
        ...instance.MetadataOptions,
        State: "pending",
        HttpTokens: input.HttpTokens ?? instance.MetadataOptions?.HttpTokens,
        HttpEndpoint: input.HttpEndpoint ?? instance.MetadataOptions?.HttpEndpoint,
        HttpPutResponseHopLimit: input.HttpPutResponseHopLimit ?? instance.MetadataOptions?.HttpPutResponseHopLimit,
      };
    });
    this.write(DeleteRouteCommand, "DeleteRoute", (input) => {
      const table = this.routeTables.find((t) => t.RouteTableId === input.RouteTableId);
      if (!table) throw awsError("InvalidRouteTableID.NotFound");
      table.Routes = (table.Routes ?? []).filter((route) => route.DestinationPrefixListId !== input.DestinationPrefixListId);
    });
    this.write(ModifyVpcEndpointCommand, "ModifyVpcEndpoint", (input) => {
      const endpoint = this.endpoints.find((e) => e.VpcEndpointId === input.VpcEndpointId);
      if (!endpoint) throw awsError("InvalidVpcEndpointId.NotFound");
      if (input.PrivateDnsEnabled !== undefined) endpoint.PrivateDnsEnabled = input.PrivateDnsEnabled;
      for (const tableId of input.AddRouteTableIds ?? []) {
        endpoint.RouteTableIds = [...(endpoint.RouteTableIds ?? []), tableId];
        const table = this.routeTables.find((t) => t.RouteTableId === tableId);
        const list = this.prefixLists.find((p) => p.PrefixListName === endpoint.ServiceName);
        table?.Routes?.push({
          DestinationPrefixListId: list?.PrefixListId,
          GatewayId: endpoint.VpcEndpointId,
          State: "active",
          Origin: "CreateRoute",
        });
      }
      return { Return: true };
    });
  }

  // biome-ignore lint/suspicious/noExplicitAny: one helper for every write command
  private write(command: any, operation: string, apply: (input: any) => unknown): void {
    // biome-ignore lint/suspicious/noExplicitAny: see above
    this.mock.on(command).callsFake((input: any) => {
      if (this.denied.has(operation)) throw awsError("UnauthorizedOperation", `You are not authorized to perform: ec2:${operation}`);
      if (input.DryRun) throw awsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
      const { DryRun: _dryRun, ...parameters } = input;
      this.writes.push(`${operation}:${JSON.stringify(parameters)}`);
      return apply(input) ?? {};
    });
  }

  /** The model an offline plan would be built from: the current state through the EC2 adapter. */
  model(): ResourceModel {
    return modelFromEc2({
      region: REGION,
      accountId: ACCOUNT,
      responses: {
        DescribeAddresses: { Addresses: structuredClone(this.addresses) },
        DescribeInstances: {
          Reservations: this.instances.map((instance) => ({
            ReservationId: `r-${instance.InstanceId}`,
            OwnerId: ACCOUNT,
            Instances: [structuredClone(instance)],
          })),
        },
        DescribeSecurityGroups: { SecurityGroups: structuredClone(this.groups) },
        DescribeNetworkInterfaces: { NetworkInterfaces: structuredClone(this.enis) },
        DescribeRouteTables: { RouteTables: structuredClone(this.routeTables) },
        DescribeVpcEndpoints: { VpcEndpoints: structuredClone(this.endpoints) },
        DescribeSubnets: { Subnets: structuredClone(this.subnets) },
        DescribePrefixLists: { PrefixLists: structuredClone(this.prefixLists) },
      },
    });
  }

  client(): EC2Client {
    return new EC2Client({ region: REGION });
  }
}
