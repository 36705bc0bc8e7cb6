import { parseRuleParameters } from "../../lib/engine/rule";
import { ExemptionPolicy } from "../../lib/exemptions/exemptions";
import rule from "../../rules/endpoint-route-present";
import { RULE_IDS } from "../support/rule-ids";
import { TEST_ACCOUNT, TEST_REGION, testRule, testRuleParameters } from "../support/rule-tester";

const NOW = new Date("2026-11-22T12:00:00Z");
const VPC_A = "vpc-0aaaaaaaaaaaaaaa1";
const VPC_B = "vpc-0bbbbbbbbbbbbbbb2";
const S3_PL = "pl-6da54004";
const DDB_PL = "pl-6fa54006";
const PREFIX_LISTS = [
  { PrefixListId: S3_PL, PrefixListName: `com.amazonaws.${TEST_REGION}.s3`, Cidrs: ["52.218.0.0/17"] },
  { PrefixListId: DDB_PL, PrefixListName: `com.amazonaws.${TEST_REGION}.dynamodb`, Cidrs: ["52.94.24.0/23"] },
];

type RouteSpec = Record<string, string>;
const local = (vpc: string): RouteSpec => ({
  DestinationCidrBlock: vpc === VPC_A ? "10.10.0.0/16" : "10.20.0.0/16",
  GatewayId: "local",
  Origin: "CreateRouteTable",
  State: "active",
});
const internet = (state = "active"): RouteSpec => ({
  DestinationCidrBlock: "0.0.0.0/0",
  GatewayId: "igw-0c1d2e3f4a5b6c7d8",
  Origin: "CreateRoute",
  State: state,
});
const nat = (): RouteSpec => ({
  DestinationCidrBlock: "0.0.0.0/0",
  NatGatewayId: "nat-0c1d2e3f4a5b6c7d8",
  Origin: "CreateRoute",
  State: "active",
});
const endpointRoute = (prefixList: string, endpoint: string, state = "active"): RouteSpec => ({
  DestinationPrefixListId: prefixList,
  GatewayId: endpoint,
  Origin: "CreateRoute",
  State: state,
});

function subnet(id: string, vpc: string) {
  return {
    AvailabilityZone: "eu-west-1a",
    AvailabilityZoneId: "euw1-az1",
    AvailableIpAddressCount: 250,
    CidrBlock: "10.10.1.0/24",
    DefaultForAz: false,
    MapPublicIpOnLaunch: false,
    OwnerId: TEST_ACCOUNT,
    State: "available",
    SubnetId: id,
    VpcId: vpc,
    Tags: [{ Key: "Name", Value: id }],
  };
}

/** A route table as DescribeRouteTables returns it: explicit associations only, plus Main when it is the main table. */
function table(
  id: string,
  vpc: string,
  options: { main?: boolean; subnets?: string[]; routes?: RouteSpec[]; tags?: Record<string, string> } = {},
) {
  const association = (suffix: string, extra: Record<string, unknown>) => ({
    RouteTableAssociationId: `rtbassoc-${id.slice(4)}${suffix}`,
    RouteTableId: id,
    AssociationState: { State: "associated" },
    ...extra,
  });
  return {
    RouteTableId: id,
    VpcId: vpc,
    OwnerId: TEST_ACCOUNT,
    PropagatingVgws: [],
    Routes: [local(vpc), ...(options.routes ?? [])],
    Associations: [
      ...(options.main ? [association("m", { Main: true })] : []),
      ...(options.subnets ?? []).map((subnetId, index) => association(String(index), { Main: false, SubnetId: subnetId })),
    ],
    Tags: Object.entries({ Name: id, ...options.tags }).map(([Key, Value]) => ({ Key, Value })),
  };
}

function endpoint(
  id: string,
  vpc: string,
  service: string,
  options: { type?: string; state?: string; privateDns?: boolean; routeTableIds?: string[]; requesterManaged?: boolean } = {},
) {
  const type = options.type ?? "Gateway";
  return {
    VpcEndpointId: id,
    VpcEndpointType: type,
    VpcId: vpc,
    ServiceName: `com.amazonaws.${TEST_REGION}.${service}`,
    State: options.state ?? "available",
    PolicyDocument: '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
    RouteTableIds: options.routeTableIds ?? [],
    SubnetIds: type === "Interface" ? ["subnet-00000000000000001"] : [],
    Groups: [],
    NetworkInterfaceIds: [],
    DnsEntries: [],
    PrivateDnsEnabled: options.privateDns ?? false,
    RequesterManaged: options.requesterManaged ?? false,
    OwnerId: TEST_ACCOUNT,
    CreationTimestamp: "2026-09-01T08:00:00.000Z",
    Tags: [],
  };
}

function account(parts: {
  subnets?: ReturnType<typeof subnet>[];
  tables?: ReturnType<typeof table>[];
  endpoints?: ReturnType<typeof endpoint>[];
  prefixLists?: typeof PREFIX_LISTS | null;
}) {
  return {
    responses: {
      DescribeSubnets: { Subnets: parts.subnets ?? [] },
      DescribeRouteTables: { RouteTables: parts.tables ?? [] },
      DescribeVpcEndpoints: { VpcEndpoints: parts.endpoints ?? [] },
      ...(parts.prefixLists === null ? {} : { DescribePrefixLists: { PrefixLists: parts.prefixLists ?? PREFIX_LISTS } }),
    },
  };
}

const S3_A = "vpce-0a00000000000a001";
const DDB_A = "vpce-0a00000000000a002";
const S3_B = "vpce-0b00000000000b001";

/** VPC A: a routed main table (implicit subnet-1), an explicit private table without the route, a public and an unused table. */
const mixedVpc = account({
  subnets: [
    subnet("subnet-00000000000000001", VPC_A),
    subnet("subnet-00000000000000002", VPC_A),
    subnet("subnet-00000000000000003", VPC_A),
  ],
  tables: [
    table("rtb-000000000000main1", VPC_A, { main: true, routes: [nat(), endpointRoute(S3_PL, S3_A)] }),
    table("rtb-000000000000priv2", VPC_A, { subnets: ["subnet-00000000000000002"], routes: [nat()] }),
    table("rtb-0000000000000pub3", VPC_A, { subnets: ["subnet-00000000000000003"], routes: [internet()] }),
    table("rtb-00000000000spare4", VPC_A),
  ],
  endpoints: [endpoint(S3_A, VPC_A, "s3", { routeTableIds: ["rtb-000000000000main1"] })],
});

testRule(rule, [
  {
    name: "private tables with the route are COMPLIANT, without it NON_COMPLIANT; public and unused tables NOT_APPLICABLE",
    fixture: mixedVpc,
    expected: [
      {
        resourceId: "rtb-000000000000main1",
        complianceType: "COMPLIANT",
        annotation: `Routes s3 via ${S3_A}; serves subnet-00000000000000001 via main table`,
      },
      {
        resourceId: "rtb-000000000000priv2",
        complianceType: "NON_COMPLIANT",
        annotation: `s3: no active route to endpoint ${S3_A}. Private subnets affected: subnet-00000000000000002`,
      },
      { resourceId: "rtb-0000000000000pub3", complianceType: "NOT_APPLICABLE", annotation: "public (0.0.0.0/0 via igw-0c1d2e3f4a5b6c7d8)" },
      { resourceId: "rtb-00000000000spare4", complianceType: "NOT_APPLICABLE", annotation: "serves no subnet" },
      { resourceId: S3_A, complianceType: "NOT_APPLICABLE", annotation: "judged on the route tables" },
    ],
  },
  {
    name: "scope all judges public and unused tables too",
    params: { scope: "all" },
    fixture: mixedVpc,
    expected: [
      { resourceId: "rtb-000000000000main1", complianceType: "COMPLIANT" },
      { resourceId: "rtb-000000000000priv2", complianceType: "NON_COMPLIANT" },
      { resourceId: "rtb-0000000000000pub3", complianceType: "NON_COMPLIANT", annotation: "Table public" },
      { resourceId: "rtb-00000000000spare4", complianceType: "NON_COMPLIANT", annotation: "Table serves no subnet" },
      { resourceId: S3_A, complianceType: "NOT_APPLICABLE" },
    ],
  },
  {
    name: "main-table fallback: a subnet without an explicit association is judged on the main table",
    fixture: account({
      subnets: [subnet("subnet-00000000000000001", VPC_A), subnet("subnet-00000000000000002", VPC_A)],
      tables: [
        table("rtb-000000000000main1", VPC_A, { main: true, routes: [nat()] }),
        table("rtb-000000000000priv2", VPC_A, { subnets: ["subnet-00000000000000002"], routes: [endpointRoute(S3_PL, S3_A)] }),
      ],
      endpoints: [endpoint(S3_A, VPC_A, "s3", { routeTableIds: ["rtb-000000000000priv2"] })],
    }),
    expected: [
      {
        resourceId: "rtb-000000000000main1",
        complianceType: "NON_COMPLIANT",
        annotation: "Private subnets affected: subnet-00000000000000001 via main table",
      },
      { resourceId: "rtb-000000000000priv2", complianceType: "COMPLIANT" },
      { resourceId: S3_A, complianceType: "NOT_APPLICABLE" },
    ],
  },
  {
    name: "a default route to an internet gateway that is blackhole does not make a subnet public",
    fixture: account({
      subnets: [subnet("subnet-00000000000000001", VPC_A)],
      tables: [table("rtb-000000000000main1", VPC_A, { main: true, routes: [internet("blackhole")] })],
      endpoints: [endpoint(S3_A, VPC_A, "s3")],
    }),
    expected: [
      { resourceId: "rtb-000000000000main1", complianceType: "NON_COMPLIANT", annotation: "s3: no active route" },
      { resourceId: S3_A, complianceType: "NOT_APPLICABLE" },
    ],
  },
  {
    name: "blackhole route after the endpoint was deleted is NON_COMPLIANT, whether the endpoint is listed as deleted or gone",
    fixture: account({
      subnets: [subnet("subnet-00000000000000001", VPC_A), subnet("subnet-00000000000000009", VPC_B)],
      tables: [
        table("rtb-000000000000main1", VPC_A, { main: true, routes: [endpointRoute(S3_PL, S3_A, "blackhole")] }),
        table("rtb-000000000000main9", VPC_B, { main: true, routes: [endpointRoute(S3_PL, S3_B, "blackhole")] }),
      ],
      endpoints: [endpoint(S3_B, VPC_B, "s3", { state: "deleted" })],
    }),
    expected: [
      {
        resourceId: "rtb-000000000000main1",
        complianceType: "NON_COMPLIANT",
        annotation: `s3 route to ${S3_PL} via ${S3_A} is blackhole, endpoint gone. Private subnets affected: subnet-00000000000000001 via main table`,
      },
      { resourceId: "rtb-000000000000main9", complianceType: "NON_COMPLIANT", annotation: `via ${S3_B} is blackhole, endpoint gone` },
      { resourceId: S3_B, complianceType: "NOT_APPLICABLE" },
    ],
  },
  {
    name: "a blackhole endpoint route is NON_COMPLIANT even when neither prefix lists nor the endpoint are known",
    fixture: {
      ...account({
        subnets: [subnet("subnet-00000000000000001", VPC_A)],
        tables: [table("rtb-000000000000main1", VPC_A, { main: true, routes: [endpointRoute(S3_PL, S3_A, "blackhole")] })],
        prefixLists: null,
      }),
      missing: ["prefix-list"],
    },
    expected: [
      {
        resourceId: "rtb-000000000000main1",
        complianceType: "NON_COMPLIANT",
        annotation: `route to ${S3_PL} via ${S3_A} is blackhole (endpoint gone)`,
      },
    ],
  },
  {
    name: "without prefix lists, a route is matched by its endpoint id alone",
    fixture: {
      ...account({
        subnets: [subnet("subnet-00000000000000001", VPC_A)],
        tables: [table("rtb-000000000000main1", VPC_A, { main: true, routes: [endpointRoute(S3_PL, S3_A)] })],
        endpoints: [endpoint(S3_A, VPC_A, "s3")],
        prefixLists: null,
      }),
      missing: ["prefix-list"],
    },
    expected: [
      { resourceId: "rtb-000000000000main1", complianceType: "COMPLIANT", annotation: `Routes s3 via ${S3_A}` },
      { resourceId: S3_A, complianceType: "NOT_APPLICABLE" },
    ],
  },
  {
    name: "with prefix lists known, a route to the endpoint must target that service's prefix list",
    params: { services: ["s3"] },
    fixture: account({
      subnets: [subnet("subnet-00000000000000001", VPC_A)],
      tables: [table("rtb-000000000000main1", VPC_A, { main: true, routes: [endpointRoute(DDB_PL, S3_A)] })],
      endpoints: [endpoint(S3_A, VPC_A, "s3")],
    }),
    expected: [
      { resourceId: "rtb-000000000000main1", complianceType: "NON_COMPLIANT", annotation: `s3: no active route to endpoint ${S3_A}` },
      { resourceId: S3_A, complianceType: "NOT_APPLICABLE" },
    ],
  },
  {
    name: "two VPCs with their own endpoints: each table must route to its own VPC's endpoint",
    fixture: account({
      subnets: [subnet("subnet-00000000000000001", VPC_A), subnet("subnet-00000000000000009", VPC_B)],
      tables: [
        table("rtb-000000000000main1", VPC_A, { main: true, routes: [endpointRoute(S3_PL, S3_A)] }),
        table("rtb-000000000000main9", VPC_B, { main: true, routes: [endpointRoute(S3_PL, S3_A)] }),
      ],
      endpoints: [endpoint(S3_A, VPC_A, "s3"), endpoint(S3_B, VPC_B, "s3")],
    }),
    expected: [
      { resourceId: "rtb-000000000000main1", complianceType: "COMPLIANT" },
      {
        resourceId: "rtb-000000000000main9",
        complianceType: "NON_COMPLIANT",
        annotation: `s3: no active route to endpoint ${S3_B} (routes via ${S3_A}, not an endpoint of this VPC)`,
      },
      { resourceId: S3_A, complianceType: "NOT_APPLICABLE" },
      { resourceId: S3_B, complianceType: "NOT_APPLICABLE" },
    ],
  },
  {
    name: "every listed service with an endpoint must be routed; services narrows the list",
    fixture: account({
      subnets: [subnet("subnet-00000000000000001", VPC_A)],
      tables: [table("rtb-000000000000main1", VPC_A, { main: true, routes: [endpointRoute(S3_PL, S3_A)] })],
      endpoints: [endpoint(S3_A, VPC_A, "s3"), endpoint(DDB_A, VPC_A, "dynamodb")],
    }),
    expected: [
      {
        resourceId: "rtb-000000000000main1",
        complianceType: "NON_COMPLIANT",
        annotation: `dynamodb: no active route to endpoint ${DDB_A}`,
      },
      { resourceId: S3_A, complianceType: "NOT_APPLICABLE" },
      { resourceId: DDB_A, complianceType: "NOT_APPLICABLE" },
    ],
  },
  {
    name: "services = s3 ignores the DynamoDB endpoint",
    params: { services: "s3" },
    fixture: account({
      subnets: [subnet("subnet-00000000000000001", VPC_A)],
      tables: [table("rtb-000000000000main1", VPC_A, { main: true, routes: [endpointRoute(S3_PL, S3_A)] })],
      endpoints: [endpoint(S3_A, VPC_A, "s3"), endpoint(DDB_A, VPC_A, "dynamodb")],
    }),
    expected: [
      { resourceId: "rtb-000000000000main1", complianceType: "COMPLIANT", annotation: `Routes s3 via ${S3_A};` },
      { resourceId: S3_A, complianceType: "NOT_APPLICABLE" },
      { resourceId: DDB_A, complianceType: "NOT_APPLICABLE" },
    ],
  },
  {
    name: "a VPC without gateway endpoints is NOT_APPLICABLE by default",
    fixture: account({
      subnets: [subnet("subnet-00000000000000001", VPC_A)],
      tables: [table("rtb-000000000000main1", VPC_A, { main: true, routes: [nat()] })],
    }),
    expected: [
      {
        resourceId: "rtb-000000000000main1",
        complianceType: "NOT_APPLICABLE",
        annotation: "No available gateway endpoint for s3/dynamodb",
      },
    ],
  },
  {
    name: "requireEndpoint makes private tables of a VPC without endpoints NON_COMPLIANT, not public ones",
    params: { requireEndpoint: true, scope: "all" },
    fixture: account({
      subnets: [subnet("subnet-00000000000000001", VPC_A), subnet("subnet-00000000000000009", VPC_B)],
      tables: [
        table("rtb-000000000000main1", VPC_A, { main: true, routes: [nat()] }),
        table("rtb-000000000000main9", VPC_B, { main: true, routes: [internet()] }),
      ],
    }),
    expected: [
      {
        resourceId: "rtb-000000000000main1",
        complianceType: "NON_COMPLIANT",
        annotation: `s3: ${VPC_A} has private subnets but no available gateway endpoint; dynamodb:`,
      },
      { resourceId: "rtb-000000000000main9", complianceType: "NOT_APPLICABLE", annotation: "No available gateway endpoint" },
    ],
  },
  {
    name: "interface endpoints: private DNS off is NON_COMPLIANT, on is COMPLIANT; unavailable and other types NOT_APPLICABLE",
    fixture: account({
      endpoints: [
        endpoint("vpce-0000000000000i001", VPC_A, "ssm", { type: "Interface", privateDns: false }),
        endpoint("vpce-0000000000000i002", VPC_A, "ec2", { type: "Interface", privateDns: true }),
        endpoint("vpce-0000000000000i003", VPC_A, "sts", { type: "Interface", privateDns: false, state: "pendingAcceptance" }),
        endpoint("vpce-0000000000000g004", VPC_A, "vpce.use1-az1.vpce-svc-0123", { type: "GatewayLoadBalancer" }),
      ],
    }),
    expected: [
      {
        resourceId: "vpce-0000000000000i001",
        complianceType: "NON_COMPLIANT",
        annotation: `Private DNS is disabled for com.amazonaws.${TEST_REGION}.ssm`,
      },
      { resourceId: "vpce-0000000000000i002", complianceType: "COMPLIANT", annotation: "Private DNS is enabled" },
      { resourceId: "vpce-0000000000000i003", complianceType: "NOT_APPLICABLE", annotation: "pendingacceptance, not available" },
      { resourceId: "vpce-0000000000000g004", complianceType: "NOT_APPLICABLE", annotation: "gatewayloadbalancer is not checked" },
    ],
  },
  {
    name: "a requester-managed interface endpoint (e.g. Transfer Family's) is NOT_APPLICABLE whatever its private DNS; the account's own are judged",
    fixture: account({
      endpoints: [
        endpoint("vpce-0000000000000r001", VPC_A, "transfer.server", { type: "Interface", privateDns: false, requesterManaged: true }),
        endpoint("vpce-0000000000000r002", VPC_A, "transfer", { type: "Interface", privateDns: true, requesterManaged: true }),
        endpoint("vpce-0000000000000i001", VPC_A, "transfer.server", { type: "Interface", privateDns: false }),
        endpoint("vpce-0000000000000i002", VPC_A, "transfer", { type: "Interface", privateDns: true }),
      ],
    }),
    expected: [
      {
        resourceId: "vpce-0000000000000r001",
        complianceType: "NOT_APPLICABLE",
        annotation: "requester-managed: created by an AWS service; the account cannot change its private DNS",
      },
      { resourceId: "vpce-0000000000000r002", complianceType: "NOT_APPLICABLE", annotation: "requester-managed" },
      { resourceId: "vpce-0000000000000i001", complianceType: "NON_COMPLIANT", annotation: "Private DNS is disabled" },
      { resourceId: "vpce-0000000000000i002", complianceType: "COMPLIANT", annotation: "Private DNS is enabled" },
    ],
  },
  {
    name: "requirePrivateDns false accepts an interface endpoint without private DNS",
    params: { requirePrivateDns: "false" },
    fixture: account({ endpoints: [endpoint("vpce-0000000000000i001", VPC_A, "ssm", { type: "Interface", privateDns: false })] }),
    expected: [{ resourceId: "vpce-0000000000000i001", complianceType: "COMPLIANT", annotation: "Private DNS is disabled" }],
  },
  {
    name: "a route table tagged compliance-exempt is NOT_APPLICABLE",
    exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, now: NOW }),
    fixture: account({
      subnets: [subnet("subnet-00000000000000001", VPC_A)],
      tables: [
        table("rtb-000000000000main1", VPC_A, {
          main: true,
          routes: [nat()],
          tags: { "compliance-exempt": "endpoint-route-present", "compliance-exempt-reason": "egress via proxy" },
        }),
      ],
      endpoints: [endpoint(S3_A, VPC_A, "s3")],
    }),
    expected: [
      { resourceId: "rtb-000000000000main1", complianceType: "NOT_APPLICABLE", annotation: "Exempted (tag) (no expiry): egress via proxy" },
      { resourceId: S3_A, complianceType: "NOT_APPLICABLE" },
    ],
  },
  {
    name: "subnets not collected give INSUFFICIENT_DATA on every table and endpoint",
    fixture: { ...mixedVpc, missing: ["subnet"] },
    expected: [
      { resourceId: "rtb-000000000000main1", complianceType: "INSUFFICIENT_DATA", annotation: "missing AWS::EC2::Subnet" },
      { resourceId: "rtb-000000000000priv2", complianceType: "INSUFFICIENT_DATA" },
      { resourceId: "rtb-0000000000000pub3", complianceType: "INSUFFICIENT_DATA" },
      { resourceId: "rtb-00000000000spare4", complianceType: "INSUFFICIENT_DATA" },
      { resourceId: S3_A, complianceType: "INSUFFICIENT_DATA" },
    ],
  },
]);

// Defaults: AWS's two gateway services, private scope, private DNS required.
testRuleParameters(rule, {
  defaults: { services: ["s3", "dynamodb"], scope: "private", requireEndpoint: false, requirePrivateDns: true },
  accepted: [
    [{ services: "s3, dynamodb" }, { services: ["s3", "dynamodb"] }],
    [{ services: "dynamodb" }, { services: ["dynamodb"] }],
    [
      { scope: "all", requireEndpoint: "true", requirePrivateDns: "false" },
      { scope: "all", requireEndpoint: true, requirePrivateDns: false },
    ],
  ],
  invalid: [
    ["a scope that is not an option", { scope: "public" }, "scope", "public"],
    ["an empty service list", { services: "" }, "services", ""],
    ["a service name with a space and capitals", { services: "S3 buckets" }, "services", "S3 buckets"],
    ["a list holding a number", { services: [42] }, "services", [42]],
    // Only S3 and DynamoDB have gateway endpoints: any other name would check nothing (issue 10, finding 6).
    ["a misspelt service", { services: ["dynamo"] }, "services", ["dynamo"]],
    ["a service that does not exist", { services: ["s4"] }, "services", ["s4"]],
    ["a service with interface endpoints only", { services: "ssm,s3" }, "services", "ssm,s3"],
    ["an empty list", { services: [] }, "services", []],
    ["a word that is not a boolean", { requireEndpoint: "perhaps" }, "requireEndpoint", "perhaps"],
    ["a number for a boolean", { requirePrivateDns: 3 }, "requirePrivateDns", 3],
    ["an unknown parameter", { service: "s3" }, "service", "s3"],
  ],
});

describe("endpoint-route-present services domain", () => {
  it("names the value outside the domain and lists the allowed values", () => {
    expect(() => parseRuleParameters(rule, { services: ["s3", "dynamo"] })).toThrow(
      'rule endpoint-route-present: invalid parameter "services" = ["s3","dynamo"]: "dynamo" is not one of the allowed values: s3, dynamodb',
    );
    expect(() => parseRuleParameters(rule, { services: "" })).toThrow("must name at least one of the allowed values: s3, dynamodb");
    expect(() => parseRuleParameters(rule, { scope: "public" })).toThrow('"public" is not one of the allowed values: private, all');
  });
});
