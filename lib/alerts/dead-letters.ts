import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeadLetter, DeadLetterSink } from "./outbox";

/** SQS takes at most 10 messages per batch. */
const BATCH = 10;

/** The stack's dead-letter queue (ALERTS_DEAD_LETTER_QUEUE_URL): one message per announcement or automation given up on. */
export class SqsDeadLetters implements DeadLetterSink {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(letters: DeadLetter[]): Promise<void> {
    for (let start = 0; start < letters.length; start += BATCH) {
      const batch = letters.slice(start, start + BATCH);
      const result = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((letter, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify({
              kind: letter.kind === "alert" ? "undelivered-compliance-alert" : "automation-not-started",
              schemaVersion: 1,
              ruleId: letter.scope.ruleId,
              configRuleName: letter.configRuleName ?? letter.scope.ruleId,
              accountId: letter.scope.accountId,
              region: letter.scope.region,
              resourceType: letter.record.resourceType,
              resourceId: letter.record.resourceId,
              complianceType: letter.record.complianceType,
              previousComplianceType: letter.record.previousComplianceType,
              annotation: letter.record.annotation,
              detectedAt: letter.record.detectedAt,
              attempts: letter.kind === "alert" ? letter.record.attempts : (letter.record.automation?.attempts ?? 0),
              error: letter.error,
            }),
          })),
        }),
      );
      const failed = result.Failed ?? [];
      if (failed.length > 0) {
        throw new Error(
          `sqs:SendMessageBatch refused ${failed.length} message(s): ${failed[0]?.Code ?? "?"} ${failed[0]?.Message ?? ""}`.trim(),
        );
      }
    }
  }
}
