import { type Address, EC2Client, type Instance, type NetworkInterface, type Reservation, type SecurityGroup } from "@aws-sdk/client-ec2";
import type { ApiCallCounter, ClientClass, ClientSettings, Sendable } from "../../lib/aws/clients";
import { AwsClients } from "../../lib/aws/clients";
import type { ConfigEvent } from "../../lib/config/event";
import { changeEvent, oversizedEvent, type SampleEventOptions, scheduledEvent } from "../../lib/config/sample-events";
import type { Ec2Operation } from "../../lib/model/kinds";
import { ec2ItemToConfigItem } from "../../lib/sources/config-item-builder";

export const ACCOUNT = "111122223333";
export const REGION = "eu-west-1";
export const CAPTURE_TIME = "2026-11-20T10:00:00.000Z";
export const NOTIFICATION_TIME = "2026-11-22T09:00:00.373Z";

const options = (ruleId: string, extra: Partial<SampleEventOptions> = {}): SampleEventOptions => ({
  ruleId,
  accountId: ACCOUNT,
  region: REGION,
  resultToken: "token-abc",
  now: new Date(NOTIFICATION_TIME),
  ...extra,
});

export const scheduled = (ruleId: string, extra: Partial<SampleEventOptions> = {}): ConfigEvent => scheduledEvent(options(ruleId, extra));

/** The notification-shape configuration item Config would hold for one EC2 API item. */
export function configItem(operation: Ec2Operation, item: unknown, status = "OK"): Record<string, unknown> {
  const [ci] = ec2ItemToConfigItem(operation, item, { region: REGION, accountId: ACCOUNT }, "notification", status, CAPTURE_TIME);
  if (!ci) throw new Error("no configuration item built");
  return ci;
}

export const change = (ruleId: string, ci: Record<string, unknown>, extra: Partial<SampleEventOptions> = {}): ConfigEvent =>
  changeEvent(ci, options(ruleId, extra));

export const oversized = (ruleId: string, ci: Record<string, unknown>, extra: Partial<SampleEventOptions> = {}): ConfigEvent =>
  oversizedEvent(ci, options(ruleId, extra));

export const address = (id: string, associated: boolean, extra: Record<string, unknown> = {}): Address =>
  ({
    AllocationId: id,
    PublicIp: `203.0.113.${Number.parseInt(id.replace(/\D/g, "").slice(-2) || "1", 10) % 250}`,
    Domain: "vpc",
    ...(associated ? { AssociationId: `eipassoc-${id}`, NetworkInterfaceId: "eni-nat", NetworkInterfaceOwnerId: ACCOUNT } : {}),
    ...extra,
  }) as Address;

export const reservation = (...instances: Instance[]): Reservation => ({
  ReservationId: `r-${instances[0]?.InstanceId}`,
  Instances: instances,
});

export function instance(id: string, { publicIp, httpTokens = "required" }: { publicIp?: string; httpTokens?: string } = {}): Instance {
  return {
    InstanceId: id,
    InstanceType: "t3.micro",
    State: { Code: 16, Name: "running" },
    VpcId: "vpc-1",
    SubnetId: "subnet-1",
    Placement: { AvailabilityZone: "eu-west-1a", GroupName: "", Tenancy: "default" },
    MetadataOptions: { State: "applied", HttpTokens: httpTokens, HttpEndpoint: "enabled", HttpPutResponseHopLimit: 1 },
    SecurityGroups: [{ GroupId: "sg-used", GroupName: "web" }],
    NetworkInterfaces: [
      {
        NetworkInterfaceId: `eni-${id}`,
        Attachment: { DeviceIndex: 0, Status: "attached" },
        ...(publicIp ? { Association: { PublicIp: publicIp, IpOwnerId: "amazon" } } : {}),
        PrivateIpAddresses: [
          {
            PrivateIpAddress: "10.0.0.10",
            Primary: true,
            ...(publicIp ? { Association: { PublicIp: publicIp, IpOwnerId: "amazon" } } : {}),
          },
        ],
        Groups: [{ GroupId: "sg-used", GroupName: "web" }],
      },
    ],
    Tags: [],
  } as Instance;
}

export const securityGroup = (id: string, name = id): SecurityGroup => ({
  GroupId: id,
  GroupName: name,
  Description: name,
  OwnerId: ACCOUNT,
  VpcId: "vpc-1",
  IpPermissions: [],
  IpPermissionsEgress: [],
  Tags: [],
});

export const networkInterface = (id: string, groupIds: string[], extra: Record<string, unknown> = {}): NetworkInterface =>
  ({
    NetworkInterfaceId: id,
    Status: "in-use",
    InterfaceType: "interface",
    OwnerId: ACCOUNT,
    VpcId: "vpc-1",
    SubnetId: "subnet-1",
    AvailabilityZone: "eu-west-1a",
    Groups: groupIds.map((GroupId) => ({ GroupId, GroupName: GroupId })),
    PrivateIpAddresses: [],
    TagSet: [],
    ...extra,
  }) as NetworkInterface;

type Respond = (operation: string, input: Record<string, unknown>) => object;

/**
 * Real EC2 clients whose transport is replaced by `respond`, below the SDK's retry middleware:
 * unlike aws-sdk-client-mock (which replaces `send`), errors thrown here go through the SDK's
 * real retry strategy, so throttling is retried exactly as in the Lambda.
 */
export function fakeEc2Transport(respond: Respond) {
  return (settings: ClientSettings, counter: ApiCallCounter): AwsClients => {
    const clients = new AwsClients(settings, counter);
    const make = clients.make.bind(clients);
    clients.make = <C extends Sendable>(Client: ClientClass<C>, service: string): C => {
      const client = make(Client, service);
      if (!(client instanceof EC2Client)) return client;
      client.middlewareStack.add(
        (_next, context) => async (args) => ({
          output: { $metadata: {}, ...respond(String(context.commandName).replace(/Command$/, ""), args.input as Record<string, unknown>) },
          response: {},
        }),
        { step: "finalizeRequest", priority: "low", name: "fakeEc2Transport" },
      );
      return client;
    };
    return clients;
  };
}

/** An error as the SDK raises it for an EC2 error response. */
export function ec2Error(code: string, status: number): Error {
  return Object.assign(new Error(`${code} (fake)`), { name: code, $fault: "client", $metadata: { httpStatusCode: status } });
}
