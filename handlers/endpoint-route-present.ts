import { createRuleHandler } from "../lib/lambda/handler";
import rule from "../rules/endpoint-route-present";

export const handler = createRuleHandler(rule);
