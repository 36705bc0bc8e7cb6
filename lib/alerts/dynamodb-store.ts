import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
} from "@aws-sdk/client-dynamodb";
import { type AlertRecord, type AlertScope, type AnnouncedStore, inOutbox, OUTBOX_INDEX, partitionKey, recordKey } from "./store";

// Apart from ./store so that the DynamoDB client loads only where a table is used (lib/lambda/around-put.ts).

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
