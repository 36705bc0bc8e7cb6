import { ExemptionPolicy } from "../../lib/exemptions/exemptions";
import rule from "../../rules/sg-attached-to-eni";
import { RULE_IDS } from "../support/rule-ids";
import { TEST_ACCOUNT, TEST_REGION, testRule, testRuleParameters } from "../support/rule-tester";

const NOW = new Date("2026-11-22T12:00:00Z");
const VPC = "vpc-0fedcba9876543210";
const OTHER_ACCOUNT = "444455556666";

interface GroupRef {
  id: string;
  name: string;
}

const WEB: GroupRef = { id: "sg-0a1b2c3d4e5f60718", name: "web" };
const LAMBDA: GroupRef = { id: "sg-0b2c3d4e5f6071829", name: "orders-lambda" };
const LEGACY_DB: GroupRef = { id: "sg-0c3d4e5f6071829a3", name: "legacy-db" };
const APP: GroupRef = { id: "sg-0d4e5f6071829a3b4", name: "app" };
const ADMIN: GroupRef = { id: "sg-0e5f6071829a3b4c5", name: "admin" };
const SELF_ONLY: GroupRef = { id: "sg-0f6071829a3b4c5d6", name: "cluster-peers" };
const DEFAULT: GroupRef = { id: "sg-0071829a3b4c5d6e7", name: "default" };
const SHARED: GroupRef = { id: "sg-01829a3b4c5d6e7f8", name: "shared-endpoints" };
const UNUSED: GroupRef = { id: "sg-029a3b4c5d6e7f809", name: "launch-wizard-3" };

/** A rule of a group: open to a CIDR, or to the members of other groups. */
function permission(port: number, sources: { cidr?: string; groups?: GroupRef[] }) {
  return {
    FromPort: port,
    IpProtocol: "tcp",
    IpRanges: sources.cidr ? [{ CidrIp: sources.cidr, Description: "office" }] : [],
    Ipv6Ranges: [],
    PrefixListIds: [],
    ToPort: port,
    UserIdGroupPairs: (sources.groups ?? []).map((group) => ({ GroupId: group.id, UserId: TEST_ACCOUNT })),
  };
}

const ALL_OUT = { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };

/** One security group as DescribeSecurityGroups returns it. */
function securityGroup(
  group: GroupRef,
  options: { ingress?: object[]; egress?: object[]; ownerId?: string; tags?: { Key: string; Value: string }[] } = {},
) {
  const ownerId = options.ownerId ?? TEST_ACCOUNT;
  return {
    Description: group.name === "default" ? "default VPC security group" : `${group.name} tier`,
    GroupName: group.name,
    IpPermissions: options.ingress ?? [],
    OwnerId: ownerId,
    GroupId: group.id,
    IpPermissionsEgress: options.egress ?? [ALL_OUT],
    Tags: options.tags ?? [{ Key: "Name", Value: group.name }],
    VpcId: VPC,
    SecurityGroupArn: `arn:aws:ec2:${TEST_REGION}:${ownerId}:security-group/${group.id}`,
  };
}

/** One network interface as DescribeNetworkInterfaces returns it. */
function networkInterface(id: string, privateIp: string, groups: GroupRef[], kind: "interface" | "lambda") {
  const lambda = kind === "lambda";
  const privateDns = `ip-${privateIp.replaceAll(".", "-")}.eu-west-1.compute.internal`;
  return {
    ...(lambda
      ? {}
      : {
          Attachment: {
            AttachTime: "2026-10-01T09:30:00.000Z",
            AttachmentId: `eni-attach-${id.slice(4)}`,
            DeleteOnTermination: true,
            DeviceIndex: 0,
            NetworkCardIndex: 0,
            InstanceId: "i-0a1b2c3d4e5f60718",
            InstanceOwnerId: TEST_ACCOUNT,
            Status: "attached",
          },
        }),
    AvailabilityZone: "eu-west-1a",
    Description: lambda ? "AWS Lambda VPC ENI-orders-handler-3f1c2b7e-8d9a-4c6b-a1e2-5f4d3c2b1a09" : "",
    Groups: groups.map((group) => ({ GroupId: group.id, GroupName: group.name })),
    InterfaceType: kind,
    Ipv6Addresses: [],
    MacAddress: "02:5c:7d:9e:1f:2a",
    NetworkInterfaceId: id,
    OwnerId: TEST_ACCOUNT,
    PrivateDnsName: privateDns,
    PrivateIpAddress: privateIp,
    PrivateIpAddresses: [{ Primary: true, PrivateDnsName: privateDns, PrivateIpAddress: privateIp }],
    ...(lambda ? { RequesterId: "AROAEXAMPLEROLEID12345:orders-handler" } : {}),
    RequesterManaged: lambda,
    SourceDestCheck: true,
    Status: "in-use",
    SubnetId: "subnet-0a1b2c3d4e5f60718",
    TagSet: [],
    VpcId: VPC,
  };
}

const INSTANCE_ENI = networkInterface("eni-0aa11bb22cc33dd44", "10.20.1.15", [WEB], "interface");
const LAMBDA_ENI_A = networkInterface("eni-0bb22cc33dd44ee55", "10.20.3.40", [WEB, LAMBDA], "lambda");
const LAMBDA_ENI_B = networkInterface("eni-0cc33dd44ee55ff66", "10.20.4.41", [WEB], "lambda");
const LAMBDA_ONLY_ENI = networkInterface("eni-0dd44ee55ff660011", "10.20.3.42", [LAMBDA], "lambda");

/** LEGACY_DB is used by no ENI, but APP's egress and ADMIN's ingress rules name it. */
const REFERENCED_ONLY = [
  securityGroup(LEGACY_DB, { ingress: [permission(5432, { groups: [APP] })] }),
  securityGroup(APP, { egress: [permission(5432, { groups: [LEGACY_DB] })] }),
  securityGroup(ADMIN, { ingress: [permission(22, { cidr: "198.51.100.0/24" }), permission(5432, { groups: [LEGACY_DB] })] }),
];
/** APP and ADMIN are used, so only LEGACY_DB's use is in question. */
const APP_AND_ADMIN_ENI = networkInterface("eni-0ee55ff6600112233", "10.20.1.16", [APP, ADMIN], "interface");

const accountWith = (groups: object[], enis: object[]) => ({
  responses: { DescribeSecurityGroups: { SecurityGroups: groups }, DescribeNetworkInterfaces: { NetworkInterfaces: enis } },
});

testRule(rule, [
  {
    name: "a group used by ENIs is compliant and counts them by type",
    fixture: accountWith([securityGroup(WEB)], [INSTANCE_ENI, LAMBDA_ENI_A, LAMBDA_ENI_B]),
    expected: [{ resourceId: WEB.id, complianceType: "COMPLIANT", annotation: "Used by 3 ENIs: 2 lambda, 1 interface" }],
  },
  {
    name: "a group used by more ENIs than the annotation names counts the rest",
    fixture: accountWith(
      [securityGroup(WEB)],
      [
        INSTANCE_ENI,
        LAMBDA_ENI_A,
        LAMBDA_ENI_B,
        networkInterface("eni-0ff6600112233aabb", "10.20.1.17", [WEB], "interface"),
        networkInterface("eni-000112233aabbccdd", "10.20.1.18", [WEB], "interface"),
      ],
    ),
    expected: [
      {
        resourceId: WEB.id,
        complianceType: "COMPLIANT",
        annotation:
          "Used by 5 ENIs: 3 interface, 2 lambda (eni-0aa11bb22cc33dd44, eni-0bb22cc33dd44ee55, eni-0cc33dd44ee55ff66 and 2 more)",
      },
    ],
  },
  {
    name: "a group used by one ENI more than the annotation names counts it",
    fixture: accountWith(
      [securityGroup(WEB)],
      [INSTANCE_ENI, LAMBDA_ENI_A, LAMBDA_ENI_B, networkInterface("eni-0ff6600112233aabb", "10.20.1.17", [WEB], "interface")],
    ),
    expected: [
      {
        resourceId: WEB.id,
        complianceType: "COMPLIANT",
        annotation:
          "Used by 4 ENIs: 2 interface, 2 lambda (eni-0aa11bb22cc33dd44, eni-0bb22cc33dd44ee55, eni-0cc33dd44ee55ff66 and 1 more)",
      },
    ],
  },
  {
    name: "a group used only by a Lambda ENI (requester-managed) is compliant",
    fixture: accountWith([securityGroup(LAMBDA)], [LAMBDA_ONLY_ENI]),
    expected: [{ resourceId: LAMBDA.id, complianceType: "COMPLIANT", annotation: "Used by 1 ENI: 1 lambda (eni-0dd44ee55ff660011)" }],
  },
  {
    name: "a group no ENI uses and nothing references is non-compliant",
    fixture: accountWith([securityGroup(UNUSED, { ingress: [permission(22, { cidr: "0.0.0.0/0" })] })], [INSTANCE_ENI]),
    expected: [{ resourceId: UNUSED.id, complianceType: "NON_COMPLIANT", annotation: "not referenced by any other group's rules" }],
  },
  {
    name: "a group referenced only by other groups (ingress and egress) is non-compliant, naming the references",
    fixture: accountWith(REFERENCED_ONLY, [APP_AND_ADMIN_ENI]),
    expected: [
      {
        resourceId: LEGACY_DB.id,
        complianceType: "NON_COMPLIANT",
        annotation: `only referenced by the rules of ${APP.id} (egress), ${ADMIN.id} (ingress)`,
      },
      { resourceId: APP.id, complianceType: "COMPLIANT", annotation: "1 interface" },
      { resourceId: ADMIN.id, complianceType: "COMPLIANT" },
    ],
  },
  {
    name: "countReferencesAsUse makes a referenced group compliant, naming the referencing groups",
    fixture: accountWith(REFERENCED_ONLY, [APP_AND_ADMIN_ENI]),
    params: { countReferencesAsUse: "true" },
    expected: [
      {
        resourceId: LEGACY_DB.id,
        complianceType: "COMPLIANT",
        annotation: /referenced by the rules of .*sg-0d4e5f6071829a3b4.*sg-0e5f6071829a3b4c5/,
      },
      { resourceId: APP.id, complianceType: "COMPLIANT" },
      { resourceId: ADMIN.id, complianceType: "COMPLIANT" },
    ],
  },
  {
    name: "countReferencesAsUse false keeps AWS's ENI-only behaviour",
    fixture: accountWith(REFERENCED_ONLY, [APP_AND_ADMIN_ENI]),
    params: { countReferencesAsUse: false },
    expected: [
      { resourceId: LEGACY_DB.id, complianceType: "NON_COMPLIANT" },
      { resourceId: APP.id, complianceType: "COMPLIANT" },
      { resourceId: ADMIN.id, complianceType: "COMPLIANT" },
    ],
  },
  {
    name: "a group that only references itself stays unused, even with countReferencesAsUse",
    fixture: accountWith(
      [
        securityGroup(SELF_ONLY, {
          ingress: [permission(7946, { groups: [SELF_ONLY] })],
          egress: [permission(7946, { groups: [SELF_ONLY] })],
        }),
      ],
      [],
    ),
    params: { countReferencesAsUse: true },
    expected: [{ resourceId: SELF_ONLY.id, complianceType: "NON_COMPLIANT", annotation: "not referenced by any other group's rules" }],
  },
  {
    name: "the default group is not applicable, used or not",
    fixture: accountWith(
      [
        securityGroup(DEFAULT, {
          ingress: [
            {
              IpProtocol: "-1",
              IpRanges: [],
              Ipv6Ranges: [],
              PrefixListIds: [],
              UserIdGroupPairs: [{ GroupId: DEFAULT.id, UserId: TEST_ACCOUNT }],
            },
          ],
        }),
      ],
      [],
    ),
    expected: [{ resourceId: DEFAULT.id, complianceType: "NOT_APPLICABLE", annotation: "Default security group" }],
  },
  {
    name: "a group owned by another account is not applicable",
    fixture: accountWith([securityGroup(SHARED, { ownerId: OTHER_ACCOUNT })], []),
    expected: [{ resourceId: SHARED.id, complianceType: "NOT_APPLICABLE", annotation: `another account (${OTHER_ACCOUNT})` }],
  },
  {
    name: "an unused group exempted by tag is NOT_APPLICABLE and says exempted",
    fixture: accountWith(
      [
        securityGroup(UNUSED, {
          tags: [
            { Key: "Name", Value: UNUSED.name },
            { Key: "compliance-exempt", Value: "sg-attached-to-eni" },
            { Key: "compliance-exempt-owner", Value: "platform-team" },
            { Key: "compliance-exempt-expires", Value: "2027-03-01T00:00:00Z" },
          ],
        }),
      ],
      [],
    ),
    exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, now: NOW }),
    expected: [{ resourceId: UNUSED.id, complianceType: "NOT_APPLICABLE", annotation: /Exempted.*platform-team until 2027-03-01/ }],
  },
  {
    name: "a tag exempting other rules only does not exempt this one",
    fixture: accountWith([securityGroup(UNUSED, { tags: [{ Key: "compliance-exempt", Value: "eip-attached" }] })], []),
    exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, now: NOW }),
    expected: [{ resourceId: UNUSED.id, complianceType: "NON_COMPLIANT" }],
  },
  {
    name: "without network interfaces in the input every group is INSUFFICIENT_DATA, never NON_COMPLIANT",
    fixture: { ...accountWith([securityGroup(WEB), securityGroup(UNUSED), securityGroup(DEFAULT)], []), missing: ["network-interface"] },
    expected: [
      { resourceId: WEB.id, complianceType: "INSUFFICIENT_DATA", annotation: "AWS::EC2::NetworkInterface" },
      { resourceId: UNUSED.id, complianceType: "INSUFFICIENT_DATA" },
      { resourceId: DEFAULT.id, complianceType: "INSUFFICIENT_DATA" },
    ],
  },
]);

testRuleParameters(rule, {
  defaults: { countReferencesAsUse: false },
  accepted: [[{ countReferencesAsUse: "1" }, { countReferencesAsUse: true }]],
  invalid: [
    ["a word that is not a boolean", { countReferencesAsUse: "ingress" }, "countReferencesAsUse", "ingress"],
    ["another word that is not a boolean", { countReferencesAsUse: "sometimes" }, "countReferencesAsUse", "sometimes"],
    ["null", { countReferencesAsUse: null }, "countReferencesAsUse", null],
    ["an unknown parameter", { countReferences: true }, "countReferences", true],
  ],
});
