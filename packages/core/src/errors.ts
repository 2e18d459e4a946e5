/**
 * The one error hierarchy of Milepost. Callers switch on `code`, never on message text.
 */

/** Every stable error code, with whether a call failing with it may be retried. */
export const MILEPOST_ERROR_CODES = {
  /** A journey or mapping file does not parse or does not validate. */
  INVALID_FILE: { retryable: false },
  /** A file could not be read. */
  FILE_NOT_FOUND: { retryable: false },
  /** Input given on the command line or in a request is not usable. */
  INVALID_INPUT: { retryable: false },
  /** A record snapshot is malformed. */
  INVALID_RECORD: { retryable: false },
  /** A journey version change cannot be applied to existing records. */
  UNMAPPED_STAGE: { retryable: false },
  /** A vendor refused the credentials. */
  AUTHENTICATION_FAILED: { retryable: false },
  /** A vendor refused the operation for lack of a scope or permission. */
  PERMISSION_DENIED: { retryable: false },
  /** The vendor's rate limit was hit; retry after the window. */
  RATE_LIMITED: { retryable: true },
  /** The vendor's daily budget is spent; retrying today will not help. */
  DAILY_LIMIT_REACHED: { retryable: false },
  /** The vendor had a transient failure (5xx, timeout, dropped connection). */
  VENDOR_UNAVAILABLE: { retryable: true },
  /** The vendor rejected the request as invalid. */
  VENDOR_REJECTED: { retryable: false },
  /** The plan would change or delete something Milepost does not manage, or lose records. */
  UNSAFE_CHANGE: { retryable: false },
  /** The portal or org lacks a capability the journey needs. */
  CAPABILITY_MISSING: { retryable: false },
  /** A bug: something that should not happen happened. */
  INTERNAL: { retryable: false },
} as const satisfies Record<string, { retryable: boolean }>;

/** A stable, machine-readable error code. */
export type MilepostErrorCode = keyof typeof MILEPOST_ERROR_CODES;

const marker = Symbol.for('milepost.error');

/** Options of {@link MilepostError}. */
export interface MilepostErrorOptions {
  code: MilepostErrorCode;
  message: string;
  cause?: unknown;
  /** Overrides the code's default retryability (e.g. a 429 with a known wait). */
  retryable?: boolean;
  /** Structured detail for machines (`--json` output, API responses); never secrets. */
  details?: Record<string, unknown>;
}

/** Base class of every error Milepost throws on purpose. */
export class MilepostError extends Error {
  readonly [marker] = true;
  readonly code: MilepostErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor({ code, message, cause, retryable, details }: MilepostErrorOptions) {
    super(message, { cause });
    this.name = 'MilepostError';
    this.code = code;
    this.retryable = retryable ?? MILEPOST_ERROR_CODES[code].retryable;
    this.details = details ?? {};
  }

  /** True for any MilepostError, even one from another copy of this package. */
  static isInstance(error: unknown): error is MilepostError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
