/**
 * HubSpot's failures → Milepost errors, in one place (research: hubspot-api.md §1.12, §2.2).
 */
import { MilepostError } from '@milepost/core';
import { type HubSpotErrorBody, hubSpotErrorBodySchema } from './hubspot-api.js';

/** Parses an error body, tolerating anything HubSpot or a proxy might send. */
export function parseHubSpotErrorBody(text: string): HubSpotErrorBody | undefined {
  try {
    const parsed = hubSpotErrorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A path safe to show: tokens that HubSpot puts in paths (token information) are masked. */
export function redactHubSpotPath(path: string): string {
  return path.replace(/(\/(?:access|refresh)-tokens\/)[^/?]+/, '$1…');
}

/** The Milepost error for a non-success HubSpot response. */
export function hubSpotError(
  status: number,
  body: HubSpotErrorBody | undefined,
  request: { method: string; path: string },
): MilepostError {
  const path = redactHubSpotPath(request.path);
  const where = `${request.method} ${path}`;
  const said = body?.message ? `: ${body.message}` : '';
  const details = {
    status,
    path,
    category: body?.category ?? undefined,
    correlationId: body?.correlationId ?? undefined,
  };
  if (status === 401) {
    return new MilepostError({
      code: 'AUTHENTICATION_FAILED',
      message: `HubSpot refused the access token (${where})${said}; give a valid token (HUBSPOT_ACCESS_TOKEN for the CLI, the connection in the admin app) or reinstall the app`,
      details,
    });
  }
  if (status === 403) {
    const tier =
      body?.category === 'FEATURE_NOT_ENABLED' ||
      /tier|subscription|not available/i.test(body?.message ?? '');
    return new MilepostError({
      code: tier ? 'CAPABILITY_MISSING' : 'PERMISSION_DENIED',
      message: tier
        ? `this HubSpot portal's subscription does not include this (${where})${said}`
        : `the token lacks a scope for ${where}${said}; grant the scope and reinstall`,
      details,
    });
  }
  if (status === 429) {
    const daily = body?.policyName === 'DAILY';
    return new MilepostError({
      code: daily ? 'DAILY_LIMIT_REACHED' : 'RATE_LIMITED',
      message: daily
        ? `HubSpot's daily API limit is spent (${where}); the rest resumes tomorrow, in the portal's time zone`
        : `HubSpot rate limit hit (${where})${said}`,
      details: { ...details, policyName: body?.policyName ?? undefined },
    });
  }
  if (status >= 500) {
    return new MilepostError({
      code: 'VENDOR_UNAVAILABLE',
      message: `HubSpot failed with ${status} (${where})${said}; retry later`,
      details,
    });
  }
  return new MilepostError({
    code: 'VENDOR_REJECTED',
    message: `HubSpot rejected ${where} with ${status}${said}`,
    details,
  });
}

/** Marks the error of a call that ran out of its deadline (see {@link isHubSpotDeadlineExceeded}). */
const DEADLINE_DETAIL = 'deadlineExceeded';

/**
 * The error of a call that could not settle by its deadline: `VENDOR_UNAVAILABLE` (retryable later),
 * with the last failure, if any, as its cause.
 */
export function hubSpotDeadlineError(
  request: { method: string; path: string },
  attempts: number,
  lastFailure: unknown,
): MilepostError {
  const path = redactHubSpotPath(request.path);
  const failure = lastFailure instanceof Error ? ` (last: ${lastFailure.message})` : '';
  return new MilepostError({
    code: 'VENDOR_UNAVAILABLE',
    message: `HubSpot did not answer ${request.method} ${path} within the call's deadline after ${attempts} attempt${attempts === 1 ? '' : 's'}${failure}; try again`,
    cause: lastFailure,
    details: { path, attempts, [DEADLINE_DETAIL]: true },
  });
}

/** True for the error of a HubSpot call that ran out of its deadline (the caller's budget, not HubSpot's failure). */
export function isHubSpotDeadlineExceeded(error: unknown): boolean {
  return (
    MilepostError.isInstance(error) &&
    error.code === 'VENDOR_UNAVAILABLE' &&
    error.details[DEADLINE_DETAIL] === true
  );
}
