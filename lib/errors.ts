/** Where bad input was found: the file, the field (a JSON path) and the resource, when known. */
export interface InputLocation {
  file?: string;
  field?: string;
  resource?: string;
}

/**
 * Bad input from a user: a file, an event, a parameter. Its message is one line that names what
 * was wrong and where; the CLI prints it and exits 2, a Lambda invocation fails with it.
 */
export class InputError extends Error {
  constructor(
    readonly problem: string,
    readonly location: InputLocation = {},
  ) {
    super(formatInputError(problem, location));
    this.name = "InputError";
  }

  /** The same error, located in a file (kept when the error already names one). */
  inFile(file: string): InputError {
    return this.location.file ? this : new InputError(this.problem, { ...this.location, file });
  }
}

function formatInputError(problem: string, { file, field, resource }: InputLocation): string {
  const where = [file, field ? `field ${field}` : undefined, resource ? `resource ${resource}` : undefined]
    .filter((part) => part !== undefined)
    .join(": ");
  return where ? `${where}: ${problem}` : problem;
}
