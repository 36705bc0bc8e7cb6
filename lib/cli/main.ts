import { Command, CommanderError } from "commander";
import { RuleParameterError } from "../engine/rule";
import { InputError } from "../errors";
import { describeIoError, ioErrorReason, isIoError } from "../io/output-target";
import { registerEvaluateCommand } from "./commands/evaluate";
import { registerEventCommand } from "./commands/event";
import { registerInvokeCommand } from "./commands/invoke";
import { registerRecordCommand } from "./commands/record";
import { registerRemediateCommand } from "./commands/remediate";
import { registerReportCommand } from "./commands/report";
import { registerRulesCommand } from "./commands/rules";

const EXIT_USAGE = 2;
/** An AWS call failed (credentials, permissions, the endpoint): the same code as invoke's and remediate's. */
const EXIT_AWS_FAILED = 3;
/** A bug (EX_SOFTWARE): one line and a hint; the stack only when DEBUG_ENV is set. */
const EXIT_INTERNAL = 70;
const DEBUG_ENV = "EC2_CONFIG_RULES_DEBUG";

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

/** Bad input and I/O errors are a one-line message and exit 2; anything else is a bug (see {@link run}). */
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
    if (isIoError(error)) {
      process.stderr.write(`ec2-config-rules: ${describeIoError(error)}\n`);
      return EXIT_USAGE;
    }
    if (isAwsError(error)) {
      process.stderr.write(`ec2-config-rules: an AWS call failed: ${error.name}: ${error.message.split("\n", 1)[0]}\n`);
      return EXIT_AWS_FAILED;
    }
    throw error;
  }
}

/** An error from the AWS SDK: a service's answer (it carries $metadata), or no credentials or endpoint. */
function isAwsError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  return (
    "$metadata" in error ||
    ["CredentialsProviderError", "TimeoutError", "CollectionError"].includes(error.name) ||
    /^(ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN)$/.test((error as NodeJS.ErrnoException).code ?? "")
  );
}

/** The process entry point used by bin/ec2-config-rules.js. */
export function run(argv: string[] = process.argv): void {
  // A closed pipe (`| head`) ends the output, not the program with a stack trace; other stdout errors are one line.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") process.stderr.write(`ec2-config-rules: cannot write to stdout: ${ioErrorReason(error)}\n`);
    process.exit(error.code === "EPIPE" ? Number(process.exitCode ?? 0) : EXIT_USAGE);
  });
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      const firstLine = message.split("\n", 1)[0] ?? "";
      const detail = process.env[DEBUG_ENV]
        ? `\n${(error as Error).stack ?? message}`
        : ` (a bug: please report it; ${DEBUG_ENV}=1 shows the stack trace)`;
      process.stderr.write(`ec2-config-rules: internal error: ${firstLine}${detail}\n`);
      process.exitCode = EXIT_INTERNAL;
    },
  );
}
