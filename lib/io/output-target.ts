import { randomBytes } from "node:crypto";
import { open, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors";

/** What the common errno codes of file I/O mean, in the words of a one-line error. */
const IO_ERROR_TEXT: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file or folder",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "is a folder",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EEXIST: "already exists",
  EMFILE: "too many open files",
  ENFILE: "too many open files",
  EBUSY: "resource busy",
  EIO: "input/output error",
  EFBIG: "file too large",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many symbolic links",
  EXDEV: "cross-device link",
  EPIPE: "broken pipe",
  EINVAL: "invalid argument",
};

/** A Node.js file-system error (it carries an errno code such as ENOENT, and often the path). */
export function isIoError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return error instanceof Error && typeof code === "string" && code in IO_ERROR_TEXT;
}

/** Why an I/O call failed, in words: "no space left on the device (ENOSPC)". */
export const ioErrorReason = (error: NodeJS.ErrnoException): string =>
  `${IO_ERROR_TEXT[error.code ?? ""] ?? error.message} (${error.code ?? "EIO"})`;

/** One line for an I/O error: what failed, on which path, and why. */
export function describeIoError(error: NodeJS.ErrnoException & { dest?: string }): string {
  const what = error.syscall ? `cannot ${error.syscall}` : "I/O error";
  const path = error.path ? ` ${error.path}${error.dest ? ` -> ${error.dest}` : ""}` : "";
  return `${what}${path}: ${ioErrorReason(error)}`;
}

/**
 * Checks, before any work, that a file can be written at `output`: its folder exists and is a
 * folder, a file can be created in it (proven by creating and removing a probe, which also
 * catches read-only mounts, /proc and rights that root ignores), and the target is not a folder.
 * Every command with an --output calls this first, so a bad target costs no evaluation or API call.
 */
export async function checkOutputTarget(output: string, field = "--output"): Promise<void> {
  const fail = (problem: string): never => {
    throw new InputError(problem, { file: output, field });
  };
  if (output === "" || output.endsWith("/")) fail("expected a file name, not a folder");
  const folder = dirname(output);
  const found = await stat(folder).catch((error: NodeJS.ErrnoException) => error);
  if (found instanceof Error) {
    fail(
      found.code === "ENOENT"
        ? `output folder ${folder} does not exist`
        : `output folder ${folder}: ${IO_ERROR_TEXT[found.code ?? ""] ?? found.code}`,
    );
  } else if (!found.isDirectory()) {
    fail(`output folder ${folder} is not a folder`);
  }
  const target = await stat(output).catch(() => undefined);
  if (target?.isDirectory()) fail("is a folder: give a file name inside it");
  const probe = join(folder, `.${basename(output)}.${process.pid}.${randomBytes(4).toString("hex")}.probe`);
  try {
    await (await open(probe, "wx")).close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    fail(`cannot write in ${folder}: ${IO_ERROR_TEXT[code] ?? (error as Error).message}${code ? ` (${code})` : ""}`);
  }
  await rm(probe, { force: true });
}
