import path from "node:path";
import { loadStageSettings } from "./settings";
import { buildStack, type Stack } from "./stack";

export { memberRoleTemplate, toYaml } from "./member-role";

/** The stack of one stage from its parameters file. */
export function generate(options: { stage: string; paramsFile: string; root: string }): Stack {
  const settingsFile = path.relative(options.root, options.paramsFile) || options.paramsFile;
  return buildStack({ stage: options.stage, settings: loadStageSettings(options.paramsFile), settingsFile });
}
