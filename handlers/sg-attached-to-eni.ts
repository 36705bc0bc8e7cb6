import { createRuleHandler } from "../lib/lambda/handler";
import rule from "../rules/sg-attached-to-eni";

export const handler = createRuleHandler(rule);
