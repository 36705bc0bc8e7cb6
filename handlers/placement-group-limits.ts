import { createRuleHandler } from "../lib/lambda/handler";
import rule from "../rules/placement-group-limits";

export const handler = createRuleHandler(rule);
