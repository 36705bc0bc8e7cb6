import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
} from "@aws-sdk/client-dynamodb";

/** The announcements of one rule in one account and region. */
export interface AlertScope {
  ruleId: string;
  accountId: string;
  region: string;
}

export type AnnouncedState = "NON_COMPLIANT" | "COMPLIANT";

export type AutomationStatus = "pending" | "started" | "dead-lettered";

/**
 * What this rule has detected and announced for one resource: the state Config's stored results are
 * no longer needed for. A record whose `announcedAt` is absent (and not dead-lettered) is in the
 * outbox: the next runs retry it until SNS accepts it or its attempts run out.
 */
export interface AlertRecord {
  resourceType: string;
  resourceId: string;
  /** The state last detected: the one announced, or to be announced. */
  complianceType: AnnouncedState;
  /** The state before it (null: never judged non-compliant before). */
  previousComplianceType: string | null;
  /** False when the state before was itself never announced (it changed back while SNS failed). */
  previousAnnounced: boolean;
  annotation: string;
  detectedAt: string;
  /** The run that detected it (Config's result token): the automation's idempotency token derives from it. */
  runKey?: string;
  /** When SNS accepted the announcement of this state (or its latest reminder). */
  announcedAt?: string;
  /** Failed publish attempts of this state. */
  attempts: number;
  lastError?: string;
  deadLetteredAt?: string;
  /** Automatic remediation of a newly non-compliant resource, retried like the announcement. */
  automation?: { status: AutomationStatus; attempts: number; executionId?: string; lastError?: string };
  /** A run that is publishing this record holds it until then, so that concurrent runs do not announce it twice. */
  claimedUntil?: string;
  /** Optimistic lock: 1 for a new record, +1 on every write. */
  version: number;
}

export const recordKey = (record: { resourceType: string; resourceId: string }): string => `${record.resourceType}|${record.resourceId}`;

export const alertPending = (record: AlertRecord): boolean => !record.announcedAt && !record.deadLetteredAt;
export const automationPending = (record: AlertRecord): boolean => record.automation?.status === "pending";
export const inOutbox = (record: AlertRecord): boolean => alertPending(record) || automationPending(record);

export interface AnnouncedStore {
  /** Durable (a table) or for this invocation only. */
  readonly durable: boolean;
  /** Every record of the scope (periodic run), or those of `only` plus every one in the outbox (change event). */
  load(scope: AlertScope, only?: readonly { resourceType: string; resourceId: string }[]): Promise<Map<string, AlertRecord>>;
  /**
   * Writes `record` if the stored one is still at `record.version - 1` (absent for version 1).
   * False when another run changed it first.
   */
  save(scope: AlertScope, record: AlertRecord): Promise<boolean>;
}

/** Without a table: the records live for one invocation, and Config's stored results are the only memory (as before). */
export class InvocationStore implements AnnouncedStore {
  readonly durable = false;
  private readonly records = new Map<string, AlertRecord>();

  async load(scope: AlertScope, only?: readonly { resourceType: string; resourceId: string }[]): Promise<Map<string, AlertRecord>> {
    const prefix = `${partitionKey(scope)}#`;
    const wanted = only ? new Set(only.map(recordKey)) : undefined;
    const found = new Map<string, AlertRecord>();
    for (const [key, record] of this.records) {
      if (!key.startsWith(prefix)) continue;
      if (!wanted || wanted.has(recordKey(record)) || inOutbox(record)) found.set(recordKey(record), structuredClone(record));
    }
    return found;
  }

  async save(scope: AlertScope, record: AlertRecord): Promise<boolean> {
    const key = `${partitionKey(scope)}#${recordKey(record)}`;
    if ((this.records.get(key)?.version ?? 0) !== record.version - 1) return false;
    this.records.set(key, structuredClone(record));
    return true;
  }
}

/** The partition of one rule in one account and region; the IAM policy limits each function to its rule's (dynamodb:LeadingKeys). */
export const partitionKey = (scope: AlertScope): string => `${scope.ruleId}#${scope.accountId}#${scope.region}`;

/** The sparse index of records in the outbox: only they carry the `outbox` attribute. */
export const OUTBOX_INDEX = "outbox";

/** The table's keys and outbox index, as the stack creates it (deploy/stack.ts) and the tests on moto do. */
export const ALERTS_TABLE_KEYS: Required<Pick<CreateTableCommandInput, "AttributeDefinitions" | "KeySchema" | "GlobalSecondaryIndexes">> = {
  AttributeDefinitions: [
    { AttributeName: "pk", AttributeType: "S" },
    { AttributeName: "sk", AttributeType: "S" },
    { AttributeName: "outbox", AttributeType: "S" },
  ],
  KeySchema: [
    { AttributeName: "pk", KeyType: "HASH" },
    { AttributeName: "sk", KeyType: "RANGE" },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: OUTBOX_INDEX,
      KeySchema: [
        { AttributeName: "outbox", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    },
  ],
};
/** Announced back-to-compliant records are kept this long (Config's results have long caught up), then DynamoDB's TTL removes them. */
const COMPLIANT_RETENTION_SECONDS = 90 * 86_400;

/**
 * The records in a DynamoDB table (deploy/stack.ts: AlertsTable): partition `pk` (rule, account,
 * region), sort key `sk` (resource), the record as JSON, and `version` for conditional writes.
 */
export class DynamoDbStore implements AnnouncedStore {
  readonly durable = true;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async load(scope: AlertScope, only?: readonly { resourceType: string; resourceId: string }[]): Promise<Map<string, AlertRecord>> {
    const pk = partitionKey(scope);
    const found = new Map<string, AlertRecord>();
    const add = (item: Record<string, AttributeValue> | undefined) => {
      const text = item?.record?.S;
      if (!text) return;
      const record = JSON.parse(text) as AlertRecord;
      record.version = Number(item?.version?.N ?? record.version);
      found.set(recordKey(record), record);
    };
    if (!only) {
      const pages = paginateQuery(
        { client: this.client },
        {
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: pk } },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) for (const item of page.Items ?? []) add(item);
      return found;
    }
    for (const resource of only) {
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: pk }, sk: { S: recordKey(resource) } }, ConsistentRead: true }),
      );
      add(Item);
    }
    const outbox = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        IndexName: OUTBOX_INDEX,
        KeyConditionExpression: "outbox = :pk",
        ExpressionAttributeValues: { ":pk": { S: pk } },
      },
    );
    // The index is eventually consistent: a record read from it is only a candidate, written back under its version.
    for await (const page of outbox) for (const item of page.Items ?? []) if (!found.has(item.sk?.S ?? "")) add(item);
    return found;
  }

  async save(scope: AlertScope, record: AlertRecord): Promise<boolean> {
    const pk = partitionKey(scope);
    const item: Record<string, AttributeValue> = {
      pk: { S: pk },
      sk: { S: recordKey(record) },
      version: { N: String(record.version) },
      record: { S: JSON.stringify(record) },
    };
    if (inOutbox(record)) item.outbox = { S: pk };
    else if (record.complianceType === "COMPLIANT") {
      item.expiresAt = { N: String(Math.floor(Date.now() / 1000) + COMPLIANT_RETENTION_SECONDS) };
    }
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ...(record.version === 1
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "version = :previous",
                ExpressionAttributeValues: { ":previous": { N: String(record.version - 1) } },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }
}
