// The one error type of Eddy. Errors are classified where they are raised: who is at fault
// ('user', 'external', 'internal') and whether retrying can help. Boundaries (gRPC handlers, calls
// into user functions, connector calls) normalize unknown throwables with `EddyError.from`.

/** Who is at fault: the user (bad job, config, record), something external, or Eddy itself. */
export type ErrorDomain = 'user' | 'external' | 'internal';

/** Options of an EddyError. */
export interface EddyErrorOptions {
  readonly domain?: ErrorDomain;
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/** The serialized form, as it crosses process boundaries. */
export interface SerializedError {
  readonly code: string;
  readonly domain: ErrorDomain;
  readonly retryable: boolean;
  readonly message: string;
  readonly stack?: string;
  readonly cause?: SerializedError;
}

/** Base class of every error Eddy raises on purpose. */
export class EddyError extends Error {
  readonly code: string;
  readonly domain: ErrorDomain;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: EddyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EddyError';
    this.code = code;
    this.domain = options.domain ?? 'internal';
    this.retryable = options.retryable ?? false;
  }

  /** Normalizes any throwable; an unknown one becomes an internal error with `code`. */
  static from(err: unknown, code = 'INTERNAL', domain: ErrorDomain = 'internal'): EddyError {
    if (err instanceof EddyError) return err;
    if (err instanceof Error) {
      const e = new EddyError(code, err.message, { domain, cause: err });
      if (err.stack !== undefined) e.stack = err.stack;
      return e;
    }
    return new EddyError(code, String(err), { domain });
  }

  /** A plain object for JSON transport. */
  toJSON(): SerializedError {
    const cause = this.cause === undefined || this.cause === this ? undefined : serializeCause(this.cause);
    return {
      code: this.code,
      domain: this.domain,
      retryable: this.retryable,
      message: this.message,
      ...(this.stack === undefined ? {} : { stack: this.stack }),
      ...(cause === undefined || this.cause === this ? {} : { cause }),
    };
  }

  /** Rebuilds an error sent by `toJSON`. */
  static fromJSON(s: SerializedError): EddyError {
    const e = new EddyError(s.code, s.message, {
      domain: s.domain,
      retryable: s.retryable,
      ...(s.cause === undefined ? {} : { cause: EddyError.fromJSON(s.cause) }),
    });
    if (s.stack !== undefined) e.stack = s.stack;
    return e;
  }
}

/** A cause of any kind, serialized without recursing into itself. */
function serializeCause(cause: unknown): SerializedError {
  if (cause instanceof EddyError) return cause.toJSON();
  if (cause instanceof Error) {
    return {
      code:
        (cause as { code?: unknown }).code === undefined
          ? 'CAUSE'
          : String((cause as { code?: unknown }).code),
      domain: 'internal',
      retryable: false,
      message: cause.message,
      ...(cause.stack === undefined ? {} : { stack: cause.stack }),
    };
  }
  return { code: 'CAUSE', domain: 'internal', retryable: false, message: String(cause) };
}

/** A mistake of the user's: names the thing and the fix. */
export function userError(code: string, message: string, cause?: unknown): EddyError {
  return new EddyError(code, message, { domain: 'user', retryable: false, cause });
}

/** A broken invariant: a bug in Eddy. */
export function internalError(message: string, cause?: unknown): EddyError {
  return new EddyError('INTERNAL', message, { domain: 'internal', retryable: false, cause });
}

/** Fails loudly when an invariant does not hold. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw internalError(`invariant violated: ${message}`);
}
