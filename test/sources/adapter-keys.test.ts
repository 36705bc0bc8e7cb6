import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EC2_OPERATION_NAMES, EC2_OPERATIONS, type Ec2Operation, KINDS, kindOfConfigType } from "../../lib/model/kinds";
import type { ResourceRecord } from "../../lib/model/types";
import { configItemToRecords, toEc2Shape } from "../../lib/sources/config-items";
import { EC2_KEYS_READ, normalizeEc2Item } from "../../lib/sources/ec2-adapter";

/**
 * AWS Config items are converted to the EC2 shape only in the keys of EC2_KEYS_READ, so a key a
 * normalizer reads but the list lacks would silently read as absent (an address not seen, a
 * token requirement lost). Every item below goes through the normalizers behind a proxy that
 * notes each key read on an object, present or not; the keys read must be exactly the list.
 */

const corpus = join(__dirname, "..", "corpus");
const origin = { region: "eu-west-1", accountId: "123456789012" };

function watched(value: unknown, read: Set<string>): unknown {
  if (value === null || typeof value !== "object") return value;
  return new Proxy(value as object, {
    get(target, key, receiver) {
      if (typeof key === "string" && !Array.isArray(target)) read.add(key);
      return watched(Reflect.get(target, key, receiver), read);
    },
  });
}

/** The AWS CLI outputs of the corpus (one Describe* response each), with their operation. */
function cliOutputs(): { operation: Ec2Operation; items: unknown[] }[] {
  const outputs: { operation: Ec2Operation; items: unknown[] }[] = [];
  for (const folder of readdirSync(join(corpus, "cli"), { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    for (const file of readdirSync(join(corpus, "cli", folder.name))) {
      const response = JSON.parse(readFileSync(join(corpus, "cli", folder.name, file), "utf8")) as Record<string, unknown>;
      for (const operation of EC2_OPERATION_NAMES) {
        const items = response[EC2_OPERATIONS[operation].listKey];
        if (Array.isArray(items)) outputs.push({ operation, items });
      }
    }
  }
  return outputs;
}

/** Items that take the branches the corpus does not: old tag names, secondary addresses, bare enums, unusual types. */
const BRANCHES: { operation: Ec2Operation; item: unknown }[] = [
  {
    operation: "DescribeInstances",
    item: {
      Instances: [
        {
          InstanceId: "i-1",
          State: "running",
          Monitoring: { State: "enabled" },
          Placement: { GroupName: "pg", GroupId: "pg-1", PartitionNumber: 2, Tenancy: "default", AvailabilityZone: "eu-west-1a" },
          MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 1, State: "applied" },
          PublicIpAddress: "198.51.100.1",
          NetworkInterfaces: [
            {
              NetworkInterfaceId: "eni-1",
              Attachment: { DeviceIndex: 0 },
              Association: { PublicIp: "198.51.100.2", IpOwnerId: "amazon" },
              PrivateIpAddress: "10.0.0.1",
              PrivateIpAddresses: [{ PrivateIpAddress: "10.0.0.2", Association: { PublicIp: "203.0.113.1", IpOwnerId: "123456789012" } }],
            },
          ],
          Tags: [{ TagName: "Name", TagValue: "old" }],
        },
      ],
    },
  },
  { operation: "DescribeInstances", item: { Instances: [{ InstanceId: "i-2", State: { Code: 16, Name: "running" } }] } },
  {
    operation: "DescribeNetworkInterfaces",
    item: { NetworkInterfaceId: "eni-2", TagSet: [{ Key: "Name", Value: "x" }], Attachment: { InstanceId: "i-1" }, RequesterManaged: true },
  },
  { operation: "DescribeAddresses", item: { PublicIp: "198.51.100.3", ServiceManaged: "alb", NetworkInterfaceOwnerId: "123456789012" } },
  {
    operation: "DescribeSecurityGroups",
    item: {
      GroupId: "sg-1",
      IpPermissionsEgress: [{ UserIdGroupPairs: [{ GroupId: "sg-2", UserId: "1", VpcPeeringConnectionId: "pcx-1" }] }],
    },
  },
  { operation: "DescribePlacementGroups", item: { GroupName: "pg", Strategy: "partition", PartitionCount: 3, SpreadLevel: "rack" } },
  {
    operation: "DescribeRouteTables",
    item: {
      RouteTableId: "rtb-1",
      VpcId: "vpc-1",
      Routes: [
        { DestinationIpv6CidrBlock: "::/0", TransitGatewayId: "tgw-1", NetworkInterfaceId: "eni-1", VpcPeeringConnectionId: "pcx-1" },
      ],
      Associations: [{ Main: false, SubnetId: "subnet-1", GatewayId: "igw-1", AssociationState: { State: "associated" } }],
    },
  },
];

function keysReadBy(items: { operation: Ec2Operation; item: unknown }[]): Set<string> {
  const read = new Set<string>();
  for (const { operation, item } of items) normalizeEc2Item(operation, watched(item, read), origin);
  return read;
}

describe("EC2_KEYS_READ", () => {
  it("lists exactly the keys the normalizers read, over the corpus's AWS CLI outputs and the other branches", () => {
    const items = [...cliOutputs().flatMap(({ operation, items }) => items.map((item) => ({ operation, item }))), ...BRANCHES];
    expect([...keysReadBy(items)].sort()).toEqual([...EC2_KEYS_READ].sort());
  });

  it("converts AWS Config items to the same records as converting every key would (the RDK's example items)", () => {
    let compared = 0;
    for (const file of readdirSync(join(corpus, "config")).filter((name) => name.endsWith(".json"))) {
      const { configurationItems } = JSON.parse(readFileSync(join(corpus, "config", file), "utf8")) as { configurationItems: unknown[] };
      for (const raw of configurationItems) {
        const { records, resourceType, region, accountId } = configItemToRecords(raw);
        const kind = kindOfConfigType(resourceType);
        if (!kind || records.length === 0) continue;
        const whole = toEc2Shape((raw as { configuration: unknown }).configuration, "all") as Record<string, unknown>;
        const { operation } = KINDS[kind];
        const expected = normalizeEc2Item(operation, operation === "DescribeInstances" ? { Instances: [whole] } : whole, {
          region,
          accountId,
        });
        // Item-level tags fill in records whose configuration has none; compare what the configuration gives.
        const strip = (list: ResourceRecord[]) =>
          (list as unknown as Record<string, unknown>[]).map(({ tags: _tags, name: _name, ...rest }) => rest);
        expect(strip(records)).toEqual(strip(expected));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(3);
  });
});
