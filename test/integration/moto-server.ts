import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, Socket } from "node:net";
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateRouteTableCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";

/** How to start moto's server on this machine, or undefined when moto is not installed. */
function motoCommand(): { command: string; args: string[] } | undefined {
  for (const candidate of [process.env.MOTO_SERVER, "/root/.pyenv/shims/moto_server"]) {
    if (candidate && existsSync(candidate)) return { command: candidate, args: [] };
  }
  const which = spawnSync("which", ["moto_server"], { encoding: "utf8" });
  if (which.status === 0 && which.stdout.trim()) return { command: which.stdout.trim(), args: [] };
  const python = spawnSync("python3", ["-c", "import moto.server"], { encoding: "utf8" });
  if (python.status === 0) return { command: "python3", args: ["-m", "moto.server"] };
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
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
  throw new Error(`moto_server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts moto's server on 127.0.0.1 on a free port; undefined (with a visible message) when moto
 * is not installed, so the caller can skip.
 */
export async function startMoto(): Promise<MotoServer | undefined> {
  const moto = motoCommand();
  if (!moto) {
    console.warn("moto is not installed (no moto_server, no python3 -m moto.server): skipping the moto integration tests");
    return undefined;
  }
  const port = await freePort();
  const child = spawn(moto.command, [...moto.args, "-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  try {
    await waitForPort(port, child, 20_000);
  } catch (error) {
    child.kill();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        // Its HTTP server can take seconds to wind down; its state is in memory only.
        setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 300).unref();
      }),
  };
}

/** The ids of what `useMotoAccount` creates: one resource per verdict the integration tests expect. */
export interface SampleAccount {
  vpcId: string;
  subnetId: string;
  /** Attached to both instances. */
  usedGroup: string;
  unusedGroup: string;
  /** Launched with HttpTokens optional; holds `attachedEip`. */
  imdsv1: string;
  /** Launched with HttpTokens required. */
  imdsv2: string;
  attachedEip: string;
  idleEip: string;
  /** Associated with the subnet and routed to the S3 gateway `endpoint`. */
  routeTable: string;
  endpoint: string;
}

/**
 * Creates the sample account through the SDK's standard endpoint configuration (AWS_ENDPOINT_URL),
 * with the given credentials (e.g. a role assumed in another moto account) or the environment's.
 */
export async function createSampleAccount(
  region: string,
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): Promise<SampleAccount> {
  const ec2 = new EC2Client({ region, ...(credentials ? { credentials } : {}) });
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.42.0.0/16" }));
  const vpcId = Vpc?.VpcId as string;
  const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.42.1.0/24", AvailabilityZone: `${region}a` }));
  const subnetId = Subnet?.SubnetId as string;
  const used = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "used", Description: "used", VpcId: vpcId }));
  const unused = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "unused", Description: "unused", VpcId: vpcId }));
  // moto does not check the image; describing its AMI catalogue would cost seconds.
  const imageId = "ami-0123456789abcdef0";
  const launch = async (httpTokens: "optional" | "required") =>
    (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: imageId,
          InstanceType: "t3.micro",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          SecurityGroupIds: [used.GroupId as string],
          MetadataOptions: { HttpTokens: httpTokens, HttpEndpoint: "enabled" },
        }),
      )
    ).Instances?.[0]?.InstanceId as string;
  const imdsv1 = await launch("optional");
  const imdsv2 = await launch("required");
  const attached = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
  const idle = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
  await ec2.send(new AssociateAddressCommand({ AllocationId: attached.AllocationId, InstanceId: imdsv1 }));
  const { RouteTable } = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
  const routeTable = RouteTable?.RouteTableId as string;
  await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTable, SubnetId: subnetId }));
  const endpoint = await ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: vpcId,
      ServiceName: `com.amazonaws.${region}.s3`,
      VpcEndpointType: "Gateway",
      RouteTableIds: [routeTable],
    }),
  );
  return {
    vpcId,
    subnetId,
    usedGroup: used.GroupId as string,
    unusedGroup: unused.GroupId as string,
    imdsv1,
    imdsv2,
    attachedEip: attached.AllocationId as string,
    idleEip: idle.AllocationId as string,
    routeTable,
    endpoint: endpoint.VpcEndpoint?.VpcEndpointId as string,
  };
}

/**
 * For one test file: starts moto before its tests and points the SDK at it (AWS_ENDPOINT_URL,
 * plus `env`); afterwards restores the environment and stops moto. `motoIt` tests are skipped,
 * visibly, when moto (or what `prerequisite` checks) is not installed.
 */
export function useMotoServer(
  options: { env?: Record<string, string>; prerequisite?: { check: () => boolean; missing: string }; setup?: () => Promise<void> } = {},
) {
  const env = options.env ?? {};
  let moto: MotoServer | undefined;
  const saved = Object.fromEntries(["AWS_ENDPOINT_URL", ...Object.keys(env)].map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    if (options.prerequisite && !options.prerequisite.check()) return;
    moto = await startMoto();
    if (!moto) return;
    Object.assign(process.env, env, { AWS_ENDPOINT_URL: moto.endpoint });
    await options.setup?.();
  }, 60_000);

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await moto?.stop();
  });

  const missing = options.prerequisite ? `moto or ${options.prerequisite.missing}` : "moto";
  const motoIt = (name: string, fn: () => Promise<void>, timeout?: number) =>
    it(
      name,
      async () => {
        if (!moto) {
          console.warn(`skipped (${missing} not installed): ${name}`);
          return;
        }
        await fn();
      },
      timeout,
    );

  return { motoIt };
}

/** {@link useMotoServer} with the sample account created; `account` is filled in before the first test. */
export function useMotoAccount(region: string, env: Record<string, string> = {}) {
  const account = {} as SampleAccount;
  const { motoIt } = useMotoServer({
    env,
    setup: async () => {
      Object.assign(account, await createSampleAccount(region));
    },
  });
  return { account, motoIt };
}
