import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { type Bulletin, SNS_MAX_MESSAGE_BYTES, splitBulletin } from "./bulletin";

/** Publishes a bulletin as one or more SNS messages, in order; returns their message ids. */
export async function publishBulletin(
  sns: SNSClient,
  topicArn: string,
  bulletin: Bulletin,
  maxBytes = SNS_MAX_MESSAGE_BYTES,
): Promise<string[]> {
  const ids: string[] = [];
  for (const message of splitBulletin(bulletin, maxBytes)) {
    const result = await sns.send(new PublishCommand({ TopicArn: topicArn, ...message }));
    if (result.MessageId) ids.push(result.MessageId);
  }
  return ids;
}
