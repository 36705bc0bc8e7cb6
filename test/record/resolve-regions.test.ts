import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { AwsClients } from "../../lib/aws/clients";
import { resolveRegions } from "../../lib/record/record";

const ec2 = mockClient(EC2Client);
const clientsFor = (region: string) => new AwsClients({ region });

beforeEach(() => ec2.reset());

describe("record --regions all", () => {
  it("records every region DescribeRegions names, sorted", async () => {
    ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: "us-east-1" }, { RegionName: "eu-west-1" }] });
    await expect(resolveRegions({ regions: "all", clientsFor }, "eu-west-1")).resolves.toEqual(["eu-west-1", "us-east-1"]);
  });

  it("refuses an answer that names no region, instead of writing a snapshot that judges nothing", async () => {
    ec2.on(DescribeRegionsCommand).resolves({ Regions: [] });
    await expect(resolveRegions({ regions: "all", clientsFor }, "eu-west-1")).rejects.toThrow(
      /named no enabled region; give the regions to record/,
    );
  });
});
