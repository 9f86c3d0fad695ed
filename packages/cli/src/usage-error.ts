// The CLI's exit codes and the error that selects code 2: a mistake in the command line itself.
// Raised where the command line is checked (yargs, arguments.ts, flag combinations in commands);
// main.ts turns it into exit code 2 and a pointer to `--help`.
import { EddyError } from '@eddy/common';

/** Exit codes of `eddy`: 0 success, 1 any failure (including a job that did not FINISH), 2 usage. */
export const ExitCode = { ok: 0, failure: 1, usage: 2 } as const;

/** A mistake in the command line (unknown flag, missing or malformed argument): exit code 2. */
export class UsageError extends EddyError {
  constructor(code: string, message: string) {
    super(code, message, { domain: 'user' });
    this.name = 'UsageError';
  }
}

/** A UsageError with `code` (e.g. CLI_BAD_FLAG) naming the bad value and the fix. */
export function usageError(code: string, message: string): UsageError {
  return new UsageError(code, message);
}
