import { createRuleHandler } from "../lib/lambda/handler";
import rule from "../rules/imdsv2-required";

export const handler = createRuleHandler(rule);
