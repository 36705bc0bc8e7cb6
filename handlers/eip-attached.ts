import { createRuleHandler } from "../lib/lambda/handler";
import rule from "../rules/eip-attached";

export const handler = createRuleHandler(rule);
