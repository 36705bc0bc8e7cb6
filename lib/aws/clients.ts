/**
 * The one place AWS clients are configured. Everything else in the SDK's standard configuration is
 * honoured as it is (credential chain, AWS_ENDPOINT_URL*, profiles): no endpoint is ever set here.
 * This module imports no SDK client: each service has its own module (./ec2, ./config, ./sns, …),
 * so that a Lambda bundle holds only the clients its function can call.
 */

/** Static credentials, e.g. from sts:AssumeRole. */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Large accounts hit EC2's request-rate buckets; the SDK default of 3 attempts is too few. */
export const DEFAULT_MAX_ATTEMPTS = 10;

export interface ClientSettings {
  /** Falls back to the SDK's own resolution (AWS_REGION, profile). */
  region?: string;
  credentials?: AwsCredentialIdentity;
}

/** Counts the requests each client sends (one per operation, retries not counted), for the logs. */
export class ApiCallCounter {
  private readonly counts = new Map<string, number>();

  record(service: string, operation: string): void {
    const key = `${service}:${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** `{ "ec2:DescribeInstances": 3, … }`, sorted by key. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  total(prefix = ""): number {
    let sum = 0;
    for (const [key, count] of this.counts) if (key.startsWith(prefix)) sum += count;
    return sum;
  }
}

export function retrySettings(env: NodeJS.ProcessEnv = process.env): { maxAttempts: number; retryMode: string } {
  const configured = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? "", 10);
  return {
    maxAttempts: Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_MAX_ATTEMPTS,
    retryMode: env.AWS_RETRY_MODE || "adaptive",
  };
}

function baseConfig(settings: ClientSettings) {
  return {
    ...retrySettings(),
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  };
}

export interface Sendable {
  send(command: unknown, ...rest: unknown[]): Promise<unknown>;
}

/**
 * Counts every command a client sends. The prototype's `send` is looked up at call time, so
 * a test that mocks the client class (aws-sdk-client-mock) is still counted.
 */
function counted<C extends Sendable>(client: C, service: string, counter: ApiCallCounter | undefined): C {
  if (!counter) return client;
  const prototypeSend = (): Sendable["send"] => Object.getPrototypeOf(client).send;
  client.send = function (this: C, command: unknown, ...rest: unknown[]) {
    const operation = (command as { constructor: { name: string } }).constructor.name.replace(/Command$/, "");
    counter.record(service, operation);
    return prototypeSend().call(this, command, ...rest);
  } as C["send"];
  return client;
}

/** An SDK client class: every one takes the region, credentials and retry settings built here. */
export type ClientClass<C extends Sendable> = new (config: ReturnType<typeof baseConfig>) => C;

/** Builds the clients of one invocation or command, all with the same region, credentials and retry policy. */
export class AwsClients {
  constructor(
    readonly settings: ClientSettings = {},
    readonly counter?: ApiCallCounter,
  ) {}

  /** A client of `Client`, its requests counted under `service` (the IAM prefix: "ec2", "config", …). */
  make<C extends Sendable>(Client: ClientClass<C>, service: string): C {
    return counted(new Client(baseConfig(this.settings)), service, this.counter);
  }

  /** The same settings and counter with other credentials, e.g. an assumed role's (see ./assume-role). */
  withCredentials(credentials: AwsCredentialIdentity): AwsClients {
    return new AwsClients({ ...this.settings, credentials }, this.counter);
  }
}

/** The region named in an ARN (`arn:partition:service:region:account:…`), if any. */
export function regionOfArn(arn: string | undefined): string | undefined {
  const region = arn?.split(":")[3];
  return region ? region : undefined;
}

export function partitionOfArn(arn: string | undefined): string {
  return arn?.split(":")[1] || "aws";
}
