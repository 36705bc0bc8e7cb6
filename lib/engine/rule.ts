import { KINDS } from "../model/kinds";
import type { ResourceModel } from "../model/resource-model";
import { DELETED_ITEM_STATUSES, type ResourceKind, type ResourceRecord } from "../model/types";
import * as z from "../zod";

/** The compliance types a rule can give. Config rejects INSUFFICIENT_DATA from custom rules, so
 * it is used only offline, where it marks resources a rule could not judge for lack of data. */
export type ComplianceType = "COMPLIANT" | "NON_COMPLIANT" | "NOT_APPLICABLE" | "INSUFFICIENT_DATA";

export const MAX_ANNOTATION_LENGTH = 256;

/** The pseudo-type for verdicts on a whole account (and region), as the RDK reports them. */
export const ACCOUNT_RESOURCE_TYPE = "AWS::::Account";

/** One verdict on one resource: the same shape offline, in the Lambda and in reports. */
export interface Evaluation {
  ruleId: string;
  resourceType: string;
  resourceId: string;
  region: string;
  accountId: string;
  complianceType: ComplianceType;
  annotation: string;
  /** Only on an exempted evaluation (NOT_APPLICABLE): the exemption, for reports that list it apart. */
  exemption?: ExemptionDetail;
}

/** An exemption as reports carry it: who granted it, why, until when, and what it set aside. */
export interface ExemptionDetail {
  source: "tag" | "file";
  reason?: string;
  owner?: string;
  /** ISO 8601; absent only for a tag exemption without an expiry tag. */
  expires?: string;
  /** The rule's verdict that the exemption replaced. */
  verdict: ComplianceType;
}

export type Severity = "low" | "medium" | "high" | "critical";

/** The compliance frameworks a rule's controls can belong to. */
export type FrameworkId = "aws-fsbp" | "cis-aws" | "nist-800-53" | "pci-dss";

/** A framework control this rule checks, as AWS maps the equivalent managed rule. */
export interface ControlMapping {
  framework: FrameworkId;
  /** The framework's version, e.g. "3.0.0" for CIS or "rev5" for NIST SP 800-53. */
  version: string;
  /** The control id as the framework writes it, e.g. "EC2.8". */
  control: string;
  title: string;
  /** Where AWS documents this mapping (a documentation or conformance-pack URL). */
  source: string;
}
export type TriggerKind = "change" | "periodic";

export interface RuleMeta<Schema extends z.ZodMiniType> {
  id: string;
  description: string;
  /** When a resource is NON_COMPLIANT, as one clause ("the address has no association"): README's rules table and docs/rules/<id>.md. */
  failsWhen: string;
  /** AWS resource types this rule reports on (its Config scope). */
  resourceTypes: readonly string[];
  triggers: readonly TriggerKind[];
  severity: Severity;
  /** Framework controls this rule checks; empty when no framework maps it. */
  controls: readonly ControlMapping[];
  /** What the rule reads from the model; a kind not collected in a region is reported as a gap. */
  requires: readonly ResourceKind[];
  /** Read when present, but verdicts do not depend on them. */
  optional?: readonly ResourceKind[];
  parameters: Schema;
  /**
   * The fix, in one line. Whether it is applied automatically is the remediation module's to say
   * (remediation/<id>.ts); a rule with none gets these manual steps in every plan.
   */
  remediation: { summary: string };
  /** The AWS managed rule whose verdicts this rule matches by default, if any. */
  managedRule?: string;
  /** AWS's documentation of what the rule checks; reports link it (helpUri), else the managed rule's page. */
  docs?: string;
}

export interface RuleContext<Params> {
  model: ResourceModel;
  params: Params;
}

export interface Rule<Schema extends z.ZodMiniType = z.ZodMiniType> {
  meta: RuleMeta<Schema>;
  evaluate(context: RuleContext<z.output<Schema>>): Evaluation[];
}

export type AnyRule = Rule<z.ZodMiniType>;

export function defineRule<Schema extends z.ZodMiniType>(rule: Rule<Schema>): Rule<Schema> {
  return rule;
}

/**
 * Cuts an annotation to Config's limit, with a visible marker. Only for what goes to Config
 * (lib/config/put-evaluations.ts): evaluations keep their full annotation, so JSON, CSV and
 * reports show all of it (an INSUFFICIENT_DATA annotation lists everything that is missing).
 */
export function clampAnnotation(text: string): string {
  if (text.length <= MAX_ANNOTATION_LENGTH) return text;
  const marker = "… [truncated]";
  return text.slice(0, MAX_ANNOTATION_LENGTH - marker.length) + marker;
}

/**
 * Why a resource whose configuration item says it is gone or not recorded gets no verdict. One
 * wording for the Lambda (a change event's item) and offline runs (a deleted item in a file).
 */
export function itemStatusAnnotation(status: string, captureTime: string): string {
  const why = DELETED_ITEM_STATUSES.has(status) ? `deleted at ${captureTime}` : "not recorded";
  return `Configuration item status ${status}: ${why}`;
}

/**
 * Equal texts as one string within a run. Where a million evaluations' annotations vary with only
 * a few values (a hop limit, a count), each would otherwise keep its own copy for the garbage
 * collector to move with it; a text made only to be looked up here dies young, which costs little.
 */
export function sharedTexts(): (text: string) => string {
  const pool = new Map<string, string>();
  return (text) => {
    const known = pool.get(text);
    if (known !== undefined) return known;
    pool.set(text, text);
    return text;
  };
}

/** Builds the evaluation of a model record, reported under its AWS resource type. */
export function verdict(
  ruleId: string,
  record: ResourceRecord,
  complianceType: ComplianceType,
  annotation: string,
  resourceType: string = KINDS[record.kind].configType,
): Evaluation {
  return {
    ruleId,
    resourceType,
    resourceId: record.id,
    region: record.region,
    accountId: record.accountId,
    complianceType,
    annotation,
  };
}

/** Lists ids for an annotation, naming at most `max` and counting the rest. */
export function listIds(ids: readonly string[], max = 5): string {
  if (ids.length <= max) return ids.join(", ");
  return `${ids.slice(0, max).join(", ")} and ${ids.length - max} more`;
}

// Parameter helpers. Config passes rule parameters as the JSON the admin typed, usually strings,
// so each helper accepts the typed value or its string form, and rejects anything else.

const TRUE_WORDS = new Set(["true", "yes", "1"]);
const FALSE_WORDS = new Set(["false", "no", "0"]);

/** zod/mini has no preprocess: the same pipe that zod's classic API builds for it. */
const preprocess = <Out>(prepare: (value: unknown) => unknown, schema: z.ZodMiniType<Out>) => z.pipe(z.transform(prepare), schema);

export const booleanParam = (fallback: boolean) =>
  z._default(
    preprocess((value) => {
      if (typeof value !== "string") return value;
      const word = value.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return value;
    }, z.boolean()),
    fallback,
  );

const integer = (min: number, max: number) =>
  preprocess(
    (value) => (typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z.int().check(z.gte(min), z.lte(max)),
  );

export const integerParam = (fallback: number, min: number, max: number) => z._default(integer(min, max), fallback);

/** An integer parameter that is off unless given. */
export const optionalIntegerParam = (min: number, max: number) => z.optional(integer(min, max));

/** A list given as an array or a comma-separated string. */
export const listParam = <T extends string>(values: z.ZodMiniType<T>, fallback: T[]) =>
  z._default(
    preprocess(
      (value) =>
        typeof value === "string"
          ? value
              .split(",")
              .map((item) => item.trim())
              .filter((item) => item.length > 0)
          : value,
      z.array(values).check(z.minLength(1)),
    ),
    fallback,
  );

export const enumParam = <T extends string>(values: readonly [T, ...T[]], fallback: T) => z._default(z.enum(values), fallback as never);

export class RuleParameterError extends Error {
  constructor(
    readonly ruleId: string,
    readonly parameter: string,
    readonly value: unknown,
    detail: string,
  ) {
    super(`rule ${ruleId}: invalid parameter "${parameter}" = ${JSON.stringify(value)}: ${detail}`);
    this.name = "RuleParameterError";
  }
}

/** As much of a zod schema's definition as the walk to an enum's values reads. */
interface SchemaDefinition {
  type: string;
  innerType?: ZodSchema;
  out?: ZodSchema;
  element?: ZodSchema;
  entries?: Record<string, string | number>;
  shape?: Record<string, ZodSchema>;
}
type ZodSchema = { _zod: { def: SchemaDefinition } };

/** The enum a parameter's schema ends in, through its default, optional, preprocessing pipe and list. */
function enumValuesOf(schema: ZodSchema | undefined): string[] | undefined {
  const definition = schema?._zod.def;
  switch (definition?.type) {
    case "enum":
      return Object.values(definition.entries ?? {}).map(String);
    case "default":
    case "prefault":
    case "optional":
    case "nullable":
    case "readonly":
      return enumValuesOf(definition.innerType);
    case "pipe":
      return enumValuesOf(definition.out);
    case "array":
      return enumValuesOf(definition.element);
    default:
      return undefined;
  }
}

/**
 * The values an enum parameter, or each item of a list parameter, may take; undefined when any
 * value of its type may. Read from the schema's definition rather than its JSON Schema, which
 * would bring zod's JSON Schema generator into every rule function's bundle.
 */
export function allowedValues(rule: AnyRule, parameter: string): string[] | undefined {
  return enumValuesOf((rule.meta.parameters as unknown as ZodSchema)._zod.def.shape?.[parameter]);
}

/**
 * Validates raw parameters against a rule's schema and fills defaults. Unknown parameters are
 * refused, so a typo never silently falls back to a default; a value outside an enum or list
 * parameter's domain is refused naming the value and the allowed ones.
 */
export function parseRuleParameters<Schema extends z.ZodMiniType>(rule: Rule<Schema>, raw: Record<string, unknown> = {}): z.output<Schema> {
  const result = rule.meta.parameters.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const parameter = issue?.code === "unrecognized_keys" ? (issue.keys[0] ?? "?") : String(path[0] ?? "?");
  let detail = issue?.message ?? "invalid";
  const allowed = issue?.code === "unrecognized_keys" ? undefined : allowedValues(rule as AnyRule, parameter);
  if (allowed) {
    const list = allowed.join(", ");
    if (issue?.code === "invalid_value") detail = `${JSON.stringify(issue.input)} is not one of the allowed values: ${list}`;
    else if (issue?.code === "too_small") detail = `must name at least one of the allowed values: ${list}`;
    else detail = `${detail} (allowed values: ${list})`;
  }
  throw new RuleParameterError(rule.meta.id, parameter, raw[parameter], detail);
}
