import { Logger } from "@aws-lambda-powertools/logger";
import { type Address, type Instance, ReleaseAddressCommand, type SecurityGroup, type VpcEndpoint } from "@aws-sdk/client-ec2";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { publishBulletin } from "../../lib/alerts";
import { remediationBulletin } from "../../lib/cli/remediation-bulletin";
import type { AnyRule } from "../../lib/engine/rule";
import type { ExemptionPolicy } from "../../lib/exemptions/exemptions";
import {
  applyRemediation,
  DISASSOCIATED_AT_TAG,
  DISASSOCIATED_FROM_TAG,
  fixesOf,
  planRemediation,
  reconcilePlans,
} from "../../remediation";
import { findRule } from "../../rules";
import { ACCOUNT, awsError, FakeEc2, REGION } from "./fake-ec2";

const rule = (id: string): AnyRule => {
  const found = findRule(id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};

let ec2: FakeEc2;
beforeEach(() => {
  ec2 = new FakeEc2();
});
afterEach(() => ec2.mock.restore());

/** Plans from the fake's current state (as offline), then applies against it (live). */
async function planAndApply(
  ruleId: string,
  options: { params?: Record<string, unknown>; cap?: number; exemptions?: ExemptionPolicy; between?: () => void } = {},
) {
  const plan = planRemediation({ rule: rule(ruleId), model: ec2.model(), params: options.params, exemptions: options.exemptions });
  options.between?.();
  const report = await applyRemediation({
    ec2: ec2.client(),
    rule: rule(ruleId),
    plan,
    params: options.params,
    cap: options.cap,
    exemptions: options.exemptions,
  });
  return { plan, report };
}

/** Tags of an address that ec2-no-public-ip took off an instance long ago: eip-attached may release it. */
const disassociatedLongAgo = [
  { Key: DISASSOCIATED_FROM_TAG, Value: "i-old/eni-old" },
  { Key: DISASSOCIATED_AT_TAG, Value: "2026-01-02T03:04:05.000Z" },
];
const eip = (id: string, extra: Record<string, unknown> = {}): Address =>
  ({ AllocationId: id, PublicIp: `198.51.100.${id.length}`, Domain: "vpc", Tags: disassociatedLongAgo, ...extra }) as Address;

const group = (id: string, name = id, extra: Partial<SecurityGroup> = {}): SecurityGroup => ({
  GroupId: id,
  GroupName: name,
  VpcId: "vpc-1",
  OwnerId: ACCOUNT,
  Description: name,
  IpPermissions: [],
  IpPermissionsEgress: [],
  ...extra,
});

const referencing = (id: string, target: string): SecurityGroup =>
  group(id, id, {
    IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: target, UserId: ACCOUNT }] }],
  });

function instance(id: string, extra: Partial<Instance> = {}): Instance {
  return {
    InstanceId: id,
    InstanceType: "t3.micro",
    State: { Code: 16, Name: "running" },
    VpcId: "vpc-1",
    SubnetId: "subnet-1",
    Placement: { AvailabilityZone: "eu-west-1a" },
    MetadataOptions: { State: "applied", HttpTokens: "optional", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 2 },
    NetworkInterfaces: [{ NetworkInterfaceId: `eni-${id}`, Attachment: { DeviceIndex: 0, Status: "attached" }, Groups: [] }],
    SecurityGroups: [],
    Tags: [],
    ...extra,
  } as Instance;
}

describe("eip-attached: release an unassociated address", () => {
  it("plans ReleaseAddress only for the unassociated address, then dry-runs, applies and re-evaluates", async () => {
    ec2.addresses = [
      eip("eipalloc-idle"),
      eip("eipalloc-used", { AssociationId: "eipassoc-1", InstanceId: "i-1", NetworkInterfaceId: "eni-1" }),
    ];
    const { plan, report } = await planAndApply("eip-attached");
    expect(plan.actions).toEqual([
      expect.objectContaining({
        resourceId: "eipalloc-idle",
        status: "fix",
        calls: [{ operation: "ReleaseAddress", parameters: { AllocationId: "eipalloc-idle" } }],
      }),
    ]);
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: "eipalloc-idle", status: "applied", after: "deleted" })]);
    expect(report.outcomes[0]?.calls[0]).toMatchObject({ dryRun: "DryRunOperation", result: "ok" });
    const releases = ec2.mock.commandCalls(ReleaseAddressCommand).map((call) => call.args[0].input);
    expect(releases).toEqual([
      { AllocationId: "eipalloc-idle", DryRun: true },
      { AllocationId: "eipalloc-idle", DryRun: false },
    ]);
    expect(ec2.addresses.map((a) => a.AllocationId)).toEqual(["eipalloc-used"]);
  });

  it("does nothing on a second run, with the old plan or a new one", async () => {
    ec2.addresses = [eip("eipalloc-idle")];
    const { plan } = await planAndApply("eip-attached");
    ec2.writes = [];
    const again = await applyRemediation({ ec2: ec2.client(), rule: rule("eip-attached"), plan });
    expect(again.outcomes).toEqual([expect.objectContaining({ status: "gone" })]);
    expect(planRemediation({ rule: rule("eip-attached"), model: ec2.model() }).actions).toEqual([]);
    expect(ec2.writes).toEqual([]);
  });

  it("reports a missing permission from the dry run and changes nothing", async () => {
    ec2.addresses = [eip("eipalloc-idle")];
    ec2.denied.add("ReleaseAddress");
    const { report } = await planAndApply("eip-attached");
    expect(report.outcomes).toEqual([
      expect.objectContaining({ status: "unauthorized", detail: "missing permission for ec2:ReleaseAddress: nothing was changed" }),
    ]);
    expect(ec2.writes).toEqual([]);
    expect(ec2.addresses).toHaveLength(1);
  });

  it("treats an address released between plan and apply as done", async () => {
    ec2.addresses = [eip("eipalloc-idle")];
    const { report } = await planAndApply("eip-attached", {
      between: () => {
        ec2.addresses = [];
      },
    });
    expect(report.outcomes).toEqual([expect.objectContaining({ status: "gone" })]);
    expect(ec2.writes).toEqual([]);
  });

  it("re-checks at apply time: an address associated since the plan is left alone", async () => {
    ec2.addresses = [eip("eipalloc-idle")];
    const { report } = await planAndApply("eip-attached", {
      between: () =>
        Object.assign(ec2.addresses[0] as object, { AssociationId: "eipassoc-new", InstanceId: "i-9", NetworkInterfaceId: "eni-9" }),
    });
    expect(report.outcomes).toEqual([expect.objectContaining({ status: "already-compliant" })]);
    expect(ec2.writes).toEqual([]);
  });

  it("never plans nor applies on an exempted address, even one exempted after the plan", async () => {
    ec2.addresses = [eip("eipalloc-exempt", { Tags: [{ Key: "compliance-exempt", Value: "eip-attached" }] }), eip("eipalloc-late")];
    const { plan, report } = await planAndApply("eip-attached", {
      between: () => {
        ec2.addresses[1] = { ...ec2.addresses[1], Tags: [{ Key: "compliance-exempt", Value: "all" }] };
      },
    });
    expect(plan.actions.map((action) => action.resourceId)).toEqual(["eipalloc-late"]);
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: "eipalloc-late", status: "exempted" })]);
    expect(ec2.writes).toEqual([]);
  });

  it("leaves an address on a detached ENI to a person (requireInUseEni)", () => {
    ec2.addresses = [eip("eipalloc-detached", { AssociationId: "eipassoc-2", NetworkInterfaceId: "eni-loose" })];
    ec2.enis = [
      {
        NetworkInterfaceId: "eni-loose",
        Status: "available",
        VpcId: "vpc-1",
        SubnetId: "subnet-1",
        Groups: [],
        InterfaceType: "interface",
      },
    ];
    const plan = planRemediation({ rule: rule("eip-attached"), model: ec2.model(), params: { requireInUseEni: true } });
    expect(plan.actions).toEqual([expect.objectContaining({ status: "manual", calls: [] })]);
    expect(plan.actions[0]?.manualSteps.join(" ")).toContain("disassociate-address --association-id eipassoc-2");
  });

  it("applies nothing above the cap, and the announcement says why", async () => {
    ec2.addresses = Array.from({ length: 11 }, (_, i) => eip(`eipalloc-${i}`));
    const { report } = await planAndApply("eip-attached");
    expect(report.capExceeded).toBe(true);
    expect(report.outcomes.every((outcome) => outcome.status === "over-cap")).toBe(true);
    expect(ec2.writes).toEqual([]);

    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: "m" });
    await publishBulletin(new SNSClient({}), "arn:aws:sns:eu-west-1:111122223333:alerts", remediationBulletin(report, "low"));
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Subject).toContain("cap of 10 exceeded, nothing applied");
    expect(JSON.parse(input?.Message ?? "{}").default).toContain(
      "11 resources need a fix, above the cap of 10 per run: nothing was applied",
    );
    expect(input?.MessageAttributes?.kind).toEqual({ DataType: "String", StringValue: "remediation" });
    sns.restore();

    const within = await planAndApply("eip-attached", { cap: 11 });
    expect(within.report.outcomes.filter((outcome) => outcome.status === "applied")).toHaveLength(11);
  });

  it("writes one audit record per action", async () => {
    ec2.addresses = [eip("eipalloc-idle")];
    const logger = new Logger({ serviceName: "test" });
    const info = jest.spyOn(logger, "info");
    const plan = planRemediation({ rule: rule("eip-attached"), model: ec2.model() });
    await applyRemediation({ ec2: ec2.client(), rule: rule("eip-attached"), plan, logger });
    expect(info).toHaveBeenCalledWith(
      "Remediation action",
      expect.objectContaining({
        audit: true,
        ruleId: "eip-attached",
        resourceId: "eipalloc-idle",
        status: "applied",
        accountId: ACCOUNT,
        region: REGION,
      }),
    );
  });
});

describe("sg-attached-to-eni: delete an unused group", () => {
  it("deletes an unused group, skips default and referenced groups with a reason", async () => {
    ec2.groups = [
      group("sg-default", "default"),
      group("sg-unused"),
      group("sg-referenced"),
      referencing("sg-referrer", "sg-referenced"),
      group("sg-used"),
    ];
    ec2.enis = [
      {
        NetworkInterfaceId: "eni-1",
        Status: "in-use",
        VpcId: "vpc-1",
        SubnetId: "subnet-1",
        InterfaceType: "interface",
        Groups: [{ GroupId: "sg-used" }, { GroupId: "sg-referrer" }],
      },
    ];
    const { plan, report } = await planAndApply("sg-attached-to-eni");
    const byId = Object.fromEntries(plan.actions.map((action) => [action.resourceId, action]));
    expect(Object.keys(byId).sort()).toEqual(["sg-referenced", "sg-unused"]);
    expect(byId["sg-referenced"]).toMatchObject({
      status: "skip",
      why: "sg-referenced is referenced by the rules of sg-referrer: not deleted",
    });
    expect(byId["sg-unused"]).toMatchObject({
      status: "fix",
      calls: [{ operation: "DeleteSecurityGroup", parameters: { GroupId: "sg-unused" } }],
    });
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: "sg-unused", status: "applied", after: "deleted" })]);
    expect(ec2.groups.map((g) => g.GroupId)).toEqual(["sg-default", "sg-referenced", "sg-referrer", "sg-used"]);
  });

  it("never deletes a default group, even when told the rule found it non-compliant", () => {
    ec2.groups = [group("sg-default", "default")];
    const model = ec2.model();
    const plan = planRemediation({
      rule: rule("sg-attached-to-eni"),
      model,
      evaluations: [
        {
          ruleId: "sg-attached-to-eni",
          resourceType: "AWS::EC2::SecurityGroup",
          resourceId: "sg-default",
          region: REGION,
          accountId: ACCOUNT,
          complianceType: "NON_COMPLIANT",
          annotation: "x",
        },
      ],
    });
    expect(plan.actions).toEqual([
      expect.objectContaining({ status: "skip", calls: [], why: "sg-default is a default group: it is never deleted" }),
    ]);
  });

  it("re-checks at apply time: a group an ENI started using, or another group started referencing, is not deleted", async () => {
    ec2.groups = [group("sg-a"), group("sg-b"), group("sg-other")];
    const { report } = await planAndApply("sg-attached-to-eni", {
      between: () => {
        ec2.enis = [
          {
            NetworkInterfaceId: "eni-new",
            Status: "in-use",
            VpcId: "vpc-1",
            SubnetId: "subnet-1",
            InterfaceType: "lambda",
            Groups: [{ GroupId: "sg-a" }, { GroupId: "sg-other" }],
          },
        ];
        ec2.groups[2] = { ...referencing("sg-other", "sg-b") };
      },
    });
    const byId = Object.fromEntries(report.outcomes.map((outcome) => [outcome.resourceId, outcome]));
    expect(byId["sg-a"]).toMatchObject({ status: "already-compliant" });
    expect(byId["sg-b"]).toMatchObject({ status: "skipped", detail: "sg-b is referenced by the rules of sg-other: not deleted" });
    expect(ec2.writes).toEqual([]);
  });

  it("reports UnauthorizedOperation from the dry run", async () => {
    ec2.groups = [group("sg-unused")];
    ec2.denied.add("DeleteSecurityGroup");
    const { report } = await planAndApply("sg-attached-to-eni");
    expect(report.outcomes).toEqual([expect.objectContaining({ status: "unauthorized" })]);
    expect(report.outcomes[0]?.calls[0]?.dryRun).toBe("UnauthorizedOperation");
    expect(ec2.groups).toHaveLength(1);
  });
});

describe("imdsv2-required: require tokens, change nothing else", () => {
  it("passes the current endpoint and hop limit, and re-evaluates to COMPLIANT", async () => {
    ec2.instances = [
      instance("i-v1"),
      instance("i-v2", {
        MetadataOptions: { State: "applied", HttpTokens: "required", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 1 },
      }),
    ];
    const { plan, report } = await planAndApply("imdsv2-required");
    expect(plan.actions.map((action) => action.calls)).toEqual([
      [
        {
          operation: "ModifyInstanceMetadataOptions",
          parameters: { InstanceId: "i-v1", HttpTokens: "required", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 2 },
        },
      ],
    ]);
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: "i-v1", status: "applied", after: "COMPLIANT" })]);
    expect(ec2.instances[0]?.MetadataOptions).toMatchObject({
      HttpTokens: "required",
      HttpEndpoint: "enabled",
      HttpPutResponseHopLimit: 2,
    });
  });

  it("lowers the hop limit only when maxHopLimit is what failed", () => {
    ec2.instances = [
      instance("i-hop", { MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 5 } }),
    ];
    const plan = planRemediation({ rule: rule("imdsv2-required"), model: ec2.model(), params: { maxHopLimit: 2 } });
    expect(plan.actions[0]?.calls[0]?.parameters).toEqual({
      InstanceId: "i-hop",
      HttpTokens: "required",
      HttpEndpoint: "enabled",
      HttpPutResponseHopLimit: 2,
    });
  });

  it("treats an instance terminated between plan and apply as done", async () => {
    ec2.instances = [instance("i-v1")];
    const { report } = await planAndApply("imdsv2-required", {
      between: () => {
        ec2.instances = [];
      },
    });
    expect(report.outcomes).toEqual([expect.objectContaining({ status: "gone" })]);
    expect(ec2.writes).toEqual([]);
  });

  it("reports UnauthorizedOperation and leaves the instance as it was", async () => {
    ec2.instances = [instance("i-v1")];
    ec2.denied.add("ModifyInstanceMetadataOptions");
    const { report } = await planAndApply("imdsv2-required");
    expect(report.outcomes[0]?.status).toBe("unauthorized");
    expect(ec2.instances[0]?.MetadataOptions?.HttpTokens).toBe("optional");
  });
});

describe("ec2-no-public-ip: disassociate EIPs, never stop an instance", () => {
  const withAddresses = () => {
    ec2.instances = [
      instance("i-eip", {
        NetworkInterfaces: [
          { NetworkInterfaceId: "eni-p", Attachment: { DeviceIndex: 0 }, Groups: [] },
          {
            NetworkInterfaceId: "eni-s",
            Attachment: { DeviceIndex: 1 },
            Groups: [],
            Association: { PublicIp: "198.51.100.7", IpOwnerId: ACCOUNT },
          },
        ],
      }),
      instance("i-auto", {
        NetworkInterfaces: [
          {
            NetworkInterfaceId: "eni-a",
            Attachment: { DeviceIndex: 0 },
            Groups: [],
            Association: { PublicIp: "203.0.113.9", IpOwnerId: "amazon" },
          },
        ],
      }),
    ];
    ec2.addresses = [
      eip("eipalloc-sec", { PublicIp: "198.51.100.7", AssociationId: "eipassoc-sec", NetworkInterfaceId: "eni-s", InstanceId: "i-eip" }),
    ];
    ec2.subnets = [
      { SubnetId: "subnet-1", VpcId: "vpc-1", MapPublicIpOnLaunch: true, CidrBlock: "10.0.0.0/24", AvailabilityZone: "eu-west-1a" },
    ];
  };

  it("disassociates an EIP on a secondary ENI and proposes the subnet setting for an auto-assigned address", async () => {
    withAddresses();
    const { plan, report } = await planAndApply("ec2-no-public-ip");
    const byId = Object.fromEntries(plan.actions.map((action) => [action.resourceId, action]));
    expect(byId["i-eip"]).toMatchObject({
      status: "fix",
      calls: [
        {
          operation: "CreateTags",
          parameters: {
            Resources: ["eipalloc-sec"],
            Tags: [
              { Key: DISASSOCIATED_FROM_TAG, Value: "i-eip/eni-s" },
              { Key: DISASSOCIATED_AT_TAG, Value: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) },
            ],
          },
        },
        { operation: "DisassociateAddress", parameters: { AssociationId: "eipassoc-sec" } },
      ],
    });
    expect(byId["i-auto"]).toMatchObject({ status: "manual", calls: [] });
    expect(byId["i-auto"]?.manualSteps.join(" ")).toContain("modify-subnet-attribute --subnet-id subnet-1 --no-map-public-ip-on-launch");
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: "i-eip", status: "applied", after: "COMPLIANT" })]);
    expect(ec2.writes).toEqual([
      expect.stringMatching(/^CreateTags:\{"Resources":\["eipalloc-sec"\]/),
      'DisassociateAddress:{"AssociationId":"eipassoc-sec"}',
    ]);
  });

  it("does nothing the second time", async () => {
    withAddresses();
    await planAndApply("ec2-no-public-ip");
    ec2.writes = [];
    const { report } = await planAndApply("ec2-no-public-ip");
    expect(report.outcomes).toEqual([]);
    expect(ec2.writes).toEqual([]);
  });
});

describe("endpoint-route-present: route through the gateway endpoint", () => {
  const vpc = () => {
    ec2.subnets = [{ SubnetId: "subnet-private", VpcId: "vpc-1", CidrBlock: "10.0.1.0/24", AvailabilityZone: "eu-west-1a" }];
    ec2.prefixLists = [{ PrefixListId: "pl-s3", PrefixListName: "com.amazonaws.eu-west-1.s3" }];
    // The wire value of State is lowercase, unlike the SDK's enum.
    ec2.endpoints = [
      {
        VpcEndpointId: "vpce-s3",
        VpcId: "vpc-1",
        VpcEndpointType: "Gateway",
        ServiceName: "com.amazonaws.eu-west-1.s3",
        State: "available",
        RouteTableIds: [],
      } as unknown as VpcEndpoint,
      {
        VpcEndpointId: "vpce-ssm",
        VpcId: "vpc-1",
        VpcEndpointType: "Interface",
        ServiceName: "com.amazonaws.eu-west-1.ssm",
        State: "available",
        PrivateDnsEnabled: false,
        SubnetIds: ["subnet-private"],
      } as unknown as VpcEndpoint,
    ];
  };

  it("adds the table to the endpoint (after removing a dead route) and enables private DNS on the interface endpoint", async () => {
    vpc();
    ec2.routeTables = [
      {
        RouteTableId: "rtb-private",
        VpcId: "vpc-1",
        Associations: [{ Main: true, RouteTableAssociationId: "rtbassoc-1" }],
        Routes: [
          { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" },
          { DestinationPrefixListId: "pl-s3", GatewayId: "vpce-deleted", State: "blackhole" },
        ],
      },
    ];
    const { plan, report } = await planAndApply("endpoint-route-present", { params: { services: ["s3"] } });
    const byId = Object.fromEntries(plan.actions.map((action) => [action.resourceId, action]));
    expect(byId["rtb-private"]?.calls).toEqual([
      { operation: "DeleteRoute", parameters: { RouteTableId: "rtb-private", DestinationPrefixListId: "pl-s3" } },
      { operation: "ModifyVpcEndpoint", parameters: { VpcEndpointId: "vpce-s3", AddRouteTableIds: ["rtb-private"] } },
    ]);
    expect(byId["vpce-ssm"]?.calls).toEqual([
      { operation: "ModifyVpcEndpoint", parameters: { VpcEndpointId: "vpce-ssm", PrivateDnsEnabled: true } },
    ]);
    const outcomes = Object.fromEntries(report.outcomes.map((outcome) => [outcome.resourceId, outcome]));
    expect(outcomes["rtb-private"]).toMatchObject({ status: "applied", after: "COMPLIANT" });
    expect(outcomes["vpce-ssm"]).toMatchObject({ status: "applied", after: "COMPLIANT" });
  });

  it("proposes nothing for a requester-managed interface endpoint, even given a NON_COMPLIANT verdict on it", () => {
    vpc();
    ec2.endpoints = [
      {
        VpcEndpointId: "vpce-transfer",
        VpcId: "vpc-1",
        VpcEndpointType: "Interface",
        ServiceName: "com.amazonaws.eu-west-1.transfer.server",
        State: "available",
        PrivateDnsEnabled: false,
        RequesterManaged: true,
        SubnetIds: ["subnet-private"],
      } as unknown as VpcEndpoint,
    ];
    ec2.routeTables = [];
    const model = ec2.model();
    expect(planRemediation({ rule: rule("endpoint-route-present"), model }).actions).toEqual([]);
    const stale = planRemediation({
      rule: rule("endpoint-route-present"),
      model,
      evaluations: [
        {
          ruleId: "endpoint-route-present",
          resourceType: "AWS::EC2::VPCEndpoint",
          resourceId: "vpce-transfer",
          region: REGION,
          accountId: ACCOUNT,
          complianceType: "NON_COMPLIANT",
          annotation: "Private DNS is disabled",
        },
      ],
    });
    expect(stale.actions).toEqual([expect.objectContaining({ resourceId: "vpce-transfer", status: "skip", calls: [] })]);
    expect(stale.actions[0]?.why).toContain("requester-managed: created by an AWS service; the account cannot change its private DNS");
    expect(fixesOf(stale)).toEqual([]);
  });

  it("only proposes creating a missing endpoint", () => {
    vpc();
    ec2.endpoints = [];
    ec2.routeTables = [
      {
        RouteTableId: "rtb-private",
        VpcId: "vpc-1",
        Associations: [{ Main: true }],
        Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" }],
      },
    ];
    const plan = planRemediation({
      rule: rule("endpoint-route-present"),
      model: ec2.model(),
      params: { services: ["s3"], requireEndpoint: true },
    });
    expect(plan.actions).toEqual([expect.objectContaining({ status: "manual", calls: [] })]);
    expect(plan.actions[0]?.manualSteps[0]).toContain(
      "create-vpc-endpoint --vpc-id vpc-1 --vpc-endpoint-type Gateway --service-name com.amazonaws.eu-west-1.s3",
    );
  });
});

describe("eip-attached: an EC2-Classic address attached through InstanceId", () => {
  it("is never released, even given a NON_COMPLIANT verdict on it", () => {
    ec2.addresses = [{ InstanceId: "i-1234567890abcdef0", PublicIp: "198.51.100.0", Domain: "standard" } as Address];
    const model = ec2.model();
    expect(planRemediation({ rule: rule("eip-attached"), model }).actions).toEqual([]);
    const stale = planRemediation({
      rule: rule("eip-attached"),
      model,
      evaluations: [
        {
          ruleId: "eip-attached",
          resourceType: "AWS::EC2::EIP",
          resourceId: "198.51.100.0",
          region: REGION,
          accountId: ACCOUNT,
          complianceType: "NON_COMPLIANT",
          annotation: "not associated",
        },
      ],
    });
    expect(stale.actions).toEqual([expect.objectContaining({ status: "skip", calls: [] })]);
  });
});

describe("placement-group-limits: manual steps only", () => {
  it("never plans a call", () => {
    const plan = planRemediation({
      rule: rule("placement-group-limits"),
      model: ec2.model(),
      evaluations: [
        {
          ruleId: "placement-group-limits",
          resourceType: "AWS::EC2::PlacementGroup",
          resourceId: "pg-1",
          region: REGION,
          accountId: ACCOUNT,
          complianceType: "NON_COMPLIANT",
          annotation: "8 running instances in eu-west-1a",
        },
      ],
    });
    expect(plan.actions).toEqual([expect.objectContaining({ status: "manual", calls: [] })]);
    expect(fixesOf(plan)).toEqual([]);
    expect(plan.actions[0]?.manualSteps.join(" ")).toContain("modify-instance-placement");
  });
});

describe("dry run", () => {
  it("refuses to continue when the dry run fails for another reason", async () => {
    ec2.addresses = [eip("eipalloc-idle")];
    const plan = planRemediation({ rule: rule("eip-attached"), model: ec2.model() });
    ec2.mock.on(ReleaseAddressCommand).rejects(awsError("InvalidParameterValue", "bad"));
    const report = await applyRemediation({ ec2: ec2.client(), rule: rule("eip-attached"), plan });
    expect(report.outcomes).toEqual([
      expect.objectContaining({ status: "failed", detail: "dry run of ReleaseAddress failed: InvalidParameterValue: bad" }),
    ]);
  });
});

describe("no cascade: ec2-no-public-ip's disassociation never leads to eip-attached's release", () => {
  const DAY = 86_400_000;
  const onInstance = () => {
    ec2.instances = [
      instance("i-web", {
        NetworkInterfaces: [
          {
            NetworkInterfaceId: "eni-web",
            Attachment: { DeviceIndex: 0 },
            Groups: [],
            Association: { PublicIp: "198.51.100.80", IpOwnerId: ACCOUNT },
          },
        ],
      }),
    ];
    ec2.addresses = [
      eip("eipalloc-web", {
        PublicIp: "198.51.100.80",
        AssociationId: "eipassoc-web",
        NetworkInterfaceId: "eni-web",
        InstanceId: "i-web",
        Tags: [],
      }),
    ];
  };

  it("the disassociated address is tagged, and eip-attached plans nothing within releaseAfterDays, then the release after it", async () => {
    onInstance();
    const before = Date.now();
    const { report } = await planAndApply("ec2-no-public-ip");
    expect(report.outcomes).toEqual([expect.objectContaining({ status: "applied", after: "COMPLIANT" })]);
    const tags = Object.fromEntries((ec2.addresses[0]?.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
    expect(tags[DISASSOCIATED_FROM_TAG]).toBe("i-web/eni-web");
    expect(Date.parse(tags[DISASSOCIATED_AT_TAG] ?? "")).toBeGreaterThanOrEqual(before - 1000);

    // The next run: the address is now unassociated (eip-attached NON_COMPLIANT), but was on an instance moments ago.
    ec2.writes = [];
    const soon = await planAndApply("eip-attached");
    expect(soon.plan.actions).toEqual([expect.objectContaining({ resourceId: "eipalloc-web", status: "skip", calls: [] })]);
    expect(soon.plan.actions[0]?.why).toMatch(
      /disassociated from i-web\/eni-web at .* less than releaseAfterDays=7 day\(s\) ago: not released before \d{4}-\d\d-\d\d/,
    );
    expect(soon.report.outcomes).toEqual([]);
    expect(ec2.writes).toEqual([]);

    const later = planRemediation({ rule: rule("eip-attached"), model: ec2.model(), context: { now: new Date(Date.now() + 8 * DAY) } });
    expect(later.actions).toEqual([
      expect.objectContaining({ status: "fix", calls: [{ operation: "ReleaseAddress", parameters: { AllocationId: "eipalloc-web" } }] }),
    ]);
    expect(
      planRemediation({
        rule: rule("eip-attached"),
        model: ec2.model(),
        context: { now: new Date(Date.now() + 8 * DAY), releaseAfterDays: 30 },
      }).actions[0]?.status,
    ).toBe("skip");
  });

  it("without evidence of how long an address has been unassociated, plans nothing and says why", () => {
    ec2.addresses = [eip("eipalloc-unknown", { Tags: [] })];
    const plan = planRemediation({ rule: rule("eip-attached"), model: ec2.model() });
    expect(plan.actions).toEqual([expect.objectContaining({ status: "skip", calls: [] })]);
    expect(plan.actions[0]?.why).toContain(
      `nothing shows how long it has been unassociated (no ${DISASSOCIATED_AT_TAG} tag, no previous report`,
    );
    expect(plan.actions[0]?.manualSteps.join(" ")).toContain("aws ec2 release-address --allocation-id eipalloc-unknown");
  });

  it("takes a first-seen date from outside (previous report, Config) as evidence, and an unreadable tag as none", () => {
    ec2.addresses = [
      eip("eipalloc-a", { Tags: [] }),
      eip("eipalloc-b", { Tags: [] }),
      eip("eipalloc-c", { Tags: [{ Key: DISASSOCIATED_AT_TAG, Value: "2026-02-30T00:00:00Z" }] }),
    ];
    const now = new Date("2026-12-01T00:00:00Z");
    const key = (id: string) => `eip-attached|${ACCOUNT}|${REGION}|${id}`;
    const nonCompliantSince = new Map([
      [key("eipalloc-a"), { since: new Date("2026-11-01T00:00:00Z"), source: "previous report r.json" }],
      [key("eipalloc-b"), { since: new Date("2026-11-28T00:00:00Z"), source: "previous report r.json" }],
      [key("eipalloc-c"), { since: new Date("2026-01-01T00:00:00Z"), source: "previous report r.json" }],
    ]);
    const plan = planRemediation({ rule: rule("eip-attached"), model: ec2.model(), context: { now, nonCompliantSince } });
    const byId = Object.fromEntries(plan.actions.map((action) => [action.resourceId, action]));
    expect(byId["eipalloc-a"]).toMatchObject({ status: "fix" });
    expect(byId["eipalloc-a"]?.why).toContain("unassociated since at least 2026-11-01T00:00:00.000Z (previous report r.json)");
    expect(byId["eipalloc-b"]).toMatchObject({ status: "skip" });
    expect(byId["eipalloc-b"]?.why).toContain("not released before 2026-12-05");
    expect(byId["eipalloc-c"]).toMatchObject({ status: "skip" });
    expect(byId["eipalloc-c"]?.why).toContain("is not an ISO 8601 time");
  });

  it("a recent disassociation wins over an older first-seen date", () => {
    ec2.addresses = [eip("eipalloc-x", { Tags: [{ Key: DISASSOCIATED_AT_TAG, Value: "2026-11-30T00:00:00.000Z" }] })];
    const nonCompliantSince = new Map([
      [`eip-attached|${ACCOUNT}|${REGION}|eipalloc-x`, { since: new Date("2026-01-01T00:00:00Z"), source: "previous report" }],
    ]);
    const plan = planRemediation({
      rule: rule("eip-attached"),
      model: ec2.model(),
      context: { now: new Date("2026-12-01T00:00:00Z"), nonCompliantSince },
    });
    expect(plan.actions[0]).toMatchObject({ status: "skip", calls: [] });
  });

  it("re-plans at apply time: an address disassociated (tagged) since the plan is not released", async () => {
    ec2.addresses = [eip("eipalloc-idle")];
    const { plan, report } = await planAndApply("eip-attached", {
      between: () => {
        (ec2.addresses[0] as Address).Tags = [{ Key: DISASSOCIATED_AT_TAG, Value: new Date().toISOString() }];
      },
    });
    expect(plan.actions[0]?.status).toBe("fix");
    expect(report.outcomes).toEqual([expect.objectContaining({ status: "skipped" })]);
    expect(report.outcomes[0]?.detail).toContain("less than releaseAfterDays=7");
    expect(ec2.writes).toEqual([]);
  });

  it("a plan across rules never both disassociates and releases one address", () => {
    onInstance();
    const model = ec2.model();
    const context = { now: new Date(), releaseAfterDays: 7 };
    const disassociate = planRemediation({ rule: rule("ec2-no-public-ip"), model, context });
    // A release of the same address (e.g. from a stale evaluation) in the same plan.
    const release = {
      ruleId: "eip-attached",
      actions: [
        {
          ...disassociate.actions[0],
          ruleId: "eip-attached",
          resourceType: "AWS::EC2::EIP",
          resourceId: "eipalloc-web",
          status: "fix" as const,
          calls: [{ operation: "ReleaseAddress" as const, parameters: { AllocationId: "eipalloc-web" } }],
          why: "idle",
          manualSteps: [],
        },
      ],
    };
    const [kept, reconciled] = reconcilePlans([disassociate, release as typeof disassociate], model, context);
    expect(kept).toEqual(disassociate);
    expect(reconciled?.actions).toEqual([expect.objectContaining({ resourceId: "eipalloc-web", status: "skip", calls: [] })]);
    expect(reconciled?.actions[0]?.why).toContain("disassociated by the fix of ec2-no-public-ip i-web in this same plan");
  });
});
