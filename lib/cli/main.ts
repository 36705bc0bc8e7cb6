import { Command, CommanderError } from "commander";
import { RuleParameterError } from "../engine/rule";
import { InputError } from "../errors";
import { registerEvaluateCommand } from "./commands/evaluate";
import { registerEventCommand } from "./commands/event";
import { registerInvokeCommand } from "./commands/invoke";
import { registerRemediateCommand } from "./commands/remediate";
import { registerRecordCommand } from "./commands/record";
import { registerReportCommand } from "./commands/report";
import { registerRulesCommand } from "./commands/rules";

const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command("ec2-config-rules")
    .description("Compliance rules for AWS EC2 and VPC networking: offline evaluation, Config Lambda rules, reports")
    .version(process.env.npm_package_version ?? "0.1.0")
    .showHelpAfterError()
    .exitOverride();
  registerEvaluateCommand(program);
  registerReportCommand(program);
  registerRecordCommand(program);
  registerRulesCommand(program);
  registerInvokeCommand(program);
  registerEventCommand(program);
  registerRemediateCommand(program);
  for (const command of program.commands) command.exitOverride().showHelpAfterError();
  return program;
}

/** Bad input is a one-line message and exit 2; anything else is a bug and keeps its stack. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof InputError || error instanceof RuleParameterError) {
      process.stderr.write(`ec2-config-rules: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

/** The process entry point used by bin/ec2-config-rules.js. */
export function run(argv: string[] = process.argv): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`ec2-config-rules: internal error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 70;
    },
  );
}
