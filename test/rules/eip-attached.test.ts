import { ExemptionPolicy } from "../../lib/exemptions/exemptions";
import rule from "../../rules/eip-attached";
import { RULE_IDS } from "../support/rule-ids";
import { TEST_ACCOUNT, TEST_REGION, testRule, testRuleParameters } from "../support/rule-tester";

const NOW = new Date("2026-11-22T12:00:00Z");

const INSTANCE_EIP = {
  AllocationId: "eipalloc-0a1b2c3d4e5f60718",
  AssociationId: "eipassoc-0b2c3d4e5f6071829",
  Domain: "vpc",
  InstanceId: "i-0a1b2c3d4e5f60718",
  NetworkInterfaceId: "eni-0aa11bb22cc33dd44",
  NetworkInterfaceOwnerId: TEST_ACCOUNT,
  PrivateIpAddress: "10.20.1.15",
  PublicIp: "203.0.113.10",
  PublicIpv4Pool: "amazon",
  NetworkBorderGroup: TEST_REGION,
  Tags: [{ Key: "Name", Value: "bastion" }],
};

/** A NAT gateway's EIP: associated through the gateway's ENI, with no InstanceId. */
const NAT_EIP = {
  AllocationId: "eipalloc-0c3d4e5f6071829a3",
  AssociationId: "eipassoc-0d4e5f6071829a3b4",
  Domain: "vpc",
  NetworkInterfaceId: "eni-0bb22cc33dd44ee55",
  NetworkInterfaceOwnerId: TEST_ACCOUNT,
  PrivateIpAddress: "10.20.0.40",
  PublicIp: "203.0.113.20",
  PublicIpv4Pool: "amazon",
  NetworkBorderGroup: TEST_REGION,
  Tags: [{ Key: "Name", Value: "nat-eu-west-1a" }],
};

const NAT_ENI = {
  Association: {
    AllocationId: NAT_EIP.AllocationId,
    AssociationId: NAT_EIP.AssociationId,
    IpOwnerId: TEST_ACCOUNT,
    PublicDnsName: "ec2-203-0-113-20.eu-west-1.compute.amazonaws.com",
    PublicIp: NAT_EIP.PublicIp,
  },
  AvailabilityZone: "eu-west-1a",
  Description: "Interface for NAT Gateway nat-0a1b2c3d4e5f60718",
  Groups: [],
  InterfaceType: "nat_gateway",
  Ipv6Addresses: [],
  MacAddress: "02:1a:2b:3c:4d:5e",
  NetworkInterfaceId: NAT_EIP.NetworkInterfaceId,
  OwnerId: TEST_ACCOUNT,
  PrivateDnsName: "ip-10-20-0-40.eu-west-1.compute.internal",
  PrivateIpAddress: NAT_EIP.PrivateIpAddress,
  PrivateIpAddresses: [
    {
      Association: { IpOwnerId: TEST_ACCOUNT, PublicDnsName: "", PublicIp: NAT_EIP.PublicIp },
      Primary: true,
      PrivateDnsName: "ip-10-20-0-40.eu-west-1.compute.internal",
      PrivateIpAddress: NAT_EIP.PrivateIpAddress,
    },
  ],
  RequesterId: "036872051663",
  RequesterManaged: true,
  SourceDestCheck: false,
  Status: "in-use",
  SubnetId: "subnet-0a1b2c3d4e5f60718",
  TagSet: [],
  VpcId: "vpc-0fedcba9876543210",
};

/** An EIP associated with a standalone ENI that is not attached to anything. */
const DETACHED_ENI_EIP = {
  AllocationId: "eipalloc-0e5f6071829a3b4c5",
  AssociationId: "eipassoc-0f6071829a3b4c5d6",
  Domain: "vpc",
  NetworkInterfaceId: "eni-0cc33dd44ee55ff66",
  NetworkInterfaceOwnerId: TEST_ACCOUNT,
  PrivateIpAddress: "10.20.2.30",
  PublicIp: "203.0.113.30",
  PublicIpv4Pool: "amazon",
  NetworkBorderGroup: TEST_REGION,
};

const DETACHED_ENI = {
  Association: {
    AllocationId: DETACHED_ENI_EIP.AllocationId,
    AssociationId: DETACHED_ENI_EIP.AssociationId,
    IpOwnerId: TEST_ACCOUNT,
    PublicDnsName: "",
    PublicIp: DETACHED_ENI_EIP.PublicIp,
  },
  AvailabilityZone: "eu-west-1b",
  Description: "spare interface for failover",
  Groups: [{ GroupId: "sg-0a1b2c3d4e5f60718", GroupName: "failover" }],
  InterfaceType: "interface",
  Ipv6Addresses: [],
  MacAddress: "06:aa:bb:cc:dd:ee",
  NetworkInterfaceId: DETACHED_ENI_EIP.NetworkInterfaceId,
  OwnerId: TEST_ACCOUNT,
  PrivateDnsName: "ip-10-20-2-30.eu-west-1.compute.internal",
  PrivateIpAddress: DETACHED_ENI_EIP.PrivateIpAddress,
  PrivateIpAddresses: [
    {
      Association: { IpOwnerId: TEST_ACCOUNT, PublicDnsName: "", PublicIp: DETACHED_ENI_EIP.PublicIp },
      Primary: true,
      PrivateDnsName: "ip-10-20-2-30.eu-west-1.compute.internal",
      PrivateIpAddress: DETACHED_ENI_EIP.PrivateIpAddress,
    },
  ],
  RequesterManaged: false,
  SourceDestCheck: true,
  Status: "available",
  SubnetId: "subnet-0b2c3d4e5f6071829",
  TagSet: [{ Key: "Name", Value: "failover-eni" }],
  VpcId: "vpc-0fedcba9876543210",
};

/** An EIP on a network load balancer's ENI, managed by the service. */
const NLB_EIP = {
  AllocationId: "eipalloc-0071829a3b4c5d6e7",
  AssociationId: "eipassoc-01829a3b4c5d6e7f8",
  Domain: "vpc",
  NetworkInterfaceId: "eni-0dd44ee55ff660011",
  NetworkInterfaceOwnerId: TEST_ACCOUNT,
  PrivateIpAddress: "10.20.0.77",
  PublicIp: "203.0.113.40",
  PublicIpv4Pool: "amazon",
  NetworkBorderGroup: TEST_REGION,
  ServiceManaged: "nlb",
};

const UNATTACHED_EIP = {
  AllocationId: "eipalloc-0f1e2d3c4b5a69788",
  Domain: "vpc",
  PublicIp: "203.0.113.50",
  PublicIpv4Pool: "amazon",
  NetworkBorderGroup: TEST_REGION,
  Tags: [{ Key: "Name", Value: "old-bastion" }],
};

/** An EC2-Classic style address: no allocation id, identified by its public IP. */
const CLASSIC_EIP = { Domain: "standard", PublicIp: "198.51.100.7" };

testRule(rule, [
  {
    name: "an EIP associated with an instance is compliant and names the instance",
    fixture: { responses: { DescribeAddresses: { Addresses: [INSTANCE_EIP] } } },
    expected: [{ resourceId: INSTANCE_EIP.AllocationId, complianceType: "COMPLIANT", annotation: "instance i-0a1b2c3d4e5f60718" }],
  },
  {
    name: "an EIP with no AssociationId is non-compliant",
    fixture: { responses: { DescribeAddresses: { Addresses: [UNATTACHED_EIP] } } },
    expected: [
      {
        resourceId: UNATTACHED_EIP.AllocationId,
        complianceType: "NON_COMPLIANT",
        annotation: "203.0.113.50 is not associated: it has no AssociationId",
      },
    ],
  },
  {
    name: "a NAT gateway EIP (AssociationId and ENI, no InstanceId) is compliant and names the ENI's type",
    fixture: { responses: { DescribeAddresses: { Addresses: [NAT_EIP] }, DescribeNetworkInterfaces: { NetworkInterfaces: [NAT_ENI] } } },
    expected: [{ resourceId: NAT_EIP.AllocationId, complianceType: "COMPLIANT", annotation: "ENI eni-0bb22cc33dd44ee55 (nat_gateway)" }],
  },
  {
    name: "a NAT gateway EIP stays compliant with requireInUseEni, its ENI being in use",
    fixture: { responses: { DescribeAddresses: { Addresses: [NAT_EIP] }, DescribeNetworkInterfaces: { NetworkInterfaces: [NAT_ENI] } } },
    params: { requireInUseEni: true },
    expected: [{ resourceId: NAT_EIP.AllocationId, complianceType: "COMPLIANT", annotation: "(nat_gateway)" }],
  },
  {
    name: "a load-balancer EIP is compliant and says the service manages it",
    fixture: { responses: { DescribeAddresses: { Addresses: [NLB_EIP] } } },
    expected: [{ resourceId: NLB_EIP.AllocationId, complianceType: "COMPLIANT", annotation: "managed by nlb" }],
  },
  {
    name: "an address without allocation id is identified by its public IP",
    fixture: { responses: { DescribeAddresses: { Addresses: [CLASSIC_EIP] } } },
    expected: [{ resourceId: "198.51.100.7", complianceType: "NON_COMPLIANT", annotation: "no AssociationId" }],
  },
  {
    name: "an EC2-Classic address associated through InstanceId (no AssociationId) is attached; a VPC address in that shape is not",
    fixture: {
      responses: {
        DescribeAddresses: {
          Addresses: [
            // As the AWS CLI's describe-addresses example prints an EC2-Classic address.
            { InstanceId: "i-1234567890abcdef0", PublicIp: "198.51.100.0", Domain: "standard" },
            { AllocationId: "eipalloc-0c0c0c0c0c0c0c0c0", InstanceId: "i-0c0c0c0c0c0c0c0c0", PublicIp: "198.51.100.9", Domain: "vpc" },
          ],
        },
      },
    },
    expected: [
      {
        resourceId: "198.51.100.0",
        complianceType: "COMPLIANT",
        annotation: "attached to instance i-1234567890abcdef0 (EC2-Classic address, associated through InstanceId)",
      },
      { resourceId: "eipalloc-0c0c0c0c0c0c0c0c0", complianceType: "NON_COMPLIANT", annotation: "recorded without an association" },
    ],
  },
  {
    name: "an EIP on a detached ENI is compliant by default (AWS keys on AssociationId)",
    fixture: {
      responses: { DescribeAddresses: { Addresses: [DETACHED_ENI_EIP] }, DescribeNetworkInterfaces: { NetworkInterfaces: [DETACHED_ENI] } },
    },
    params: { requireInUseEni: false },
    expected: [
      { resourceId: DETACHED_ENI_EIP.AllocationId, complianceType: "COMPLIANT", annotation: "ENI eni-0cc33dd44ee55ff66 (interface)" },
    ],
  },
  {
    name: "an EIP on a detached ENI is non-compliant with requireInUseEni (given as Config's string form)",
    fixture: {
      responses: { DescribeAddresses: { Addresses: [DETACHED_ENI_EIP] }, DescribeNetworkInterfaces: { NetworkInterfaces: [DETACHED_ENI] } },
    },
    params: { requireInUseEni: "true" },
    expected: [{ resourceId: DETACHED_ENI_EIP.AllocationId, complianceType: "NON_COMPLIANT", annotation: "detached (status available)" }],
  },
  {
    name: "with requireInUseEni, an ENI absent from a complete listing is not judged detached, and the annotation says so",
    fixture: { responses: { DescribeAddresses: { Addresses: [DETACHED_ENI_EIP] } } },
    params: { requireInUseEni: true },
    expected: [{ resourceId: DETACHED_ENI_EIP.AllocationId, complianceType: "COMPLIANT", annotation: "not in the input" }],
  },
  {
    name: "with requireInUseEni, ENIs not collected at all leave ENI-attached EIPs undecided",
    fixture: {
      responses: { DescribeAddresses: { Addresses: [DETACHED_ENI_EIP, INSTANCE_EIP, UNATTACHED_EIP] } },
      missing: ["network-interface"],
    },
    params: { requireInUseEni: true },
    expected: [
      {
        resourceId: DETACHED_ENI_EIP.AllocationId,
        complianceType: "INSUFFICIENT_DATA",
        annotation: "network interfaces were not collected",
      },
      { resourceId: INSTANCE_EIP.AllocationId, complianceType: "COMPLIANT" },
      { resourceId: UNATTACHED_EIP.AllocationId, complianceType: "NON_COMPLIANT" },
    ],
  },
  {
    name: "ENIs are optional by default: their absence does not block verdicts",
    fixture: { responses: { DescribeAddresses: { Addresses: [NAT_EIP, UNATTACHED_EIP] } }, missing: ["network-interface"] },
    expected: [
      { resourceId: NAT_EIP.AllocationId, complianceType: "COMPLIANT", annotation: "ENI eni-0bb22cc33dd44ee55" },
      { resourceId: UNATTACHED_EIP.AllocationId, complianceType: "NON_COMPLIANT" },
    ],
  },
  {
    name: "EIPs not collected give INSUFFICIENT_DATA, never a verdict",
    fixture: { responses: { DescribeAddresses: { Addresses: [UNATTACHED_EIP] } }, missing: ["eip"] },
    expected: [{ resourceId: UNATTACHED_EIP.AllocationId, complianceType: "INSUFFICIENT_DATA", annotation: "AWS::EC2::EIP" }],
  },
  {
    name: "an account without EIPs gives no evaluation",
    fixture: { responses: { DescribeAddresses: { Addresses: [] } } },
    expected: [],
  },
  {
    name: "an unattached EIP exempted by tag is NOT_APPLICABLE with who and until when",
    fixture: {
      responses: {
        DescribeAddresses: {
          Addresses: [
            {
              ...UNATTACHED_EIP,
              Tags: [
                { Key: "Name", Value: "old-bastion" },
                { Key: "compliance-exempt", Value: "eip-attached" },
                { Key: "compliance-exempt-owner", Value: "netops" },
                { Key: "compliance-exempt-reason", Value: "reserved for DR" },
                { Key: "compliance-exempt-expires", Value: "2027-01-31" },
              ],
            },
          ],
        },
      },
    },
    exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, now: NOW }),
    expected: [{ resourceId: UNATTACHED_EIP.AllocationId, complianceType: "NOT_APPLICABLE", annotation: /Exempted.*netops.*2027-01-31/ }],
  },
  {
    name: "an expired tag exemption no longer applies",
    fixture: {
      responses: {
        DescribeAddresses: {
          Addresses: [
            {
              ...UNATTACHED_EIP,
              Tags: [
                { Key: "compliance-exempt", Value: "all" },
                { Key: "compliance-exempt-expires", Value: "2026-01-01" },
              ],
            },
          ],
        },
      },
    },
    exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, now: NOW }),
    expected: [{ resourceId: UNATTACHED_EIP.AllocationId, complianceType: "NON_COMPLIANT" }],
  },
]);

testRuleParameters(rule, {
  defaults: { requireInUseEni: false },
  accepted: [[{ requireInUseEni: "TRUE" }, { requireInUseEni: true }]],
  invalid: [
    ["a word that is not a boolean", { requireInUseEni: "sometimes" }, "requireInUseEni", "sometimes"],
    ["another word that is not a boolean", { requireInUseEni: "maybe" }, "requireInUseEni", "maybe"],
    ["a number", { requireInUseEni: 2 }, "requireInUseEni", 2],
    ["a misspelt name", { requireInuseEni: true }, "requireInuseEni", true],
  ],
});
