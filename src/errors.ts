/**
 * Errors the CLI turns into one line and an exit code (DESIGN.md §2): 2 usage, 3 unreadable input or
 * no plausible configuration; 4 some pairs of a batch failed (each has its line in the results).
 * Anything else is a bug and is reported as such.
 */
export class SpecDetectError extends Error {
  constructor(
    message: string,
    readonly exitCode: 2 | 3 | 4,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command line or a config value is wrong. */
export class UsageError extends SpecDetectError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** An input file cannot be read as claimed, or no configuration fits it. */
export class InputError extends SpecDetectError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`, 3);
  }
}
