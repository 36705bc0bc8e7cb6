import { InputError } from "../../lib/errors";
import type { NetworkInterface } from "../../lib/model/types";
import { ec2ItemToConfigItem } from "../../lib/sources/config-item-builder";
import { configItemToRecords } from "../../lib/sources/config-items";
import { normalizeEc2Item } from "../../lib/sources/ec2-adapter";

const origin = { region: "eu-west-1", accountId: "111122223333" };

const reservation = {
  ReservationId: "r-0a1b2c3d4e5f60718",
  OwnerId: "111122223333",
  Instances: [
    {
      InstanceId: "i-0a1b2c3d4e5f60718",
      InstanceType: "m7g.large",
      State: { Code: 16, Name: "running" },
      Placement: { AvailabilityZone: "eu-west-1a", GroupName: "", Tenancy: "default" },
      MetadataOptions: { State: "applied", HttpTokens: "optional", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 2 },
      SecurityGroups: [{ GroupId: "sg-0123456789abcdef0", GroupName: "web" }],
      Tags: [{ Key: "Name", Value: "web-1" }],
      NetworkInterfaces: [
        {
          NetworkInterfaceId: "eni-0aa11bb22cc33dd44",
          Attachment: { DeviceIndex: 0, Status: "attached" },
          PrivateIpAddresses: [{ PrivateIpAddress: "10.0.1.10", Primary: true }],
        },
        {
          NetworkInterfaceId: "eni-0bb22cc33dd44ee55",
          Attachment: { DeviceIndex: 1, Status: "attached" },
          Association: { PublicIp: "203.0.113.20", IpOwnerId: "111122223333" },
          PrivateIpAddresses: [
            { PrivateIpAddress: "10.0.2.10", Primary: true, Association: { PublicIp: "203.0.113.20", IpOwnerId: "111122223333" } },
            { PrivateIpAddress: "10.0.2.11", Primary: false, Association: { PublicIp: "198.51.100.7", IpOwnerId: "amazon" } },
          ],
        },
      ],
    },
  ],
};

describe("EC2 adapter", () => {
  it("normalizes an instance: public IPs of every ENI with their source, no placement group for an empty name", () => {
    const [instance] = normalizeEc2Item("DescribeInstances", reservation, origin);
    expect(instance).toMatchObject({
      kind: "instance",
      id: "i-0a1b2c3d4e5f60718",
      name: "web-1",
      state: "running",
      placementGroupName: undefined,
      metadataOptions: { httpTokens: "optional", hopLimit: 2, state: "applied" },
    });
    if (instance?.kind !== "instance") throw new Error("expected an instance");
    expect(instance.networkInterfaces.map((eni) => eni.publicIps)).toEqual([
      [],
      [
        { ip: "203.0.113.20", source: "eip" },
        { ip: "198.51.100.7", source: "auto-assigned" },
      ],
    ]);
  });

  it("names the missing field of a bad item", () => {
    const broken = { Instances: [{ State: { Name: "running" } }] };
    expect(() => normalizeEc2Item("DescribeInstances", broken, origin)).toThrow(
      expect.objectContaining({ message: "field Instances[0].InstanceId: required" }),
    );
    expect(() => normalizeEc2Item("DescribeAddresses", { Domain: "vpc" }, origin)).toThrow(InputError);
  });

  it("names a wrongly typed field", () => {
    expect(() =>
      normalizeEc2Item("DescribeSubnets", { SubnetId: "subnet-1", VpcId: "vpc-1", MapPublicIpOnLaunch: "maybe" }, origin),
    ).toThrow('field MapPublicIpOnLaunch: expected a boolean, got "maybe"');
  });

  // The normalizers build no path on the happy path; each list level adds its entry's place when an error passes through it.
  it.each([
    [
      "an instance's interface address",
      "DescribeInstances",
      {
        Instances: [
          { InstanceId: "i-1" },
          {
            InstanceId: "i-2",
            NetworkInterfaces: [
              { NetworkInterfaceId: "eni-1" },
              { NetworkInterfaceId: "eni-2", PrivateIpAddresses: [{}, { PrivateIpAddress: "10.0.0.1", Association: { PublicIp: 7 } }] },
            ],
          },
        ],
      },
      "field Instances[1].NetworkInterfaces[1].PrivateIpAddresses[1].Association.PublicIp: expected a string, got 7",
    ],
    [
      "a group pair of a security group rule",
      "DescribeSecurityGroups",
      {
        GroupId: "sg-1",
        IpPermissionsEgress: [{ UserIdGroupPairs: [] }, { UserIdGroupPairs: [{ GroupId: "sg-2" }, { GroupId: ["sg-3"] }] }],
      },
      "field IpPermissionsEgress[1].UserIdGroupPairs[1].GroupId: expected a string, got an array",
    ],
    [
      "a network interface's group id",
      "DescribeNetworkInterfaces",
      { NetworkInterfaceId: "eni-1", Groups: [{ GroupId: "sg-1" }, { GroupId: 7 }] },
      "field Groups[1].GroupId: expected a string, got 7",
    ],
    [
      "an internet gateway attachment's state",
      "DescribeInternetGateways",
      {
        InternetGatewayId: "igw-1",
        Attachments: [
          { State: "available", VpcId: "vpc-1" },
          { State: 1, VpcId: "vpc-2" },
        ],
      },
      "field Attachments[1].State: expected a string, got 1",
    ],
    [
      "a route's state",
      "DescribeRouteTables",
      { RouteTableId: "rtb-1", VpcId: "vpc-1", Routes: [{ State: "active" }, { State: false }] },
      "field Routes[1].State: expected a string, got false",
    ],
    [
      "an association's nested state",
      "DescribeRouteTables",
      { RouteTableId: "rtb-1", VpcId: "vpc-1", Associations: [{ Main: true, AssociationState: { State: 1 } }] },
      "field Associations[0].AssociationState.State: expected a string, got 1",
    ],
  ] as const)("names the place of a bad field in %s", (_what, operation, item, message) => {
    expect(() => normalizeEc2Item(operation, item, origin)).toThrow(expect.objectContaining({ message }));
  });

  it("keeps a security group's references to other groups, once per direction, without itself", () => {
    const [group] = normalizeEc2Item(
      "DescribeSecurityGroups",
      {
        GroupId: "sg-a",
        GroupName: "app",
        OwnerId: "111122223333",
        IpPermissions: [
          { IpProtocol: "tcp", UserIdGroupPairs: [{ GroupId: "sg-b" }, { GroupId: "sg-a" }] },
          { IpProtocol: "udp", UserIdGroupPairs: [{ GroupId: "sg-b" }] },
        ],
        IpPermissionsEgress: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: "sg-b" }] }],
      },
      origin,
    );
    expect(group).toMatchObject({
      references: [
        { groupId: "sg-b", direction: "ingress" },
        { groupId: "sg-b", direction: "egress" },
      ],
    });
  });

  it("lowercases endpoint and route states (the SDK enum is capitalized, the wire value is not)", () => {
    const [endpoint] = normalizeEc2Item(
      "DescribeVpcEndpoints",
      {
        VpcEndpointId: "vpce-1",
        VpcId: "vpc-1",
        ServiceName: "com.amazonaws.eu-west-1.s3",
        VpcEndpointType: "Gateway",
        State: "Available",
      },
      origin,
    );
    expect(endpoint).toMatchObject({ type: "gateway", state: "available" });
  });
});

describe("EC2 adapter, values many records hold alike", () => {
  const groupsOf = (item: unknown) =>
    (normalizeEc2Item("DescribeNetworkInterfaces", item, origin) as NetworkInterface[]).map((record) => record.groupIds);

  it("gives interfaces with the same groups one frozen list, and each other list its own", () => {
    const [first] = groupsOf({ NetworkInterfaceId: "eni-1", Groups: [{ GroupId: "sg-a" }, { GroupId: "sg-b" }] });
    const [second] = groupsOf({ NetworkInterfaceId: "eni-2", Groups: [{ GroupId: "sg-a" }, { GroupId: "sg-b" }] });
    const [reversed] = groupsOf({ NetworkInterfaceId: "eni-3", Groups: [{ GroupId: "sg-b" }, { GroupId: "sg-a" }] });
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(reversed).toEqual(["sg-b", "sg-a"]);
    expect(reversed).not.toBe(first);
  });

  it("never takes one id with a space in it for two", () => {
    const [two] = groupsOf({ NetworkInterfaceId: "eni-1", Groups: [{ GroupId: "sg-a" }, { GroupId: "sg-b" }] });
    const [one] = groupsOf({ NetworkInterfaceId: "eni-2", Groups: [{ GroupId: "sg-a sg-b" }] });
    expect(two).toEqual(["sg-a", "sg-b"]);
    expect(one).toEqual(["sg-a sg-b"]);
  });
});

describe("Config-item adapter", () => {
  it("gives the same records from both item shapes as from the EC2 API", () => {
    const fromEc2 = normalizeEc2Item("DescribeInstances", reservation, origin);
    for (const shape of ["notification", "api"] as const) {
      const [item] = ec2ItemToConfigItem("DescribeInstances", reservation, origin, shape);
      expect(configItemToRecords(item).records).toEqual(fromEc2);
    }
  });

  it("normalizes the API shape: renamed keys, configuration as a string, Date timestamps", () => {
    const item = configItemToRecords({
      version: "1.3",
      accountId: "111122223333",
      arn: "arn:aws:ec2:eu-west-1:111122223333:eip/eipalloc-1",
      configurationItemCaptureTime: new Date("2026-11-20T10:00:00Z"),
      configurationItemStatus: "OK",
      resourceType: "AWS::EC2::EIP",
      resourceId: "eipalloc-1",
      awsRegion: "eu-west-1",
      relationships: [{ resourceType: "AWS::EC2::Instance", resourceId: "i-1", relationshipName: "Is attached to Instance" }],
      configuration: '{"allocationId":"eipalloc-1","publicIp":"203.0.113.1"}',
      supplementaryConfiguration: { x: '{"a":1}' },
    });
    expect(item).toMatchObject({
      accountId: "111122223333",
      captureTime: "2026-11-20T10:00:00.000Z",
      records: [{ kind: "eip", id: "eipalloc-1", accountId: "111122223333", publicIp: "203.0.113.1" }],
    });
  });

  it("reads capture times in epoch seconds (the API's wire format, as AWS CLI v1 prints it)", () => {
    const item = configItemToRecords({
      accountId: "111122223333",
      configurationItemCaptureTime: 1795168800,
      configurationItemStatus: "OK",
      resourceType: "AWS::EC2::EIP",
      resourceId: "eipalloc-1",
      awsRegion: "eu-west-1",
      configuration: { allocationId: "eipalloc-1" },
    });
    expect(item.captureTime).toBe("2026-11-20T10:00:00.000Z");
  });

  it("unwraps enums written as { value } or { code, name }, wherever the normalizer reads them", () => {
    const [endpoint] = configItemToRecords({
      configurationItemStatus: "OK",
      resourceType: "AWS::EC2::VPCEndpoint",
      resourceId: "vpce-1",
      awsAccountId: "111122223333",
      awsRegion: "eu-west-1",
      configuration: {
        vpcEndpointId: "vpce-1",
        vpcId: "vpc-1",
        serviceName: "com.amazonaws.eu-west-1.s3",
        state: { value: "available" },
        vpcEndpointType: { value: "Interface" },
        tags: [{ key: "a", value: "b" }],
      },
    }).records;
    expect(endpoint).toMatchObject({ state: "available", type: "interface", tags: { a: "b" } });
    const [instance] = configItemToRecords({
      configurationItemStatus: "OK",
      resourceType: "AWS::EC2::Instance",
      resourceId: "i-1",
      awsAccountId: "111122223333",
      awsRegion: "eu-west-1",
      configuration: { instanceId: "i-1", state: { code: 16, name: "running" }, monitoring: { state: { value: "enabled" } } },
    }).records;
    expect(instance).toMatchObject({ state: "running", monitoringState: "enabled" });
  });

  it("reads very old items' tags ({tagName, tagValue})", () => {
    const result = configItemToRecords({
      configurationItemStatus: "OK",
      resourceType: "AWS::EC2::SecurityGroup",
      resourceId: "sg-1",
      awsAccountId: "111122223333",
      awsRegion: "eu-west-1",
      configuration: { groupId: "sg-1", groupName: "web", vpcId: "vpc-1", tags: [{ tagName: "Owner", tagValue: "old" }] },
    });
    expect(result.records[0]).toMatchObject({ name: "web", tags: { Owner: "old" } });
  });

  it("gives no records, and marks not evaluable, a deleted or unrecorded item", () => {
    for (const status of ["ResourceDeleted", "ResourceDeletedNotRecorded", "ResourceNotRecorded"]) {
      const [item] = ec2ItemToConfigItem(
        "DescribeAddresses",
        { AllocationId: "eipalloc-1", PublicIp: "203.0.113.1" },
        origin,
        "notification",
        status,
      );
      expect(configItemToRecords(item)).toMatchObject({ evaluable: false, records: [], resourceId: "eipalloc-1" });
    }
  });

  it("ignores resource types the rules do not read", () => {
    const result = configItemToRecords({
      configurationItemStatus: "OK",
      resourceType: "AWS::S3::Bucket",
      resourceId: "my-bucket",
      awsAccountId: "111122223333",
      awsRegion: "eu-west-1",
      configuration: { name: "my-bucket" },
    });
    expect(result.records).toEqual([]);
  });

  it("names the item and field of bad input", () => {
    expect(() =>
      configItemToRecords({ configurationItemStatus: "OK", resourceType: "AWS::EC2::EIP", awsAccountId: "1", awsRegion: "eu-west-1" }),
    ).toThrow("field configurationItem.resourceId: required");
    expect(() =>
      configItemToRecords({
        configurationItemStatus: "OK",
        resourceType: "AWS::EC2::EIP",
        resourceId: "eipalloc-1",
        awsAccountId: "1",
        awsRegion: "eu-west-1",
        configuration: "{not json",
      }),
    ).toThrow(/field configurationItem.configuration: not valid JSON/);
    expect(() =>
      configItemToRecords({
        configurationItemStatus: "OK",
        resourceType: "AWS::EC2::Instance",
        resourceId: "i-1",
        awsAccountId: "1",
        awsRegion: "eu-west-1",
        configuration: { state: { name: "running" } },
      }),
    ).toThrow("field configurationItem.configuration.instanceId: resource i-1: required");
  });
});
