import * as z from "zod";
import { InputError } from "../errors";
import { EC2_OPERATION_NAMES, EC2_OPERATIONS, type Ec2Operation, isEc2Operation } from "../model/kinds";
import type { ModelBuilder } from "../model/resource-model";
import type { Origin, ResourceRecord } from "../model/types";
import { normalizeEc2Item } from "./ec2-adapter";
import { describeValue, formatPath, readJsonStream, type ValueMode } from "./json-stream";

/** The project's own snapshot format (docs: snapshot-format contract, schema/snapshot.schema.json). */
export const SUPPORTED_SCHEMA_VERSIONS = ["1.0"] as const;

const ec2Item = z.record(z.string(), z.unknown()).meta({ description: "One item of the response list, as the AWS SDK v3 returns it" });

const operationSchemas = Object.fromEntries(
  Object.entries(EC2_OPERATIONS).map(([operation, { listKey }]) => [
    operation,
    z
      .looseObject({ [listKey]: z.array(ec2Item) })
      .optional()
      .meta({ description: `${operation} response, all pages merged` }),
  ]),
) as Record<Ec2Operation, z.ZodOptional<z.ZodObject>>;

export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const failureSchema = z.strictObject({
  region: z.string().regex(REGION_NAME),
  operation: z.enum(EC2_OPERATION_NAMES as [Ec2Operation, ...Ec2Operation[]]),
  error: z.string(),
});

/** Everything but the regions, which are streamed and checked as they are read. */
const headerSchema = z.object({
  schemaVersion: z.literal(SUPPORTED_SCHEMA_VERSIONS),
  accountId: z.string().regex(/^\d{12}$/, "expected 12 digits"),
  capturedAt: z.iso.datetime({ offset: true }),
  tool: z.object({ name: z.string(), version: z.string() }).optional(),
  failures: z.array(failureSchema).optional(),
});

export const recordedSnapshotSchema = headerSchema
  .extend({
    regions: z
      .record(z.string().regex(REGION_NAME), z.strictObject(operationSchemas))
      .refine((regions) => Object.keys(regions).length > 0, "expected at least one region")
      .meta({ minProperties: 1, description: "At least one region, keyed by region name" }),
  })
  .meta({
    title: "ec2-config-rules recorded snapshot",
    description:
      "Raw EC2 Describe* responses per region. An operation absent from a region was not collected there; one listed in failures is a gap with that error.",
  });

export type RecordedSnapshotHeader = z.infer<typeof headerSchema>;

/** The published JSON Schema (schema/snapshot.schema.json is this, committed). */
export function snapshotJsonSchema(): unknown {
  return z.toJSONSchema(recordedSnapshotSchema, { target: "draft-2020-12", io: "input" });
}

/**
 * The resource id an item's error should name, taken from the field that identifies it (for an
 * instance, the one its error is in, else its reservation).
 */
export function itemResourceId(operation: Ec2Operation, item: unknown, field?: string): string | undefined {
  if (item === null || typeof item !== "object") return undefined;
  const object = item as Record<string, unknown>;
  if (operation === "DescribeInstances") {
    const index = /^Instances\[(\d+)\]/.exec(field ?? "")?.[1];
    const instance = index === undefined ? undefined : (object.Instances as unknown[] | undefined)?.[Number(index)];
    const instanceId = (instance as Record<string, unknown> | undefined)?.InstanceId;
    if (typeof instanceId === "string" && instanceId) return instanceId;
    return typeof object.ReservationId === "string" && object.ReservationId ? object.ReservationId : undefined;
  }
  for (const key of EC2_OPERATIONS[operation].idFields) {
    const value = object[key];
    if (typeof value === "string" && value) return value;
  }
  return undefined;
}

/**
 * Normalizes one Describe* item, locating any error at `listPath[index]` below the item's own
 * field and naming the resource (the path is written only for an error).
 */
export function normalizeLocatedItem(
  operation: Ec2Operation,
  item: unknown,
  origin: Origin,
  listPath: readonly string[],
  index: number,
  file: string,
): ResourceRecord[] {
  try {
    return normalizeEc2Item(operation, item, origin);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const itemPath = `${formatPath(listPath)}[${index}]`;
    const inner = error.location.field;
    const field = inner ? `${itemPath}${inner.startsWith("[") ? "" : "."}${inner}` : itemPath;
    throw new InputError(error.problem, {
      file,
      field,
      resource: error.location.resource ?? itemResourceId(operation, item, inner),
    });
  }
}

export interface RecordedSnapshotSummary {
  accountId: string;
  regions: string[];
  capturedAt: string;
}

const TOP_LEVEL_CAPTURED = new Set(["schemaVersion", "accountId", "capturedAt", "tool", "failures"]);

/**
 * Streams a recorded snapshot (plain or gzip) into the builder: items through the EC2 adapter,
 * coverage from the operations present and the failures listed.
 */
export async function loadRecordedSnapshot(file: string, builder: ModelBuilder): Promise<RecordedSnapshotSummary> {
  const header: Record<string, unknown> = {};
  let regionsSeen = false;
  /** region → operations whose list is present. */
  const present = new Map<string, Set<Ec2Operation>>();
  /** `region/operation` of every operation object, to find those missing their list. */
  const opened = new Set<string>();
  /** Records read before the account id (if the file puts it after the regions). */
  const waiting: ResourceRecord[] = [];
  let firstItemError: unknown;

  const accountIdOf = (): string | undefined =>
    typeof header.accountId === "string" && /^\d{12}$/.test(header.accountId) ? header.accountId : undefined;
  /** Each region's origin, made once: its account id is known (or found missing) before any record of most files. */
  const origins = new Map<string, Origin>();
  const originOf = (region: string): Origin => {
    let origin = origins.get(region);
    if (!origin) {
      origin = { region, accountId: accountIdOf() ?? "" };
      if (origin.accountId) origins.set(region, origin);
    }
    return origin;
  };

  const checkVersion = (): void => {
    if (!("schemaVersion" in header)) throw new InputError("required", { file, field: "schemaVersion" });
    const version = header.schemaVersion;
    if (!(SUPPORTED_SCHEMA_VERSIONS as readonly unknown[]).includes(version)) {
      throw new InputError(`unsupported schemaVersion ${JSON.stringify(version)} (supported: ${SUPPORTED_SCHEMA_VERSIONS.join(", ")})`, {
        file,
        field: "schemaVersion",
      });
    }
  };

  await readJsonStream(file, {
    modeOf(path): ValueMode {
      const [top, region, operation] = path;
      if (path.length === 1) {
        if (top === "regions") {
          regionsSeen = true;
          return "descend";
        }
        return TOP_LEVEL_CAPTURED.has(top as string) ? "capture" : "skip";
      }
      if (path.length === 2) {
        if (!REGION_NAME.test(region as string)) {
          throw new InputError(`not a region name: ${JSON.stringify(region)}`, { field: formatPath(path) });
        }
        if (!present.has(region as string)) present.set(region as string, new Set());
        return "descend";
      }
      if (path.length === 3) {
        if (!isEc2Operation(operation as string)) {
          throw new InputError(`unknown operation ${JSON.stringify(operation)} (known: ${EC2_OPERATION_NAMES.join(", ")})`, {
            field: formatPath(path),
          });
        }
        opened.add(`${region}/${operation}`);
        return "descend";
      }
      if (path[3] !== EC2_OPERATIONS[operation as Ec2Operation].listKey) return "skip";
      present.get(region as string)?.add(operation as Ec2Operation);
      return "records";
    },
    onValue(path, value) {
      if (path.length === 1 && path[0] === "regions") {
        throw new InputError(`expected an object of regions (e.g. {"eu-west-1": {…}}), got ${describeValue(value)}`, { field: "regions" });
      }
      if (path.length === 1) {
        header[path[0] as string] = value;
        if (path[0] === "schemaVersion") checkVersion();
        return;
      }
      const expected = path.length === 4 ? "an array" : "an object";
      throw new InputError(`expected ${expected}, got ${describeValue(value)}`, { field: formatPath(path) });
    },
    onRecord(path, index, item) {
      if (firstItemError) return;
      const origin = originOf(path[1] as string);
      const operation = path[2] as Ec2Operation;
      try {
        const records = normalizeLocatedItem(operation, item, origin, path, index, file);
        if (origin.accountId) for (const record of records) builder.add(record);
        else waiting.push(...records);
      } catch (error) {
        // Keep reading, so that a bad header (reported first) is found even when it comes last.
        firstItemError = error;
      }
    },
  });

  checkVersion();
  const parsed = headerSchema.safeParse(header, {
    error: (issue) => (issue.input === undefined ? "required" : undefined),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new InputError(issue.message, { file, field: issue.path.map(String).join(".") || undefined });
  }
  if (!regionsSeen) throw new InputError("required", { file, field: "regions" });
  // An empty recording judges nothing: it would pass any gate without having looked at an account.
  if (present.size === 0)
    throw new InputError("no region: expected at least one region with its Describe* responses", { file, field: "regions" });
  if (firstItemError) throw firstItemError;
  for (const key of opened) {
    const [region, operation] = key.split("/") as [string, Ec2Operation];
    if (!present.get(region)?.has(operation)) {
      throw new InputError("required", { file, field: `regions.${region}.${operation}.${EC2_OPERATIONS[operation].listKey}` });
    }
  }

  const { accountId, capturedAt, failures = [] } = parsed.data;
  for (const record of waiting) {
    record.accountId = accountId;
    builder.add(record);
  }
  const failed = new Map(failures.map((failure) => [`${failure.region}/${failure.operation}`, failure.error]));
  const regions = new Set([...present.keys(), ...failures.map((failure) => failure.region)]);
  for (const region of regions) {
    const scope = { region, accountId };
    const operations = present.get(region);
    for (const operation of EC2_OPERATION_NAMES) {
      const { kind } = EC2_OPERATIONS[operation];
      const failure = failed.get(`${region}/${operation}`);
      if (failure !== undefined) builder.markGap(scope, kind, `${operation} failed when the snapshot was recorded: ${failure}`);
      else if (operations?.has(operation)) builder.markCollected(scope, kind);
      else builder.markGap(scope, kind, `${operation} is not in the recorded snapshot ${file} for ${region}`);
    }
  }
  return { accountId, regions: [...regions].sort(), capturedAt };
}
