import { RULES } from "../../rules";

/** The rule ids exemption tags and files may name, as the entry points pass them (RULES). */
export const RULE_IDS: readonly string[] = RULES.map((rule) => rule.meta.id);
