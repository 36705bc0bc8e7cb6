import { DescribeInstancesCommand, DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { memberRoleTemplate, RECORDER_ACTIONS } from "../../deploy/member-role";
import { ApiCallCounter, AwsClients } from "../../lib/aws/clients";
import { recordAccount } from "../../lib/record/record";

interface Role {
  Type: string;
  Condition?: string;
  Properties: {
    AssumeRolePolicyDocument: { Statement: { Principal: unknown; Action: string; Condition?: unknown }[] };
    Policies: { PolicyDocument: { Statement: { Effect: string; Action: string[]; Resource: unknown }[] } }[];
  };
}

const template = memberRoleTemplate() as {
  Resources: Record<string, Role>;
  Conditions: Record<string, unknown>;
  Parameters: Record<string, { Default?: string }>;
};
const recorder = template.Resources.RecorderRole as Role;

describe("member-role.yml: the recorder role of record --accounts/--organization", () => {
  it("exists only when RecorderAccountId is given, apart from the rule functions' role", () => {
    expect(recorder.Condition).toBe("HasRecorder");
    expect(template.Parameters.RecorderAccountId?.Default).toBe("");
    expect(template.Conditions.HasRecorder).toEqual({ "Fn::Not": [{ "Fn::Equals": [{ Ref: "RecorderAccountId" }, ""] }] });
    expect(template.Resources.MemberRole?.Condition).toBeUndefined();
  });

  it("is read-only: EC2 Describe* only, and nothing the rule functions' role may do (no Config call)", () => {
    const statements = recorder.Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: "Allow", Action: [...RECORDER_ACTIONS], Resource: "*" }]);
    for (const action of RECORDER_ACTIONS) expect(action).toMatch(/^ec2:Describe[A-Za-z]+$/);
  });

  it("trusts the recorder account, requiring sts:ExternalId when RecorderExternalId is set", () => {
    expect(recorder.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { AWS: { "Fn::Sub": `arn:\${AWS::Partition}:iam::\${RecorderAccountId}:root` } },
        Action: "sts:AssumeRole",
        Condition: {
          "Fn::If": [
            "HasRecorderExternalId",
            { StringEquals: { "sts:ExternalId": { Ref: "RecorderExternalId" } } },
            { Ref: "AWS::NoValue" },
          ],
        },
      },
    ]);
  });

  it("grants every call record makes in an account, and no other (each region, instance types, --regions all)", async () => {
    const ec2 = mockClient(EC2Client);
    const sts = mockClient(STSClient);
    try {
      sts.on(GetCallerIdentityCommand).resolves({ Account: "111111111111", Arn: "arn:aws:sts::111111111111:assumed-role/r/s" });
      ec2.onAnyCommand().resolves({});
      ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: "eu-west-1" }] });
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: "i-1", InstanceType: "t3.micro" }] }] });
      const counter = new ApiCallCounter();
      const snapshot = await recordAccount(
        { clientsFor: (region) => new AwsClients({ region }, counter), regions: "all", concurrency: 1, tool: { name: "t", version: "0" } },
        "eu-west-1",
      );
      expect(snapshot.failures).toBeUndefined();
      const made = Object.keys(counter.snapshot()).filter((call) => call !== "sts:GetCallerIdentity");
      expect(made.sort()).toEqual([...RECORDER_ACTIONS]);
    } finally {
      ec2.restore();
      sts.restore();
    }
  });
});
