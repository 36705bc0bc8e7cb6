import { RULES } from "../../rules";

/**
 * The rules the golden report files and the bundled example account were written for. A rule
 * added later (npm run new-rule) brings its own test; it is left out here so the goldens keep
 * checking rendering, not which rules exist. To put a rule into them, add its id, make sure
 * scripts/example-account.ts gives it compliant, non-compliant and not-applicable resources
 * (npm run examples), and regenerate with UPDATE_GOLDEN=1 npx jest test/reports and review the diff.
 */
export const GOLDEN_RULE_IDS = [
  "eip-attached",
  "ec2-no-public-ip",
  "sg-attached-to-eni",
  "endpoint-route-present",
  "imdsv2-required",
  "placement-group-limits",
] as const;

export const GOLDEN_RULES = GOLDEN_RULE_IDS.map((id) => {
  const rule = RULES.find((candidate) => candidate.meta.id === id);
  if (!rule) throw new Error(`golden rule ${id} is not in rules/index.ts: remove it from test/support/golden-rules.ts`);
  return rule;
});
