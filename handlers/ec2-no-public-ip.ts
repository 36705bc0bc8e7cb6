import { createRuleHandler } from "../lib/lambda/handler";
import rule from "../rules/ec2-no-public-ip";

export const handler = createRuleHandler(rule);
