import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { runRules } from "../lib/engine/run";
import { loadSnapshots } from "../lib/sources/load";
import { EXAMPLE_FILES } from "../scripts/example-account";
import { GOLDEN_RULES } from "./support/golden-rules";

const folder = join(__dirname, "..", "examples");

describe("bundled examples", () => {
  it.each(Object.keys(EXAMPLE_FILES))("%s is what scripts/example-account.ts renders (run `npm run examples`)", (name) => {
    const rendered = EXAMPLE_FILES[name as keyof typeof EXAMPLE_FILES]();
    const committed = readFileSync(join(folder, name));
    if (name.endsWith(".gz")) expect(gunzipSync(committed).toString()).toEqual(gunzipSync(rendered).toString());
    else expect(committed.toString()).toEqual(rendered);
  });

  // The example account was built for these rules (test/support/golden-rules.ts); a rule added later is tested by its own cases.
  it("gives each rule it was built for compliant, non-compliant and not-applicable resources", async () => {
    const { model } = await loadSnapshots([join(folder, "account-snapshot.json")]);
    const evaluations = runRules(model, { rules: GOLDEN_RULES });
    for (const rule of GOLDEN_RULES) {
      const kinds = new Set(
        evaluations.filter((evaluation) => evaluation.ruleId === rule.meta.id).map((evaluation) => evaluation.complianceType),
      );
      expect({ rule: rule.meta.id, kinds: [...kinds].sort() }).toEqual({
        rule: rule.meta.id,
        kinds: ["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"],
      });
    }
  });
});
