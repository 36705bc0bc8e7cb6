/**
 * Checks a value against a shape of an AWS SDK v3 client's Smithy schema (the `Xxx$` exports of
 * @aws-sdk/client-*, which the SDK's own serializers read): every key a member of its structure,
 * required members present, strings, numbers, booleans, lists and maps where the model says so.
 * Enum values and length limits are not in these schemas; test them separately.
 */
type SchemaRef = number | unknown[] | (() => unknown);

const STRING = 0;
const NUMERIC = 1;
const BOOLEAN = 2;
const LIST_MODIFIER = 64;
const MAP_MODIFIER = 128;

function resolve(ref: SchemaRef): number | unknown[] {
  let current: unknown = ref;
  while (typeof current === "function") current = (current as () => unknown)();
  // A member with traits is [schema, traits].
  if (Array.isArray(current) && current.length === 2 && (typeof current[0] === "function" || typeof current[0] === "number")) {
    return resolve(current[0] as SchemaRef);
  }
  return current as number | unknown[];
}

export function shapeProblems(value: unknown, ref: SchemaRef, path = "$"): string[] {
  const schema = resolve(ref);
  if (typeof schema === "number") return scalarProblems(value, schema, path);
  const [kind] = schema as [number];
  switch (kind) {
    case 3: {
      const [, , name, , members, memberSchemas, required = 0] = schema as [
        number,
        string,
        string,
        unknown,
        string[],
        SchemaRef[],
        number?,
      ];
      if (value === null || typeof value !== "object" || Array.isArray(value)) return [`${path}: expected a ${name} object`];
      const problems: string[] = [];
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!members.includes(key)) problems.push(`${path}.${key}: not a member of ${name}`);
      }
      members.forEach((member, index) => {
        const memberValue = record[member];
        if (memberValue === undefined) {
          if (index < required) problems.push(`${path}.${member}: required by ${name}`);
          return;
        }
        problems.push(...shapeProblems(memberValue, memberSchemas[index] as SchemaRef, `${path}.${member}`));
      });
      return problems;
    }
    case 1: {
      if (!Array.isArray(value)) return [`${path}: expected a list`];
      return value.flatMap((item, index) => shapeProblems(item, schema[4] as SchemaRef, `${path}[${index}]`));
    }
    case 2: {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return [`${path}: expected a map`];
      return Object.entries(value).flatMap(([key, item]) => shapeProblems(item, schema[5] as SchemaRef, `${path}.${key}`));
    }
    case 0:
      // A simple schema with traits: [0, namespace, name, traits, schema].
      return shapeProblems(value, schema[4] as SchemaRef, path);
    default:
      return [`${path}: schema kind ${kind} not handled by test/support/smithy-shape.ts`];
  }
}

function scalarProblems(value: unknown, code: number, path: string): string[] {
  if (code & LIST_MODIFIER) {
    if (!Array.isArray(value)) return [`${path}: expected a list`];
    return value.flatMap((item, index) => scalarProblems(item, code & ~LIST_MODIFIER, `${path}[${index}]`));
  }
  if (code & MAP_MODIFIER) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [`${path}: expected a map`];
    return Object.entries(value).flatMap(([key, item]) => scalarProblems(item, code & ~MAP_MODIFIER, `${path}.${key}`));
  }
  const expected = code === STRING ? "string" : code === NUMERIC ? "number" : code === BOOLEAN ? "boolean" : undefined;
  if (!expected) return [];
  return typeof value === expected ? [] : [`${path}: expected a ${expected}, got ${JSON.stringify(value)}`];
}
