import { RULES } from "../../rules";
import { RULE_CATALOG } from "../../rules/catalog";

describe("rule catalog", () => {
  it("lists every rule, in the order of RULES, with the id, description and severity of its module", () => {
    expect(RULE_CATALOG.map(({ id, description, severity }) => ({ id, description, severity }))).toEqual(
      RULES.map(({ meta }) => ({ id: meta.id, description: meta.description, severity: meta.severity })),
    );
  });
});
