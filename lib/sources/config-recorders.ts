import * as z from "zod";
import { InputError } from "../errors";
import { readJsonFile } from "../io/read-json-file";

/**
 * `aws configservice describe-configuration-recorders` output: which resource types AWS Config
 * records. Config files alone cannot tell "none exist" from "not recorded"; with this, a recorded
 * type with no items in a snapshot is "none", and a type not recorded stays a gap.
 */

const STRATEGIES = ["ALL_SUPPORTED_RESOURCE_TYPES", "INCLUSION_BY_RESOURCE_TYPES", "EXCLUSION_BY_RESOURCE_TYPES"] as const;

const recordingGroupSchema = z.looseObject({
  allSupported: z.boolean().optional(),
  includeGlobalResourceTypes: z.boolean().optional(),
  resourceTypes: z.array(z.string()).optional(),
  exclusionByResourceTypes: z.looseObject({ resourceTypes: z.array(z.string()).optional() }).optional(),
  recordingStrategy: z.looseObject({ useOnly: z.enum(STRATEGIES).optional() }).optional(),
});

const recordersSchema = z.looseObject({
  ConfigurationRecorders: z.array(
    z.looseObject({
      name: z.string().optional(),
      arn: z.string().optional(),
      roleARN: z.string().optional(),
      servicePrincipal: z.string().optional(),
      recordingGroup: recordingGroupSchema.optional(),
    }),
  ),
});

/** What one recorder says, and where it applies (as far as its output names it). */
export interface RecorderStatement {
  file: string;
  /** From the recorder's ARN, else from its IAM role's ARN; absent: unknown. */
  accountId?: string;
  /** From the recorder's ARN only; absent: unknown. */
  region?: string;
  records(resourceType: string): boolean;
  /** For gap reasons: what the recorder records. */
  describe: string;
}

const RECORDER_ARN = /^arn:[\w-]+:config:([a-z0-9-]+):(\d{12}):configuration-recorder\//;
const ROLE_ARN = /^arn:[\w-]+:iam::(\d{12}):role\//;

function recordedTypes(
  name: string,
  group: z.infer<typeof recordingGroupSchema> | undefined,
): Pick<RecorderStatement, "records" | "describe"> {
  const strategy = group?.recordingStrategy?.useOnly;
  // No recording group records every supported type (PutConfigurationRecorder's default).
  if (!group || strategy === "ALL_SUPPORTED_RESOURCE_TYPES" || (!strategy && group.allSupported === true)) {
    return { records: () => true, describe: `recorder ${name} records all supported types` };
  }
  if (strategy === "EXCLUSION_BY_RESOURCE_TYPES") {
    const excluded = new Set(group.exclusionByResourceTypes?.resourceTypes ?? []);
    return { records: (type) => !excluded.has(type), describe: `recorder ${name} excludes this type` };
  }
  const included = new Set(group.resourceTypes ?? []);
  return { records: (type) => included.has(type), describe: `recorder ${name} records only the ${included.size} type(s) it lists` };
}

/**
 * Reads a describe-configuration-recorders output. Service-linked recorders (with a
 * servicePrincipal) record for another AWS service, not into the account's snapshots, so only
 * customer managed ones count; none at all means nothing is recorded.
 */
export async function readConfigurationRecorders(file: string): Promise<RecorderStatement[]> {
  const parsed = recordersSchema.safeParse(await readJsonFile(file, "configuration recorders"), {
    error: (issue) => (issue.input === undefined ? "required" : undefined),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new InputError(issue.message, { file, field: issue.path.map(String).join(".") || undefined });
  }
  const recorders = parsed.data.ConfigurationRecorders.filter((recorder) => recorder.servicePrincipal === undefined);
  if (recorders.length === 0) {
    return [{ file, records: () => false, describe: "no configuration recorder" }];
  }
  return recorders.map((recorder, index) => {
    const fromArn = recorder.arn ? RECORDER_ARN.exec(recorder.arn) : null;
    if (recorder.arn && !fromArn) {
      throw new InputError(`not a configuration recorder ARN: ${JSON.stringify(recorder.arn)}`, {
        file,
        field: `ConfigurationRecorders[${index}].arn`,
      });
    }
    const accountId = fromArn?.[2] ?? (recorder.roleARN ? ROLE_ARN.exec(recorder.roleARN)?.[1] : undefined);
    return { file, accountId, region: fromArn?.[1], ...recordedTypes(recorder.name ?? "default", recorder.recordingGroup) };
  });
}
