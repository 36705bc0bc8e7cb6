#!/usr/bin/env node
// Records the moto part of the compatibility corpus: starts moto_server on 127.0.0.1, builds a
// small account through the AWS SDK, and writes each Describe* response as `aws ec2 describe-…
// --output json` would (the SDK's parsed output without $metadata; Dates as ISO strings).
//
//   npm run build && node test/corpus/record-moto.mjs   (needs moto_server on PATH or MOTO_SERVER)
//
// moto 5 implements no placement-group actions, so no describe-placement-groups is recorded.
// Writes test/corpus/moto/{account,account-with-unread-commands}/ and
// test/corpus/moto/configservice-*.json (describe-configuration-recorders; get-resource-config-history
// and batch-get-resource-config of an SNS topic), and this project's own
// recorded snapshot of the same account (`ec2-config-rules record`, from dist/), then prints the ids of
// the resources by Name tag, from which the manifest's expected verdicts are written.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as config from "@aws-sdk/client-config-service";
import * as ec2 from "@aws-sdk/client-ec2";
import * as sns from "@aws-sdk/client-sns";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "moto");
const REGION = "eu-west-1";

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const open = await new Promise((resolve) => {
      const socket = new Socket();
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
      socket.connect(port, "127.0.0.1");
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not listen on 127.0.0.1:${port}`);
}

const port = await freePort();
const moto = spawn(process.env.MOTO_SERVER ?? "moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
try {
  await waitForPort(port);
  const clientConfig = {
    region: REGION,
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  const client = new ec2.EC2Client(clientConfig);
  const send = (Command, input = {}) =>
    client.send(new Command(input)).catch((error) => {
      throw new Error(`${Command.name} failed on moto: ${error.message}`);
    });
  const tag = (ResourceType, Name) => [{ ResourceType, Tags: [{ Key: "Name", Value: Name }] }];

  const { Vpc } = await send(ec2.CreateVpcCommand, { CidrBlock: "10.20.0.0/16", TagSpecifications: tag("vpc", "corpus") });
  const VpcId = Vpc.VpcId;
  const subnet = async (CidrBlock, Name) =>
    (await send(ec2.CreateSubnetCommand, { VpcId, CidrBlock, AvailabilityZone: `${REGION}a`, TagSpecifications: tag("subnet", Name) }))
      .Subnet.SubnetId;
  const publicSubnet = await subnet("10.20.0.0/24", "public");
  const privateSubnet = await subnet("10.20.1.0/24", "private");
  const isolatedSubnet = await subnet("10.20.2.0/24", "private-no-endpoint-route");

  const { InternetGateway } = await send(ec2.CreateInternetGatewayCommand, { TagSpecifications: tag("internet-gateway", "corpus") });
  await send(ec2.AttachInternetGatewayCommand, { InternetGatewayId: InternetGateway.InternetGatewayId, VpcId });
  const table = async (Name, SubnetId) => {
    const id = (await send(ec2.CreateRouteTableCommand, { VpcId, TagSpecifications: tag("route-table", Name) })).RouteTable.RouteTableId;
    await send(ec2.AssociateRouteTableCommand, { RouteTableId: id, SubnetId });
    return id;
  };
  const publicTable = await table("public", publicSubnet);
  await send(ec2.CreateRouteCommand, {
    RouteTableId: publicTable,
    DestinationCidrBlock: "0.0.0.0/0",
    GatewayId: InternetGateway.InternetGatewayId,
  });
  const privateTable = await table("private", privateSubnet);
  await table("private-no-endpoint-route", isolatedSubnet);

  // The S3 gateway endpoint is routed from the private table only.
  await send(ec2.CreateVpcEndpointCommand, {
    VpcId,
    VpcEndpointType: "Gateway",
    ServiceName: `com.amazonaws.${REGION}.s3`,
    RouteTableIds: [privateTable],
    TagSpecifications: tag("vpc-endpoint", "s3-gateway"),
  });
  await send(ec2.CreateVpcEndpointCommand, {
    VpcId,
    VpcEndpointType: "Interface",
    ServiceName: `com.amazonaws.${REGION}.ssm`,
    SubnetIds: [privateSubnet],
    PrivateDnsEnabled: false,
    TagSpecifications: tag("vpc-endpoint", "ssm-interface-no-private-dns"),
  });

  const group = async (GroupName) =>
    (
      await send(ec2.CreateSecurityGroupCommand, {
        VpcId,
        GroupName,
        Description: GroupName,
        TagSpecifications: tag("security-group", GroupName),
      })
    ).GroupId;
  const webGroup = await group("web");
  await group("unused");

  const run = async (Name, input) =>
    (
      await send(ec2.RunInstancesCommand, {
        ImageId: "ami-12c6146b",
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: tag("instance", Name),
        ...input,
      })
    ).Instances[0].InstanceId;
  const privateInstance = await run("private-imdsv2", {
    InstanceType: "c5n.large",
    SubnetId: privateSubnet,
    SecurityGroupIds: [webGroup],
    MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 1 },
  });
  const publicInstance = await run("public-imdsv1", {
    InstanceType: "t3.micro",
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: publicSubnet, Groups: [webGroup], AssociatePublicIpAddress: true }],
    MetadataOptions: { HttpTokens: "optional", HttpEndpoint: "enabled" },
  });
  const eipInstance = await run("eip-holder", { InstanceType: "t3.micro", SubnetId: privateSubnet, SecurityGroupIds: [webGroup] });

  const attached = await send(ec2.AllocateAddressCommand, { Domain: "vpc", TagSpecifications: tag("elastic-ip", "attached") });
  await send(ec2.AssociateAddressCommand, { AllocationId: attached.AllocationId, InstanceId: eipInstance });
  await send(ec2.AllocateAddressCommand, { Domain: "vpc", TagSpecifications: tag("elastic-ip", "unattached") });

  const { InstanceTypes } = await send(ec2.DescribeInstanceTypesCommand, { InstanceTypes: ["c5n.large", "t3.micro"] });

  /** The response as the CLI prints it: no $metadata, Dates as ISO strings, 4-space indent. */
  const cliJson = ({ $metadata, ...response }) => `${JSON.stringify(response, null, 4)}\n`;
  const responses = {
    "describe-instances": await send(ec2.DescribeInstancesCommand),
    "describe-addresses": await send(ec2.DescribeAddressesCommand),
    "describe-security-groups": await send(ec2.DescribeSecurityGroupsCommand),
    "describe-network-interfaces": await send(ec2.DescribeNetworkInterfacesCommand),
    "describe-subnets": await send(ec2.DescribeSubnetsCommand),
    "describe-route-tables": await send(ec2.DescribeRouteTablesCommand),
    "describe-vpc-endpoints": await send(ec2.DescribeVpcEndpointsCommand),
    "describe-prefix-lists": await send(ec2.DescribePrefixListsCommand),
    "describe-internet-gateways": await send(ec2.DescribeInternetGatewaysCommand),
    "describe-instance-types": { $metadata: {}, InstanceTypes },
  };
  const unread = {
    "describe-vpcs": await send(ec2.DescribeVpcsCommand),
    "describe-nat-gateways": await send(ec2.DescribeNatGatewaysCommand),
    "describe-volumes": await send(ec2.DescribeVolumesCommand),
    "describe-managed-prefix-lists": await send(ec2.DescribeManagedPrefixListsCommand),
  };

  rmSync(out, { recursive: true, force: true });
  for (const [folder, files] of [
    ["account", responses],
    ["account-with-unread-commands", { ...responses, ...unread }],
  ]) {
    mkdirSync(join(out, folder), { recursive: true });
    for (const [command, response] of Object.entries(files)) writeFileSync(join(out, folder, `${command}.json`), cliJson(response));
  }

  const configClient = new config.ConfigServiceClient(clientConfig);
  await configClient.send(
    new config.PutConfigurationRecorderCommand({
      ConfigurationRecorder: {
        name: "default",
        roleARN: "arn:aws:iam::123456789012:role/config-role",
        recordingGroup: { allSupported: false, includeGlobalResourceTypes: false, resourceTypes: ["AWS::EC2::Instance", "AWS::EC2::EIP"] },
      },
    }),
  );
  const recorders = await configClient.send(new config.DescribeConfigurationRecordersCommand({}));
  writeFileSync(join(out, "configservice-describe-configuration-recorders.json"), cliJson(recorders));

  // moto's Config records no EC2 type, only a few others (SNS topics among them): these two
  // files show the Config API's own shape (configuration as a JSON string), with no item a rule reads.
  const { TopicArn } = await new sns.SNSClient(clientConfig).send(new sns.CreateTopicCommand({ Name: "corpus-alerts" }));
  const topicName = TopicArn.slice(TopicArn.lastIndexOf(":") + 1);
  const history = await configClient.send(
    new config.GetResourceConfigHistoryCommand({ resourceType: "AWS::SNS::Topic", resourceId: TopicArn }),
  );
  writeFileSync(join(out, "configservice-get-resource-config-history-sns-topic.json"), cliJson(history));
  const batch = await configClient.send(
    new config.BatchGetResourceConfigCommand({ resourceKeys: [{ resourceType: "AWS::SNS::Topic", resourceId: TopicArn }] }),
  );
  writeFileSync(join(out, "configservice-batch-get-resource-config-sns-topic.json"), cliJson(batch));
  console.log(`SNS topic ${topicName}`);

  // The same account through this project's recorder; moto fails DescribePlacementGroups, hence --allow-partial.
  const recorded = spawnSync(
    process.execPath,
    [
      join(here, "..", "..", "bin", "ec2-config-rules.js"),
      "record",
      "--regions",
      REGION,
      "--allow-partial",
      "--output",
      join(out, "recorded-snapshot.json"),
    ],
    {
      encoding: "utf8",
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: clientConfig.endpoint,
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
        AWS_REGION: REGION,
      },
    },
  );
  if (recorded.status !== 0) throw new Error(`record failed: ${recorded.stderr}`);

  const ids = {
    VpcId,
    publicSubnet,
    privateSubnet,
    isolatedSubnet,
    publicTable,
    privateTable,
    privateInstance,
    publicInstance,
    eipInstance,
  };
  console.log(JSON.stringify(ids, null, 2));
} finally {
  moto.kill();
}
