import { describeParameters } from "../../lib/engine/parameter-docs";
import { allowedValues } from "../../lib/engine/rule";
import * as z from "../../lib/zod";
import { RULES } from "../../rules";

/** What the JSON Schema of a parameter says it may take: the reference allowedValues' walk of zod's definitions must agree with. */
function jsonSchemaEnum(schema: z.ZodMiniType, parameter: string): string[] | undefined {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, { enum?: unknown[]; items?: { enum?: unknown[] } }>;
  };
  const property = json.properties?.[parameter];
  return (property?.enum ?? property?.items?.enum)?.map(String);
}

describe("rule parameters' allowed values", () => {
  const parameters = RULES.flatMap((rule) => describeParameters(rule).map(({ name }) => [rule.meta.id, name, rule] as const));

  it("are found for the enum and list parameters of the rules", () => {
    expect(parameters.filter(([, name, rule]) => allowedValues(rule, name)).map(([id, name]) => `${id}.${name}`)).toEqual(
      expect.arrayContaining(["endpoint-route-present.services", "endpoint-route-present.scope", "placement-group-limits.resourceType"]),
    );
  });

  it.each(parameters)("%s.%s: the same as its JSON Schema says", (_id, name, rule) => {
    expect(allowedValues(rule, name)).toEqual(jsonSchemaEnum(rule.meta.parameters, name));
  });

  it("are none for a parameter the rule does not have", () => {
    const rule = RULES.find((candidate) => candidate.meta.id === "endpoint-route-present");
    expect(rule && allowedValues(rule, "noSuchParameter")).toBeUndefined();
  });
});
