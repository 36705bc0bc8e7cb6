import { ExemptionPolicy } from "../../lib/exemptions/exemptions";
import rule from "../../rules/ec2-no-public-ip";
import { RULE_IDS } from "../support/rule-ids";
import { TEST_ACCOUNT, testRule, testRuleParameters } from "../support/rule-tester";

const NOW = new Date("2026-11-22T12:00:00Z");
const VPC = "vpc-0fedcba9876543210";
const SUBNET = "subnet-0a1b2c3d4e5f60718";
const WEB_SG = { GroupId: "sg-0a1b2c3d4e5f60718", GroupName: "web" };

const STATES = {
  pending: { Code: 0, Name: "pending" },
  running: { Code: 16, Name: "running" },
  "shutting-down": { Code: 32, Name: "shutting-down" },
  terminated: { Code: 48, Name: "terminated" },
  stopping: { Code: 64, Name: "stopping" },
  stopped: { Code: 80, Name: "stopped" },
} as const;

interface PublicAddress {
  ip: string;
  /** "amazon" for an auto-assigned address, the owner account for an EIP. */
  owner: string;
}

const dns = (ip: string) => `ec2-${ip.replaceAll(".", "-")}.eu-west-1.compute.amazonaws.com`;
const association = ({ ip, owner }: PublicAddress) => ({ IpOwnerId: owner, PublicDnsName: dns(ip), PublicIp: ip });

/** One instance ENI as DescribeInstances returns it. */
function eni(options: {
  id: string;
  deviceIndex: number;
  privateIp: string;
  publicIp?: PublicAddress;
  secondaryPrivateIps?: { ip: string; publicIp?: PublicAddress }[];
  ipv6?: string[];
}) {
  const privateDns = (ip: string) => `ip-${ip.replaceAll(".", "-")}.eu-west-1.compute.internal`;
  return {
    ...(options.publicIp ? { Association: association(options.publicIp) } : {}),
    Attachment: {
      AttachTime: "2026-10-01T09:30:00.000Z",
      AttachmentId: `eni-attach-${options.id.slice(4)}`,
      DeleteOnTermination: options.deviceIndex === 0,
      DeviceIndex: options.deviceIndex,
      NetworkCardIndex: 0,
      Status: "attached",
    },
    Description: options.deviceIndex === 0 ? "" : "secondary interface",
    Groups: [WEB_SG],
    InterfaceType: "interface",
    Ipv6Addresses: (options.ipv6 ?? []).map((address) => ({ Ipv6Address: address, IsPrimaryIpv6: false })),
    MacAddress: "02:d4:9e:6f:1a:2b",
    NetworkInterfaceId: options.id,
    OwnerId: TEST_ACCOUNT,
    PrivateDnsName: privateDns(options.privateIp),
    PrivateIpAddress: options.privateIp,
    PrivateIpAddresses: [
      {
        ...(options.publicIp ? { Association: association(options.publicIp) } : {}),
        Primary: true,
        PrivateDnsName: privateDns(options.privateIp),
        PrivateIpAddress: options.privateIp,
      },
      ...(options.secondaryPrivateIps ?? []).map((secondary) => ({
        ...(secondary.publicIp ? { Association: association(secondary.publicIp) } : {}),
        Primary: false,
        PrivateDnsName: privateDns(secondary.ip),
        PrivateIpAddress: secondary.ip,
      })),
    ],
    SourceDestCheck: true,
    Status: "in-use",
    SubnetId: SUBNET,
    VpcId: VPC,
  };
}

/** One reservation holding one instance, as DescribeInstances returns it. */
function reservation(options: {
  id: string;
  state: keyof typeof STATES;
  enis: ReturnType<typeof eni>[];
  tags?: { Key: string; Value: string }[];
}) {
  const primary = options.enis.find((item) => item.Attachment.DeviceIndex === 0);
  const ended = options.state === "terminated";
  return {
    ReservationId: `r-${options.id.slice(2)}`,
    OwnerId: TEST_ACCOUNT,
    Groups: [],
    Instances: [
      {
        AmiLaunchIndex: 0,
        ImageId: "ami-0b8c2a1d3e4f56789",
        InstanceId: options.id,
        InstanceType: "t3.micro",
        LaunchTime: "2026-10-01T09:30:00.000Z",
        Monitoring: { State: "disabled" },
        Placement: { AvailabilityZone: "eu-west-1a", GroupName: "", Tenancy: "default" },
        PrivateDnsName: ended ? "" : primary?.PrivateDnsName,
        ...(ended ? {} : { PrivateIpAddress: primary?.PrivateIpAddress }),
        ProductCodes: [],
        // DescribeInstances reports only the primary ENI's public address here.
        PublicDnsName: primary?.Association ? primary.Association.PublicDnsName : "",
        ...(primary?.Association ? { PublicIpAddress: primary.Association.PublicIp } : {}),
        State: STATES[options.state],
        StateTransitionReason: options.state === "stopped" ? "User initiated (2026-11-20 18:00:00 GMT)" : "",
        ...(ended ? {} : { SubnetId: SUBNET, VpcId: VPC }),
        Architecture: "x86_64",
        BlockDeviceMappings: ended
          ? []
          : [
              {
                DeviceName: "/dev/xvda",
                Ebs: {
                  AttachTime: "2026-10-01T09:30:01.000Z",
                  DeleteOnTermination: true,
                  Status: "attached",
                  VolumeId: "vol-0a1b2c3d4e5f60718",
                },
              },
            ],
        ClientToken: "",
        EbsOptimized: true,
        EnaSupport: true,
        Hypervisor: "xen",
        NetworkInterfaces: ended ? [] : options.enis,
        RootDeviceName: "/dev/xvda",
        RootDeviceType: "ebs",
        SecurityGroups: ended ? [] : [WEB_SG],
        SourceDestCheck: true,
        Tags: options.tags ?? [{ Key: "Name", Value: options.id }],
        VirtualizationType: "hvm",
        MetadataOptions: {
          State: "applied",
          HttpTokens: "required",
          HttpPutResponseHopLimit: 2,
          HttpEndpoint: "enabled",
          HttpProtocolIpv6: "disabled",
          InstanceMetadataTags: "disabled",
        },
      },
    ],
  };
}

const AUTO: PublicAddress = { ip: "203.0.113.10", owner: "amazon" };
const EIP: PublicAddress = { ip: "203.0.113.20", owner: TEST_ACCOUNT };

const PRIVATE = reservation({
  id: "i-0a1b2c3d4e5f60718",
  state: "running",
  enis: [eni({ id: "eni-0aa11bb22cc33dd44", deviceIndex: 0, privateIp: "10.20.1.15" })],
});
const AUTO_ASSIGNED = reservation({
  id: "i-0b2c3d4e5f6071829",
  state: "running",
  enis: [eni({ id: "eni-0bb22cc33dd44ee55", deviceIndex: 0, privateIp: "10.20.1.16", publicIp: AUTO })],
});
const WITH_EIP = reservation({
  id: "i-0c3d4e5f6071829a3",
  state: "running",
  enis: [eni({ id: "eni-0cc33dd44ee55ff66", deviceIndex: 0, privateIp: "10.20.1.17", publicIp: EIP })],
});
const SECONDARY_ONLY = reservation({
  id: "i-0d4e5f6071829a3b4",
  state: "running",
  enis: [
    eni({ id: "eni-0dd44ee55ff660011", deviceIndex: 0, privateIp: "10.20.1.18" }),
    eni({ id: "eni-0ee55ff6600112233", deviceIndex: 1, privateIp: "10.20.2.18", publicIp: { ip: "203.0.113.30", owner: TEST_ACCOUNT } }),
  ],
});
const SECONDARY_PRIVATE_IP = reservation({
  id: "i-0e5f6071829a3b4c5",
  state: "running",
  enis: [
    eni({
      id: "eni-0ff6600112233aabb",
      deviceIndex: 0,
      privateIp: "10.20.1.19",
      secondaryPrivateIps: [{ ip: "10.20.1.119", publicIp: { ip: "203.0.113.40", owner: TEST_ACCOUNT } }],
    }),
  ],
});
const IPV6_ONLY = reservation({
  id: "i-0f6071829a3b4c5d6",
  state: "running",
  enis: [eni({ id: "eni-0a0b0c0d0e0f01020", deviceIndex: 0, privateIp: "10.20.1.20", ipv6: ["2a05:d018:1a2b:3c00:4d5e:6f70:8192:a3b4"] })],
});
const STOPPED_WITH_EIP = reservation({
  id: "i-0071829a3b4c5d6e7",
  state: "stopped",
  enis: [
    eni({ id: "eni-0b0c0d0e0f0102030", deviceIndex: 0, privateIp: "10.20.1.21", publicIp: { ip: "203.0.113.50", owner: TEST_ACCOUNT } }),
  ],
});
const TERMINATED = reservation({ id: "i-01829a3b4c5d6e7f8", state: "terminated", enis: [] });
const SHUTTING_DOWN = reservation({
  id: "i-029a3b4c5d6e7f809",
  state: "shutting-down",
  enis: [eni({ id: "eni-0c0d0e0f010203040", deviceIndex: 0, privateIp: "10.20.1.22", publicIp: { ip: "203.0.113.60", owner: "amazon" } })],
});

/** An instance record whose public address is known only from PublicIpAddress (no interface details). */
const ADDRESS_ONLY = (() => {
  const item = reservation({
    id: "i-04b4c5d6e7f809102",
    state: "running",
    enis: [eni({ id: "eni-0e0f0102030405060", deviceIndex: 0, privateIp: "10.20.1.24", publicIp: AUTO })],
  });
  const { NetworkInterfaces: _dropped, ...instance } = item.Instances[0] as (typeof item.Instances)[number];
  return { ...item, Instances: [{ ...instance, NetworkInterfaces: [] }] };
})();

/** A running instance with `count` network interfaces, none with a public address. */
const privateInterfaces = (id: string, count: number) =>
  reservation({
    id,
    state: "running",
    enis: Array.from({ length: count }, (_, at) =>
      eni({ id: `eni-${id.slice(2, 18)}${at}`, deviceIndex: at, privateIp: `10.20.${at + 1}.25` }),
    ),
  });
const TWO_PRIVATE = privateInterfaces("i-05c5d6e7f80910213", 2);
const THREE_PRIVATE = privateInterfaces("i-06d6e7f8091021324", 3);

const idOf = (item: ReturnType<typeof reservation>) => item.Instances[0]?.InstanceId ?? "";
const instances = (...items: ReturnType<typeof reservation>[]) => ({ responses: { DescribeInstances: { Reservations: items } } });

testRule(rule, [
  {
    name: "an instance with only private addresses is compliant",
    fixture: instances(PRIVATE),
    expected: [{ resourceId: idOf(PRIVATE), complianceType: "COMPLIANT", annotation: "No public IPv4 address on its 1 network interface" }],
  },
  {
    name: "each compliant instance counts its own network interfaces, in one run",
    fixture: instances(PRIVATE, THREE_PRIVATE, TWO_PRIVATE),
    expected: [
      { resourceId: idOf(PRIVATE), complianceType: "COMPLIANT", annotation: "No public IPv4 address on its 1 network interface" },
      { resourceId: idOf(TWO_PRIVATE), complianceType: "COMPLIANT", annotation: "No public IPv4 address on its 2 network interfaces" },
      { resourceId: idOf(THREE_PRIVATE), complianceType: "COMPLIANT", annotation: "No public IPv4 address on its 3 network interfaces" },
    ],
  },
  {
    name: "an auto-assigned public IP is non-compliant and named with its ENI",
    fixture: instances(AUTO_ASSIGNED),
    expected: [
      {
        resourceId: idOf(AUTO_ASSIGNED),
        complianceType: "NON_COMPLIANT",
        annotation: "eni-0bb22cc33dd44ee55 primary: 203.0.113.10 (auto-assigned)",
      },
    ],
  },
  {
    name: "an Elastic IP is non-compliant and named as an EIP",
    fixture: instances(WITH_EIP),
    expected: [
      { resourceId: idOf(WITH_EIP), complianceType: "NON_COMPLIANT", annotation: "eni-0cc33dd44ee55ff66 primary: 203.0.113.20 (EIP)" },
    ],
  },
  {
    name: "a public IP only on a secondary ENI is non-compliant (no PublicIpAddress on the instance)",
    fixture: instances(SECONDARY_ONLY),
    expected: [
      {
        resourceId: idOf(SECONDARY_ONLY),
        complianceType: "NON_COMPLIANT",
        annotation: "eni-0ee55ff6600112233 secondary #1: 203.0.113.30 (EIP)",
      },
    ],
  },
  {
    name: "a public IP known only from PublicIpAddress is non-compliant, and the annotation says where it was seen",
    fixture: instances(ADDRESS_ONLY),
    expected: [
      {
        resourceId: idOf(ADDRESS_ONLY),
        complianceType: "NON_COMPLIANT",
        annotation: /^Public IPv4 203\.0\.113\.\d+ \(instance PublicIpAddress; no network interface details\)$/,
      },
    ],
  },
  {
    name: "an EIP on a secondary private address of the primary ENI is non-compliant",
    fixture: instances(SECONDARY_PRIVATE_IP),
    expected: [{ resourceId: idOf(SECONDARY_PRIVATE_IP), complianceType: "NON_COMPLIANT", annotation: "203.0.113.40 (EIP)" }],
  },
  {
    name: "an IPv6-only instance is compliant: IPv6 is ignored",
    fixture: instances(IPV6_ONLY),
    expected: [{ resourceId: idOf(IPV6_ONLY), complianceType: "COMPLIANT" }],
  },
  {
    name: "a stopped instance keeps its EIP and is evaluated as it is by default",
    fixture: instances(STOPPED_WITH_EIP),
    expected: [{ resourceId: idOf(STOPPED_WITH_EIP), complianceType: "NON_COMPLIANT", annotation: "203.0.113.50 (EIP)" }],
  },
  {
    name: "ignoreStopped makes a stopped instance not applicable, and leaves running ones judged",
    fixture: instances(STOPPED_WITH_EIP, AUTO_ASSIGNED),
    params: { ignoreStopped: true },
    expected: [
      { resourceId: idOf(STOPPED_WITH_EIP), complianceType: "NOT_APPLICABLE", annotation: "stopped and ignoreStopped is true" },
      { resourceId: idOf(AUTO_ASSIGNED), complianceType: "NON_COMPLIANT" },
    ],
  },
  {
    name: "ignoreStopped false (Config's string form) evaluates the stopped instance",
    fixture: instances(STOPPED_WITH_EIP),
    params: { ignoreStopped: "false" },
    expected: [{ resourceId: idOf(STOPPED_WITH_EIP), complianceType: "NON_COMPLIANT" }],
  },
  {
    name: "terminated and shutting-down instances are not applicable, even with a public IP",
    fixture: instances(TERMINATED, SHUTTING_DOWN),
    expected: [
      { resourceId: idOf(TERMINATED), complianceType: "NOT_APPLICABLE", annotation: "terminated" },
      { resourceId: idOf(SHUTTING_DOWN), complianceType: "NOT_APPLICABLE", annotation: "shutting-down" },
    ],
  },
  {
    name: "a mixed account gives one verdict per instance",
    fixture: instances(PRIVATE, AUTO_ASSIGNED, SECONDARY_ONLY, IPV6_ONLY, TERMINATED),
    expected: [
      { resourceId: idOf(PRIVATE), complianceType: "COMPLIANT" },
      { resourceId: idOf(AUTO_ASSIGNED), complianceType: "NON_COMPLIANT" },
      { resourceId: idOf(SECONDARY_ONLY), complianceType: "NON_COMPLIANT" },
      { resourceId: idOf(IPV6_ONLY), complianceType: "COMPLIANT" },
      { resourceId: idOf(TERMINATED), complianceType: "NOT_APPLICABLE" },
    ],
  },
  {
    name: "an instance exempted by tag is NOT_APPLICABLE with the exemption's owner",
    fixture: instances(
      reservation({
        id: "i-03a3b4c5d6e7f8091",
        state: "running",
        enis: [eni({ id: "eni-0d0e0f01020304050", deviceIndex: 0, privateIp: "10.20.1.23", publicIp: AUTO })],
        tags: [
          { Key: "Name", Value: "public-bastion" },
          { Key: "compliance-exempt", Value: "ec2-no-public-ip,imdsv2-required" },
          { Key: "compliance-exempt-owner", Value: "secops" },
        ],
      }),
    ),
    exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, now: NOW }),
    expected: [{ resourceId: "i-03a3b4c5d6e7f8091", complianceType: "NOT_APPLICABLE", annotation: /Exempted.*secops/ }],
  },
  {
    name: "instances not collected give INSUFFICIENT_DATA on the account",
    fixture: { responses: {}, missing: ["instance"] },
    expected: [{ resourceId: TEST_ACCOUNT, complianceType: "INSUFFICIENT_DATA", annotation: "AWS::EC2::Instance" }],
  },
]);

testRuleParameters(rule, {
  defaults: { ignoreStopped: false },
  accepted: [[{ ignoreStopped: "yes" }, { ignoreStopped: true }]],
  invalid: [
    ["a word that is not a boolean", { ignoreStopped: "stopped" }, "ignoreStopped", "stopped"],
    ["another word that is not a boolean", { ignoreStopped: "often" }, "ignoreStopped", "often"],
    ["a list", { ignoreStopped: [true] }, "ignoreStopped", [true]],
    ["an unknown parameter", { ignoreTerminated: true }, "ignoreTerminated", true],
  ],
});
