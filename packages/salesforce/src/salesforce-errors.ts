/**
 * Salesforce errors → Milepost errors, in one place. jsforce throws errors whose `errorCode` (REST) or
 * `name` (SOAP faults, `sf:`-prefixed) carries the vendor code (research §1.2, §1.3, §4).
 */
import { MilepostError } from '@milepost/core';

/** Per-record status codes worth retrying: the record was fine, the org was busy. */
const RETRYABLE_RECORD_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
  'TXN_SECURITY_METERING_ERROR',
]);

/** True when a per-record failure (collections, Bulk API) may succeed on a retry. */
export function isRetryableRecordError(statusCode: string | null | undefined): boolean {
  return statusCode !== null && statusCode !== undefined && RETRYABLE_RECORD_CODES.has(statusCode);
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET']);

function vendorCode(error: { errorCode?: unknown; name?: unknown; code?: unknown }): string {
  const raw = String(error.errorCode ?? error.name ?? '');
  return raw.replace(/^sf:/, '');
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/socket hang up|ECONNRESET|ECONNREFUSED|other side closed|fetch failed|terminated/i.test(message))
    return 'ECONNRESET';
  return undefined;
}

/** Turns anything jsforce throws into a MilepostError with a stable code and a message that says what to do. */
export function toMilepostError(error: unknown, action: string): MilepostError {
  if (MilepostError.isInstance(error)) return error;
  const details = (error ?? {}) as { errorCode?: unknown; name?: unknown; message?: unknown };
  const code = vendorCode(details);
  const message = typeof details.message === 'string' ? details.message : String(error);
  const context = { vendorCode: code || undefined };
  switch (code) {
    case 'INVALID_SESSION_ID':
    case 'INVALID_AUTH_HEADER':
    case 'invalid_grant':
    case 'invalid_client':
      return new MilepostError({
        code: 'AUTHENTICATION_FAILED',
        message: `Salesforce refused the session while trying to ${action} (${code}): set SF_ACCESS_TOKEN to a fresh token, or SF_CLIENT_ID and SF_CLIENT_SECRET for client credentials`,
        cause: error,
        details: context,
      });
    case 'API_DISABLED_FOR_ORG':
    case 'API_CURRENTLY_DISABLED':
      return new MilepostError({
        code: 'CAPABILITY_MISSING',
        message:
          'this Salesforce org has no API access (Professional Edition without the API add-on): ask Salesforce for the API add-on, or deploy the generated package with `milepost export salesforce` and `sf project deploy start` and keep records in step by hand',
        cause: error,
        details: context,
      });
    case 'REQUEST_LIMIT_EXCEEDED': {
      const concurrent = /concurrent/i.test(message);
      return new MilepostError({
        code: concurrent ? 'RATE_LIMITED' : 'DAILY_LIMIT_REACHED',
        message: concurrent
          ? `Salesforce has too many long-running requests in this org while trying to ${action}; retry in a minute`
          : `the org's daily API request limit is spent (${message}) while trying to ${action}; re-run after the rolling 24-hour window frees requests, or ask Salesforce for more`,
        cause: error,
        details: context,
      });
    }
    case 'INSUFFICIENT_ACCESS':
    case 'INSUFFICIENT_ACCESS_OR_READONLY':
    case 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY':
      return new MilepostError({
        code: 'PERMISSION_DENIED',
        message: `the Salesforce user may not ${action} (${message}): give it "Modify Metadata Through Metadata API Functions" or "Modify All Data"`,
        cause: error,
        details: context,
      });
    case 'SERVER_UNAVAILABLE':
    case 'UNABLE_TO_LOCK_ROW':
      return new MilepostError({
        code: 'VENDOR_UNAVAILABLE',
        message: `Salesforce was unavailable while trying to ${action} (${message}); retry later`,
        cause: error,
        details: context,
      });
  }
  const network = networkCode(error);
  const status = Number((error as { statusCode?: unknown })?.statusCode ?? NaN);
  if (network || status >= 500 || /^5\d\d$/.test(code)) {
    return new MilepostError({
      code: 'VENDOR_UNAVAILABLE',
      message: `Salesforce did not answer while trying to ${action} (${network ?? message}); re-run: every write Milepost makes is idempotent`,
      cause: error,
      details: { ...context, network },
    });
  }
  return new MilepostError({
    code: 'VENDOR_REJECTED',
    message: `Salesforce rejected the request to ${action}: ${code ? `${code}: ` : ''}${message}`,
    cause: error,
    details: context,
  });
}
