import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CONFIG_RECORDED_KINDS,
  type ConfigRecordedKind,
  EC2_OPERATION_NAMES,
  EC2_OPERATIONS,
  type Ec2Operation,
  KINDS,
  kindOfConfigType,
} from "../../lib/model/kinds";
import type { ResourceRecord } from "../../lib/model/types";
import { ec2ItemToConfigItem } from "../../lib/sources/config-item-builder";
import { configItemToRecords } from "../../lib/sources/config-items";
import { CONFIG_RECORDED_NORMALIZERS, type FieldsRead, normalizeEc2Item } from "../../lib/sources/ec2-adapter";

/**
 * AWS Config items are converted to the EC2 shape only along the paths of their kind's tree in
 * CONFIG_RECORDED_NORMALIZERS, so a path a normalizer reads but the tree lacks would silently read
 * as absent (an address not seen, a token requirement lost: a false COMPLIANT). Every resource
 * below goes through its normalizer behind a proxy that notes the path of each key read on an
 * object, present or not; the paths read must be exactly the tree's.
 */

const corpus = join(__dirname, "..", "corpus");
const origin = { region: "eu-west-1", accountId: "123456789012" };

/** A list's entries share the list's path: `NetworkInterfaces.Association.PublicIp`. */
function watched(value: unknown, path: string, read: Set<string>): unknown {
  if (value === null || typeof value !== "object") return value;
  return new Proxy(value as object, {
    get(target, key, receiver) {
      const inner = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return inner;
      if (Array.isArray(target)) return /^\d+$/.test(key) ? watched(inner, path, read) : inner;
      const at = path ? `${path}.${key}` : key;
      read.add(at);
      return watched(inner, at, read);
    },
  });
}

function pathsOf(reads: FieldsRead, path = ""): string[] {
  return Object.entries(reads).flatMap(([key, inner]) => {
    const at = path ? `${path}.${key}` : key;
    return inner === true ? [at] : [at, ...pathsOf(inner, at)];
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

/** Tags as EC2 writes them and as very old Config items did: a tag list of each kind's reads both. */
const BOTH_TAG_STYLES = [
  { Key: "Name", Value: "new" },
  { TagName: "Old", TagValue: "old" },
];

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
          SecurityGroups: [{ GroupId: "sg-1", GroupName: "web" }],
          Tags: [{ TagName: "Name", TagValue: "old" }],
        },
      ],
    },
  },
  { operation: "DescribeInstances", item: { Instances: [{ InstanceId: "i-2", State: { Code: 16, Name: "running" } }] } },
  {
    operation: "DescribeNetworkInterfaces",
    item: {
      NetworkInterfaceId: "eni-2",
      TagSet: BOTH_TAG_STYLES,
      Attachment: { InstanceId: "i-1" },
      RequesterManaged: true,
      Association: { PublicIp: "198.51.100.4", IpOwnerId: "amazon" },
    },
  },
  {
    operation: "DescribeAddresses",
    item: { PublicIp: "198.51.100.3", ServiceManaged: "alb", NetworkInterfaceOwnerId: "123456789012", Tags: BOTH_TAG_STYLES },
  },
  {
    operation: "DescribeSecurityGroups",
    item: {
      GroupId: "sg-1",
      IpPermissions: [{ UserIdGroupPairs: [{ GroupId: "sg-3", UserId: "1", VpcPeeringConnectionId: "pcx-1" }] }],
      IpPermissionsEgress: [{ UserIdGroupPairs: [{ GroupId: "sg-2", UserId: "1", VpcPeeringConnectionId: "pcx-1" }] }],
      Tags: BOTH_TAG_STYLES,
    },
  },
  { operation: "DescribeSubnets", item: { SubnetId: "subnet-1", VpcId: "vpc-1", Tags: BOTH_TAG_STYLES } },
  {
    operation: "DescribeVpcEndpoints",
    item: { VpcEndpointId: "vpce-1", VpcId: "vpc-1", ServiceName: "com.amazonaws.eu-west-1.s3", Tags: BOTH_TAG_STYLES },
  },
  { operation: "DescribeInternetGateways", item: { InternetGatewayId: "igw-1", Tags: BOTH_TAG_STYLES } },
  {
    operation: "DescribeRouteTables",
    item: {
      RouteTableId: "rtb-1",
      VpcId: "vpc-1",
      Routes: [
        { DestinationIpv6CidrBlock: "::/0", TransitGatewayId: "tgw-1", NetworkInterfaceId: "eni-1", VpcPeeringConnectionId: "pcx-1" },
      ],
      Associations: [{ Main: false, SubnetId: "subnet-1", GatewayId: "igw-1", AssociationState: { State: "associated" } }],
      Tags: BOTH_TAG_STYLES,
    },
  },
];

/** Every resource of a kind AWS Config records, from the corpus's AWS CLI outputs and the branches above: a reservation gives its instances. */
function recordedResources(): { kind: ConfigRecordedKind; operation: Ec2Operation; item: Record<string, unknown> }[] {
  const items = [...cliOutputs().flatMap(({ operation, items }) => items.map((item) => ({ operation, item }))), ...BRANCHES];
  return items.flatMap(({ operation, item }) => {
    const { kind } = EC2_OPERATIONS[operation];
    if (!(CONFIG_RECORDED_KINDS as readonly string[]).includes(kind)) return [];
    const resources = operation === "DescribeInstances" ? (item as { Instances: Record<string, unknown>[] }).Instances : [item];
    return resources.map((resource) => ({ kind: kind as ConfigRecordedKind, operation, item: resource as Record<string, unknown> }));
  });
}

/**
 * Every key of a configuration converted (the whole of it, not the paths read), with enums reduced
 * to their bare value: what the tree-driven conversion must agree with on what the normalizers read.
 */
function wholeEc2Shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(wholeEc2Shape);
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value);
  const object = value as Record<string, unknown>;
  if (keys.length === 1 && keys[0] === "value" && (object.value === null || typeof object.value !== "object")) return object.value;
  if (keys.length === 2 && typeof object.name === "string" && (typeof object.code === "number" || typeof object.code === "string")) {
    return object.name;
  }
  return Object.fromEntries(keys.map((key) => [key.charAt(0).toUpperCase() + key.slice(1), wholeEc2Shape(object[key])]));
}

describe("CONFIG_RECORDED_NORMALIZERS' trees of the fields read", () => {
  const resources = recordedResources();

  it.each(CONFIG_RECORDED_KINDS)(
    "%s: the tree holds exactly the paths its normalizer reads, over the corpus's AWS CLI outputs and the branches",
    (kind) => {
      const { normalize, reads } = CONFIG_RECORDED_NORMALIZERS[kind];
      const read = new Set<string>();
      const ofKind = resources.filter((resource) => resource.kind === kind);
      expect(ofKind.length).toBeGreaterThan(0);
      for (const { item } of ofKind) normalize(watched(item, "", read) as Record<string, unknown>, origin);
      expect([...read].sort()).toEqual(pathsOf(reads).sort());
    },
  );

  it("gives, from the Config items of every resource above (both item shapes), the records the EC2 API's items give", () => {
    let compared = 0;
    for (const { operation, item } of resources) {
      const wrapped = operation === "DescribeInstances" ? { Instances: [item] } : item;
      const expected = normalizeEc2Item(operation, wrapped, origin);
      for (const shape of ["notification", "api"] as const) {
        const records = ec2ItemToConfigItem(operation, wrapped, origin, shape).flatMap(
          (configItem) => configItemToRecords(configItem).records,
        );
        expect(records).toEqual(expected);
        compared++;
      }
    }
    expect(compared).toBe(2 * resources.length);
  });

  it("converts AWS Config items to the same records as converting every key would (the RDK's example items)", () => {
    let compared = 0;
    for (const file of readdirSync(join(corpus, "config")).filter((name) => name.endsWith(".json"))) {
      const { configurationItems } = JSON.parse(readFileSync(join(corpus, "config", file), "utf8")) as { configurationItems: unknown[] };
      for (const raw of configurationItems) {
        const { records, resourceType, region, accountId } = configItemToRecords(raw);
        const kind = kindOfConfigType(resourceType);
        if (!kind || records.length === 0) continue;
        const whole = wholeEc2Shape((raw as { configuration: unknown }).configuration) as Record<string, unknown>;
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
