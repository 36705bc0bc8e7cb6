import { CHANGE, type ConfigEvent, OVERSIZED, SCHEDULED } from "./event";
import { TEST_MODE_TOKEN } from "./put-evaluations";

/** What a sample event is about: the rule, where it runs, and how it reports. */
export interface SampleEventOptions {
  ruleId: string;
  accountId: string;
  region: string;
  /** Default TESTMODE: Config stores nothing, so a sample can be tried against a real account safely. */
  resultToken?: string;
  ruleParameters?: Record<string, unknown>;
  eventLeftScope?: boolean;
  now?: Date;
}

function envelope(invokingEvent: object, options: SampleEventOptions): ConfigEvent {
  const { ruleId, accountId, region } = options;
  return {
    version: "1.0",
    invokingEvent: JSON.stringify(invokingEvent),
    ruleParameters: JSON.stringify(options.ruleParameters ?? {}),
    resultToken: options.resultToken ?? TEST_MODE_TOKEN,
    eventLeftScope: options.eventLeftScope ?? false,
    executionRoleArn: `arn:aws:iam::${accountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
    configRuleArn: `arn:aws:config:${region}:${accountId}:config-rule/config-rule-${ruleId}`,
    configRuleName: ruleId,
    configRuleId: `config-rule-${ruleId}`,
    accountId,
  };
}

/** A periodic (ScheduledNotification) event. */
export function scheduledEvent(options: SampleEventOptions): ConfigEvent {
  return envelope(
    {
      awsAccountId: options.accountId,
      notificationCreationTime: (options.now ?? new Date()).toISOString(),
      messageType: SCHEDULED,
      recordVersion: "1.0",
    },
    options,
  );
}

/** A change event carrying a configuration item in the notification shape. */
export function changeEvent(configurationItem: Record<string, unknown>, options: SampleEventOptions): ConfigEvent {
  return envelope(
    {
      configurationItemDiff: null,
      configurationItem,
      notificationCreationTime: (options.now ?? new Date()).toISOString(),
      messageType: CHANGE,
      recordVersion: "1.3",
    },
    options,
  );
}

/** An oversized-item event: only the item's summary, as Config sends when the item is too large. */
export function oversizedEvent(configurationItem: Record<string, unknown>, options: SampleEventOptions): ConfigEvent {
  const pick = (key: string) => configurationItem[key] ?? null;
  return envelope(
    {
      configurationItemSummary: {
        changeType: "UPDATE",
        configurationItemVersion: pick("configurationItemVersion") ?? "1.3",
        configurationItemCaptureTime: pick("configurationItemCaptureTime"),
        configurationStateId: pick("configurationStateId"),
        awsAccountId: pick("awsAccountId") ?? options.accountId,
        configurationItemStatus: pick("configurationItemStatus"),
        resourceType: pick("resourceType"),
        resourceId: pick("resourceId"),
        resourceName: pick("resourceName"),
        ARN: pick("ARN"),
        awsRegion: pick("awsRegion") ?? options.region,
        availabilityZone: pick("availabilityZone"),
        configurationStateMd5Hash: "",
        resourceCreationTime: pick("resourceCreationTime"),
      },
      notificationCreationTime: (options.now ?? new Date()).toISOString(),
      messageType: OVERSIZED,
      recordVersion: "1.0",
    },
    options,
  );
}
