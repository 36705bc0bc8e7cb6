import { splitParameters } from "../../lib/config/event";
import { parseRuleParameters } from "../../lib/engine/rule";
import placementGroupLimits from "../../rules/placement-group-limits";

// These modules use zod/mini, which has no messages of its own: a bundle without lib/zod's locale
// would tell an admin only "Invalid input". This file imports nothing that loads classic zod.
describe("schema messages in the rule functions", () => {
  it("say what was wrong with a rule parameter", () => {
    expect(() => parseRuleParameters(placementGroupLimits, { maxPartitions: "0" })).toThrow(
      'rule placement-group-limits: invalid parameter "maxPartitions" = "0": Too small: expected number to be >=1',
    );
  });

  it("say what was wrong with a wrapper parameter", () => {
    expect(() => splitParameters({ ExecutionRoleName: "" })).toThrow(
      /ExecutionRoleName.*Too small: expected string to have >=1 characters/,
    );
  });
});
