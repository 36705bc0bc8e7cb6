/**
 * Lambda benchmark: every rule's periodic run against a mocked account of 10k instances and 10k
 * security groups (aws-sdk-client-mock; no network). For each rule it prints the EC2 calls made
 * against the number of pages at the largest page size, the PutEvaluations calls against
 * ceil(evaluations / 100), and the handler's own time, with the time spent inside the mocks
 * subtracted. Run: npm run bench:lambda [-- --instances N --groups N]
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribePlacementGroupsCommand,
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { createRuleHandler } from "../lib/lambda/handler";
import { localContext } from "../lib/lambda/local-context";
import { EC2_OPERATIONS, type Ec2Operation, KINDS } from "../lib/model/kinds";
import { RULES } from "../rules";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
process.env.AWS_REGION ??= "eu-west-1";
process.env.AWS_ACCESS_KEY_ID ??= "bench";
process.env.AWS_SECRET_ACCESS_KEY ??= "bench";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const instanceCount = argument("instances", 10_000);
const groupCount = argument("groups", 10_000);
const vpcCount = 50;
const subnetsPerVpc = 4;
const placementGroupCount = 100;

const pad = (n: number) => String(n).padStart(8, "0");
const vpcOf = (n: number) => `vpc-${pad(n % vpcCount)}`;
const subnetOf = (n: number) => `subnet-${pad(n % (vpcCount * subnetsPerVpc))}`;

/** A realistic-ish account: the Describe* list items as the SDK returns them. */
function account(): Record<Ec2Operation, unknown[]> {
  const strategies = ["spread", "partition", "cluster"] as const;
  const reservations = Array.from({ length: instanceCount }, (_, n) => {
    const id = `i-${pad(n)}`;
    const publicIp = n % 5 === 0 ? { Association: { PublicIp: `198.51.${(n >> 8) & 255}.${n & 255}`, IpOwnerId: "amazon" } } : {};
    const group = `sg-${pad(n % Math.ceil(groupCount / 2))}`; // half of the groups are in use
    return {
      ReservationId: `r-${pad(n)}`,
      OwnerId: ACCOUNT,
      Instances: [
        {
          InstanceId: id,
          InstanceType: n % 3 === 0 ? "c6in.large" : "t3.micro",
          State: { Code: 16, Name: n % 17 === 0 ? "stopped" : "running" },
          VpcId: vpcOf(n),
          SubnetId: subnetOf(n),
          Placement: {
            AvailabilityZone: `${REGION}${"abc"[n % 3]}`,
            GroupName: n % 4 === 0 ? `pg-${n % placementGroupCount}` : "",
            Tenancy: "default",
          },
          MetadataOptions: {
            State: "applied",
            HttpTokens: n % 2 === 0 ? "required" : "optional",
            HttpEndpoint: "enabled",
            HttpPutResponseHopLimit: 1,
          },
          SecurityGroups: [{ GroupId: group, GroupName: group }],
          NetworkInterfaces: [
            {
              NetworkInterfaceId: `eni-${pad(n)}`,
              Attachment: { DeviceIndex: 0, Status: "attached" },
              Groups: [{ GroupId: group, GroupName: group }],
              ...publicIp,
              PrivateIpAddresses: [{ PrivateIpAddress: "10.0.0.1", Primary: true, ...publicIp }],
            },
          ],
          EnaSupport: true,
          Tags: [{ Key: "Name", Value: `node-${n}` }],
        },
      ],
    };
  });
  const enis = reservations.map((reservation, n) => ({
    NetworkInterfaceId: `eni-${pad(n)}`,
    Status: "in-use",
    InterfaceType: "interface",
    OwnerId: ACCOUNT,
    VpcId: vpcOf(n),
    SubnetId: subnetOf(n),
    Groups: reservation.Instances[0]?.SecurityGroups,
    Attachment: { InstanceId: `i-${pad(n)}`, Status: "attached", DeviceIndex: 0 },
    PrivateIpAddresses: [],
    TagSet: [],
  }));
  const groups = Array.from({ length: groupCount }, (_, n) => ({
    GroupId: `sg-${pad(n)}`,
    GroupName: n < vpcCount ? "default" : `group-${n}`,
    Description: "bench",
    OwnerId: ACCOUNT,
    VpcId: vpcOf(n),
    IpPermissions: n % 10 === 0 ? [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: `sg-${pad(n + 1)}`, UserId: ACCOUNT }] }] : [],
    IpPermissionsEgress: [],
    Tags: [],
  }));
  const subnets = Array.from({ length: vpcCount * subnetsPerVpc }, (_, n) => ({
    SubnetId: `subnet-${pad(n)}`,
    VpcId: vpcOf(n),
    AvailabilityZone: `${REGION}a`,
    CidrBlock: `10.${n % 250}.0.0/24`,
    MapPublicIpOnLaunch: false,
    Tags: [],
  }));
  const routeTables = [
    ...Array.from({ length: vpcCount }, (_, v) => ({
      RouteTableId: `rtb-main-${pad(v)}`,
      VpcId: vpcOf(v),
      Routes: [{ DestinationCidrBlock: "10.0.0.0/8", GatewayId: "local", State: "active" }],
      Associations: [{ Main: true, RouteTableAssociationId: `rtbassoc-m${v}`, AssociationState: { State: "associated" } }],
      Tags: [],
    })),
    ...subnets.map((subnet, n) => ({
      RouteTableId: `rtb-${pad(n)}`,
      VpcId: subnet.VpcId,
      Routes: [
        { DestinationCidrBlock: "10.0.0.0/8", GatewayId: "local", State: "active" },
        ...(n % 3 === 0 ? [] : [{ DestinationPrefixListId: "pl-s3", GatewayId: `vpce-${pad(n % vpcCount)}`, State: "active" }]),
      ],
      Associations: [
        { Main: false, SubnetId: subnet.SubnetId, RouteTableAssociationId: `rtbassoc-${n}`, AssociationState: { State: "associated" } },
      ],
      Tags: [],
    })),
  ];
  const endpoints = Array.from({ length: vpcCount }, (_, v) => ({
    VpcEndpointId: `vpce-${pad(v)}`,
    VpcEndpointType: "Gateway",
    VpcId: vpcOf(v),
    ServiceName: `com.amazonaws.${REGION}.s3`,
    State: "available",
    RouteTableIds: routeTables.filter((table) => table.VpcId === vpcOf(v)).map((table) => table.RouteTableId),
    SubnetIds: [],
    Tags: [],
  }));
  return {
    DescribeInstances: reservations,
    DescribeNetworkInterfaces: enis,
    DescribeSecurityGroups: groups,
    DescribeAddresses: Array.from({ length: 1000 }, (_, n) => ({
      AllocationId: `eipalloc-${pad(n)}`,
      PublicIp: `203.0.${n >> 8}.${n & 255}`,
      Domain: "vpc",
      ...(n % 4 === 0 ? {} : { AssociationId: `eipassoc-${pad(n)}`, InstanceId: `i-${pad(n)}`, NetworkInterfaceId: `eni-${pad(n)}` }),
    })),
    DescribeSubnets: subnets,
    DescribeRouteTables: routeTables,
    DescribeVpcEndpoints: endpoints,
    DescribePrefixLists: [{ PrefixListId: "pl-s3", PrefixListName: `com.amazonaws.${REGION}.s3` }],
    DescribeInternetGateways: [],
    DescribePlacementGroups: Array.from({ length: placementGroupCount }, (_, n) => ({
      GroupName: `pg-${n}`,
      GroupId: `pg-${pad(n)}`,
      State: "available",
      Strategy: strategies[n % 3],
      ...(n % 3 === 1 ? { PartitionCount: 3 } : {}),
    })),
    DescribeInstanceTypes: ["c6in.large", "t3.micro"].map((InstanceType) => ({ InstanceType, NetworkInfo: { EnaSupport: "required" } })),
  };
}

const COMMANDS = {
  DescribeInstances: DescribeInstancesCommand,
  DescribeNetworkInterfaces: DescribeNetworkInterfacesCommand,
  DescribeSecurityGroups: DescribeSecurityGroupsCommand,
  DescribeAddresses: DescribeAddressesCommand,
  DescribeSubnets: DescribeSubnetsCommand,
  DescribeRouteTables: DescribeRouteTablesCommand,
  DescribeVpcEndpoints: DescribeVpcEndpointsCommand,
  DescribePrefixLists: DescribePrefixListsCommand,
  DescribeInternetGateways: DescribeInternetGatewaysCommand,
  DescribePlacementGroups: DescribePlacementGroupsCommand,
  DescribeInstanceTypes: DescribeInstanceTypesCommand,
} as const;

async function main(): Promise<void> {
  const data = account();
  const ec2 = mockClient(EC2Client);
  const config = mockClient(ConfigServiceClient);
  let mockedMs = 0;

  for (const [operation, command] of Object.entries(COMMANDS) as [Ec2Operation, (typeof COMMANDS)[Ec2Operation]][]) {
    ec2.on(command as never).callsFake((input: { MaxResults?: number; NextToken?: string; InstanceTypes?: string[] }) => {
      const started = performance.now();
      let items = data[operation];
      if (operation === "DescribeInstanceTypes" && input.InstanceTypes) {
        const names = new Set(input.InstanceTypes);
        items = items.filter((item) => names.has((item as { InstanceType: string }).InstanceType));
      }
      const size = input.MaxResults ?? items.length;
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const end = Math.min(items.length, start + size);
      const page = {
        [EC2_OPERATIONS[operation].listKey]: items.slice(start, end),
        ...(end < items.length ? { NextToken: String(end) } : {}),
      };
      mockedMs += performance.now() - started;
      return page;
    });
  }
  config.on(PutEvaluationsCommand).callsFake(() => ({ FailedEvaluations: [] }));
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });

  const logger = new Logger({ serviceName: "bench", logLevel: "SILENT" });
  const now = new Date().toISOString();
  const event = (ruleId: string) => ({
    version: "1.0",
    invokingEvent: JSON.stringify({
      messageType: "ScheduledNotification",
      notificationCreationTime: now,
      awsAccountId: ACCOUNT,
      recordVersion: "1.0",
    }),
    ruleParameters: "{}",
    resultToken: "bench-token",
    eventLeftScope: false,
    configRuleArn: `arn:aws:config:${REGION}:${ACCOUNT}:config-rule/config-rule-${ruleId}`,
    configRuleName: ruleId,
    accountId: ACCOUNT,
  });

  console.log(
    `Mocked account: ${instanceCount} instances, ${groupCount} security groups, ${data.DescribeNetworkInterfaces.length} ENIs, ` +
      `${data.DescribeAddresses.length} EIPs, ${data.DescribeRouteTables.length} route tables, ${data.DescribePlacementGroups.length} placement groups`,
  );
  console.log("");
  const header = [
    "rule",
    "evaluations",
    "EC2 calls",
    "pages (target)",
    "PutEvaluations",
    "ceil(n/100)",
    "handler ms",
    "in mocks ms",
    "handler − mocks ms",
  ];
  const rows: string[][] = [];
  let allOnTarget = true;
  for (const rule of RULES) {
    if (!rule.meta.triggers.includes("periodic")) continue;
    ec2.resetHistory();
    config.resetHistory();
    mockedMs = 0;
    const handler = createRuleHandler(rule, { logger });
    const started = performance.now();
    const result = await handler(event(rule.meta.id), localContext(rule.meta.id));
    const handlerMs = performance.now() - started;

    const kinds = new Set([...rule.meta.requires, ...(rule.meta.optional ?? [])]);
    let targetPages = 0;
    for (const kind of kinds) {
      const { operation, pageSize } = KINDS[kind];
      let count = data[operation].length;
      if (operation === "DescribeInstanceTypes" && kinds.has("instance"))
        count = new Set(data.DescribeInstances.map((r) => (r as { Instances: { InstanceType: string }[] }).Instances[0]?.InstanceType))
          .size;
      targetPages += pageSize === undefined ? 1 : Math.max(1, Math.ceil(count / pageSize));
    }
    const ec2Calls = ec2.calls().length;
    const puts = config.commandCalls(PutEvaluationsCommand).length;
    const expectedPuts = Math.ceil(result.evaluations.length / 100);
    allOnTarget &&= ec2Calls === targetPages && puts === expectedPuts;
    rows.push([
      rule.meta.id,
      String(result.evaluations.length),
      String(ec2Calls),
      String(targetPages),
      String(puts),
      String(expectedPuts),
      handlerMs.toFixed(0),
      mockedMs.toFixed(0),
      (handlerMs - mockedMs).toFixed(0),
    ]);
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  for (const row of [header, ...rows])
    console.log(
      row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  "),
    );
  console.log("");
  console.log(
    allOnTarget
      ? "EC2 calls = pages at the largest page size and PutEvaluations = ceil(n/100) for every rule."
      : "OFF TARGET: see the rows above.",
  );
  if (!allOnTarget) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
