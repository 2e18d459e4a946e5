/**
 * Error shapes the real API sends. REST: `[{message, errorCode, fields}]`; per-record results inside
 * collections use `statusCode` instead of `errorCode` (research §1.3, §4).
 */

/** One per-record error as collections and SaveResults carry it. */
export interface SalesforceRecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** A request-level failure: HTTP status plus the REST error body (or a SOAP fault). */
export class SalesforceApiError extends Error {
  /** HTTP status to answer with. */
  readonly status: number;
  /** Salesforce error code, e.g. `INVALID_SESSION_ID`. */
  readonly errorCode: string;
  /** Fields named by the error. */
  readonly fields: string[];

  constructor(status: number, errorCode: string, message: string, fields: string[] = []) {
    super(message);
    this.name = 'SalesforceApiError';
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }
}

/** Shorthand for a per-record error. */
export function recordError(
  statusCode: string,
  message: string,
  fields: string[] = [],
): SalesforceRecordError {
  return { statusCode, message, fields };
}

/** The REST JSON body for an API error. */
export function restErrorBody(
  error: SalesforceApiError,
): Array<{ message: string; errorCode: string; fields?: string[] }> {
  return [
    {
      message: error.message,
      errorCode: error.errorCode,
      ...(error.fields.length > 0 ? { fields: error.fields } : {}),
    },
  ];
}
