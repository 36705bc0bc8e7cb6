import { type Command, Option } from "commander";
import { RULES } from "../../../rules";
import { FRAMEWORK_NAMES } from "../../engine/controls";
import { describeParameters } from "../../engine/parameter-docs";

export function registerRulesCommand(program: Command): void {
  program
    .command("rules")
    .description(
      "List the rules with their resource types, triggers, severity, parameters (with defaults) and framework controls (with sources)",
    )
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"))
    .action((options: { format: "table" | "json" }) => {
      const rules = RULES.map((rule) => ({
        id: rule.meta.id,
        description: rule.meta.description,
        severity: rule.meta.severity,
        resourceTypes: rule.meta.resourceTypes,
        triggers: rule.meta.triggers,
        managedRule: rule.meta.managedRule ?? null,
        controls: rule.meta.controls,
        parameters: describeParameters(rule),
      }));
      if (options.format === "json") {
        process.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const rule of rules) {
        lines.push(`${rule.id}  [${rule.severity}; ${rule.triggers.join("+")}; ${rule.resourceTypes.join(", ")}]`);
        lines.push(`  ${rule.description}`);
        if (rule.managedRule) lines.push(`  matches AWS managed rule: ${rule.managedRule}`);
        for (const control of rule.controls) {
          lines.push(
            `  control: ${FRAMEWORK_NAMES[control.framework]} ${control.version} ${control.control}: ${control.title} (${control.source})`,
          );
        }
        for (const parameter of rule.parameters) {
          const fallback = parameter.default === undefined ? "no default" : `default ${JSON.stringify(parameter.default)}`;
          lines.push(`  --params ${rule.id}.${parameter.name}: ${parameter.type} (${fallback})`);
        }
        lines.push("");
      }
      process.stdout.write(lines.join("\n"));
    });
}
