import type { Origin, ResourceKind, ResourceRecord } from "../model/types";

/**
 * The EC2 Describe* operations the rules read, with the list key of their (merged) response and
 * the model kind their items become.
 */
export const EC2_OPERATIONS = {
  DescribeInstances: { listKey: "Reservations", kind: "instance" },
  DescribeAddresses: { listKey: "Addresses", kind: "eip" },
  DescribeSecurityGroups: { listKey: "SecurityGroups", kind: "security-group" },
  DescribeNetworkInterfaces: { listKey: "NetworkInterfaces", kind: "network-interface" },
  DescribeSubnets: { listKey: "Subnets", kind: "subnet" },
  DescribeRouteTables: { listKey: "RouteTables", kind: "route-table" },
  DescribeVpcEndpoints: { listKey: "VpcEndpoints", kind: "vpc-endpoint" },
  DescribePrefixLists: { listKey: "PrefixLists", kind: "prefix-list" },
  DescribeInternetGateways: { listKey: "InternetGateways", kind: "internet-gateway" },
  DescribePlacementGroups: { listKey: "PlacementGroups", kind: "placement-group" },
  DescribeInstanceTypes: { listKey: "InstanceTypes", kind: "instance-type" },
} as const satisfies Record<string, { listKey: string; kind: ResourceKind }>;

export type Ec2Operation = keyof typeof EC2_OPERATIONS;

/**
 * Normalizes one item of a Describe* response list (PascalCase, as the AWS SDK v3 returns it;
 * for DescribeInstances one *reservation*) into model records. Throws an `InputError`-style
 * error naming the field when a required field is missing.
 */
export declare function normalizeEc2Item(operation: Ec2Operation, item: unknown, origin: Origin): ResourceRecord[];
