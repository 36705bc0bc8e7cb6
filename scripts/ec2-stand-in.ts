import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for EC2's Query API (and sts:GetCallerIdentity) on 127.0.0.1: Describe* calls
 * answered with pages of synthetic items of realistic size, as large as MaxResults allows, paginated
 * with NextToken. For the record benchmark and tests; never an endpoint in production code.
 */
export interface StandInOptions {
  /** Resources in all, spread over instances, ENIs, security groups and subnets. */
  resources: number;
  /** Answer this operation with UnauthorizedOperation from this page on (0: the first). */
  failAt?: { operation: string; page: number };
}

export const STAND_IN_ACCOUNT = "123456789012";
export const STAND_IN_INSTANCE_TYPES = ["m5.large", "t3.micro", "c6i.xlarge", "r6g.2xlarge"];

/** How many of each kind `resources` becomes (the rest of the operations answer empty lists). */
export interface StandInCounts {
  DescribeInstances: number;
  DescribeNetworkInterfaces: number;
  DescribeSecurityGroups: number;
  DescribeSubnets: number;
}

export function standInCounts(resources: number): StandInCounts {
  const instances = Math.floor(resources * 0.3);
  const interfaces = Math.floor(resources * 0.4);
  const groups = Math.floor(resources * 0.2);
  return {
    DescribeInstances: instances,
    DescribeNetworkInterfaces: interfaces,
    DescribeSecurityGroups: groups,
    DescribeSubnets: resources - instances - interfaces - groups,
  };
}

const hex = (n: number, width = 17) => n.toString(16).padStart(width, "0");
const subnetOf = (n: number) => `subnet-${hex(n % 997)}`;
const groupOf = (n: number) => `sg-${hex(n % 1009)}`;

const ITEMS: Record<string, { set: string; item: (n: number) => string }> = {
  DescribeInstances: {
    set: "reservationSet",
    item: (n) =>
      `<item><reservationId>r-${hex(n)}</reservationId><ownerId>${STAND_IN_ACCOUNT}</ownerId><groupSet/><instancesSet><item><instanceId>i-${hex(n)}</instanceId><imageId>ami-0abcdef1234567890</imageId><instanceState><code>16</code><name>running</name></instanceState><privateDnsName>ip-10-0-${n % 256}-${n % 250}.eu-west-1.compute.internal</privateDnsName><dnsName/><amiLaunchIndex>0</amiLaunchIndex><instanceType>${STAND_IN_INSTANCE_TYPES[n % STAND_IN_INSTANCE_TYPES.length]}</instanceType><launchTime>2026-11-01T10:00:00.000Z</launchTime><placement><availabilityZone>eu-west-1a</availabilityZone><groupName/><tenancy>default</tenancy></placement><monitoring><state>disabled</state></monitoring><subnetId>${subnetOf(n)}</subnetId><vpcId>vpc-0a1b2c3d4e5f60718</vpcId><privateIpAddress>10.0.${n % 256}.${n % 250}</privateIpAddress><sourceDestCheck>true</sourceDestCheck><groupSet><item><groupId>${groupOf(n)}</groupId><groupName>web-${n % 1009}</groupName></item></groupSet><architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName><networkInterfaceSet><item><networkInterfaceId>eni-${hex(n)}</networkInterfaceId><subnetId>${subnetOf(n)}</subnetId><vpcId>vpc-0a1b2c3d4e5f60718</vpcId><ownerId>${STAND_IN_ACCOUNT}</ownerId><status>in-use</status><privateIpAddress>10.0.${n % 256}.${n % 250}</privateIpAddress><groupSet><item><groupId>${groupOf(n)}</groupId><groupName>web-${n % 1009}</groupName></item></groupSet><attachment><attachmentId>eni-attach-${hex(n)}</attachmentId><deviceIndex>0</deviceIndex><status>attached</status><deleteOnTermination>true</deleteOnTermination></attachment></item></networkInterfaceSet><metadataOptions><state>applied</state><httpTokens>${n % 3 === 0 ? "optional" : "required"}</httpTokens><httpPutResponseHopLimit>2</httpPutResponseHopLimit><httpEndpoint>enabled</httpEndpoint></metadataOptions></item></instancesSet></item>`,
  },
  DescribeNetworkInterfaces: {
    set: "networkInterfaceSet",
    item: (n) =>
      `<item><networkInterfaceId>eni-${hex(n + 1e9)}</networkInterfaceId><subnetId>${subnetOf(n)}</subnetId><vpcId>vpc-0a1b2c3d4e5f60718</vpcId><availabilityZone>eu-west-1a</availabilityZone><description>Interface ${n}</description><ownerId>${STAND_IN_ACCOUNT}</ownerId><requesterManaged>false</requesterManaged><status>${n % 5 === 0 ? "available" : "in-use"}</status><macAddress>02:00:00:${hex(n % 0xffffff, 6).replace(/(..)(..)(..)/, "$1:$2:$3")}</macAddress><privateIpAddress>10.1.${n % 256}.${n % 250}</privateIpAddress><sourceDestCheck>true</sourceDestCheck><groupSet><item><groupId>${groupOf(n)}</groupId><groupName>app-${n % 1009}</groupName></item></groupSet><interfaceType>interface</interfaceType><privateIpAddressesSet><item><privateIpAddress>10.1.${n % 256}.${n % 250}</privateIpAddress><primary>true</primary></item></privateIpAddressesSet><tagSet/></item>`,
  },
  DescribeSecurityGroups: {
    set: "securityGroupInfo",
    item: (n) =>
      `<item><ownerId>${STAND_IN_ACCOUNT}</ownerId><groupId>sg-${hex(n + 2e9)}</groupId><groupName>group-${n}</groupName><groupDescription>Synthetic group ${n}</groupDescription><vpcId>vpc-0a1b2c3d4e5f60718</vpcId><ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort><toPort>443</toPort><groups/><ipRanges><item><cidrIp>10.0.0.0/8</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item></ipPermissions><ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item></ipPermissionsEgress><securityGroupArn>arn:aws:ec2:eu-west-1:${STAND_IN_ACCOUNT}:security-group/sg-${hex(n + 2e9)}</securityGroupArn></item>`,
  },
  DescribeSubnets: {
    set: "subnetSet",
    item: (n) =>
      `<item><subnetId>subnet-${hex(n + 3e9)}</subnetId><subnetArn>arn:aws:ec2:eu-west-1:${STAND_IN_ACCOUNT}:subnet/subnet-${hex(n + 3e9)}</subnetArn><state>available</state><ownerId>${STAND_IN_ACCOUNT}</ownerId><vpcId>vpc-0a1b2c3d4e5f60718</vpcId><cidrBlock>10.${n % 256}.${(n >> 8) % 256}.0/24</cidrBlock><availableIpAddressCount>251</availableIpAddressCount><availabilityZone>eu-west-1a</availabilityZone><availabilityZoneId>euw1-az1</availabilityZoneId><defaultForAz>false</defaultForAz><mapPublicIpOnLaunch>${n % 4 === 0}</mapPublicIpOnLaunch><assignIpv6AddressOnCreation>false</assignIpv6AddressOnCreation><ipv6CidrBlockAssociationSet/><tagSet/></item>`,
  },
};

const EMPTY_SETS: Record<string, string> = {
  DescribeRouteTables: "routeTableSet",
  DescribeVpcEndpoints: "vpcEndpointSet",
  DescribePrefixLists: "prefixListSet",
  DescribeInternetGateways: "internetGatewaySet",
  DescribeAddresses: "addressesSet",
  DescribePlacementGroups: "placementGroupSet",
};

const XMLNS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';

function body(request: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    request.on("error", reject);
  });
}

function answer(
  params: URLSearchParams,
  counts: Readonly<Record<string, number>>,
  options: StandInOptions,
): { status: number; xml: string } {
  const action = params.get("Action") ?? "";
  if (action === "GetCallerIdentity") {
    return {
      status: 200,
      xml: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${STAND_IN_ACCOUNT}:user/bench</Arn><UserId>AIDASTANDIN</UserId><Account>${STAND_IN_ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    };
  }
  const start = Number(params.get("NextToken") ?? "0");
  const page = Math.floor(start / Math.max(1, Number(params.get("MaxResults") ?? "1000")));
  if (options.failAt && options.failAt.operation === action && page >= options.failAt.page) {
    return {
      status: 403,
      xml: `<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>stand-in: ${action} refused</Message></Error></Errors><RequestID>0</RequestID></Response>`,
    };
  }
  if (action === "DescribeInstanceTypes") {
    const names = [...params.entries()].filter(([key]) => key.startsWith("InstanceType.")).map(([, value]) => value);
    const items = names
      .map(
        (name) =>
          `<item><instanceType>${name}</instanceType><currentGeneration>true</currentGeneration><vCpuInfo><defaultVCpus>2</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>8192</sizeInMiB></memoryInfo></item>`,
      )
      .join("");
    return {
      status: 200,
      xml: `<${action}Response ${XMLNS}><requestId>0</requestId><instanceTypeSet>${items}</instanceTypeSet></${action}Response>`,
    };
  }
  const empty = EMPTY_SETS[action];
  if (empty) return { status: 200, xml: `<${action}Response ${XMLNS}><requestId>0</requestId><${empty}/></${action}Response>` };
  const kind = ITEMS[action];
  if (!kind)
    return {
      status: 400,
      xml: `<Response><Errors><Error><Code>InvalidAction</Code><Message>stand-in: no ${action}</Message></Error></Errors><RequestID>0</RequestID></Response>`,
    };
  const total = counts[action] ?? 0;
  const size = Math.min(1000, Number(params.get("MaxResults") ?? "1000"));
  const end = Math.min(total, start + size);
  let items = "";
  for (let n = start; n < end; n++) items += kind.item(n);
  const next = end < total ? `<nextToken>${end}</nextToken>` : "";
  return {
    status: 200,
    xml: `<${action}Response ${XMLNS}><requestId>0</requestId><${kind.set}>${items}</${kind.set}>${next}</${action}Response>`,
  };
}

export async function startEc2StandIn(options: StandInOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const counts: Readonly<Record<string, number>> = { ...standInCounts(options.resources) };
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const { status, xml } = answer(await body(request), counts, options);
    response.writeHead(status, { "content-type": "text/xml;charset=UTF-8" });
    response.end(xml);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
