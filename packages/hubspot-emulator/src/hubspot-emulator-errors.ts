/**
 * HubSpot's error bodies, in one place (research: hubspot-api.md §1.12, §2.2, and the bodies quoted in
 * the issues it cites). Handlers throw {@link HubSpotEmulatorHttpError}; the server turns it into JSON.
 */
import { randomUUID } from 'node:crypto';

/** One entry of an error body's `errors[]`. */
export interface HubSpotErrorDetail {
  message: string;
  code?: string;
  in?: string;
  subCategory?: string;
  context?: Record<string, unknown>;
}

/** The JSON body HubSpot answers with on a failure. */
export interface HubSpotErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  category?: string;
  subCategory?: string;
  errors?: HubSpotErrorDetail[];
  context?: Record<string, unknown>;
  links?: Record<string, string>;
  [extra: string]: unknown;
}

/** What a handler gives to build an error body (`status` and `correlationId` are filled in). */
export interface HubSpotErrorInput {
  message: string;
  category?: string;
  subCategory?: string;
  errors?: HubSpotErrorDetail[];
  context?: Record<string, unknown>;
  links?: Record<string, string>;
  correlationId?: string;
}

/** A failure with HubSpot's status code and body; thrown by handlers, answered by the server. */
export class HubSpotEmulatorHttpError extends Error {
  readonly status: number;
  readonly body: HubSpotErrorBody;
  constructor(status: number, body: HubSpotErrorInput) {
    super(body.message);
    this.name = 'HubSpotEmulatorHttpError';
    this.status = status;
    this.body = {
      status: 'error',
      correlationId: body.correlationId ?? randomUUID(),
      ...body,
    } as HubSpotErrorBody;
  }
}

/** 400 `VALIDATION_ERROR` with a free message. */
export function validationError(
  message: string,
  extra: Partial<HubSpotErrorInput> = {},
): HubSpotEmulatorHttpError {
  return new HubSpotEmulatorHttpError(400, { message, category: 'VALIDATION_ERROR', ...extra });
}

/** 404 `OBJECT_NOT_FOUND`. */
export function notFoundError(message = 'resource not found'): HubSpotEmulatorHttpError {
  return new HubSpotEmulatorHttpError(404, { message, category: 'OBJECT_NOT_FOUND' });
}

/** 409 `CONFLICT` (records) or `OBJECT_ALREADY_EXISTS` (definitions such as properties). */
export function conflictError(
  message: string,
  category: 'CONFLICT' | 'OBJECT_ALREADY_EXISTS' = 'CONFLICT',
): HubSpotEmulatorHttpError {
  return new HubSpotEmulatorHttpError(409, { message, category });
}

/** A per-property validation result, as HubSpot embeds it in "Property values were not valid". */
export interface HubSpotPropertyValidationResult {
  isValid: false;
  message: string;
  error: string;
  name: string;
  localizedErrorMessage: string;
  propertyValue?: string;
  portalId: number;
}

/**
 * The 400 for invalid property values. HubSpot serialises the results into the message and repeats them in
 * `errors[]` with `code` and `context.propertyName` (body quoted in Atlas-Authority/marketing-automation#206).
 */
export function propertyValuesError(results: HubSpotPropertyValidationResult[]): HubSpotEmulatorHttpError {
  return new HubSpotEmulatorHttpError(400, {
    message: `Property values were not valid: ${JSON.stringify(results)}`,
    category: 'VALIDATION_ERROR',
    errors: results.map((result) => ({
      message: result.message,
      code: result.error,
      context: { propertyName: [result.name] },
    })),
  });
}

/** 401 for a missing, unknown or revoked token (body of the real API, quoted in the research pages). */
export function invalidAuthenticationError(): HubSpotEmulatorHttpError {
  return new HubSpotEmulatorHttpError(401, {
    message:
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    category: 'INVALID_AUTHENTICATION',
  });
}

/** 401 for an OAuth access token past its 30 minutes. */
export function expiredAuthenticationError(expiredMinutesAgo: number): HubSpotEmulatorHttpError {
  const amount =
    expiredMinutesAgo >= 60
      ? `${Math.floor(expiredMinutesAgo / 60)} hour(s)`
      : `${Math.max(0, Math.floor(expiredMinutesAgo))} minute(s)`;
  return new HubSpotEmulatorHttpError(401, {
    message: `The OAuth token used to make this call expired ${amount} ago.`,
    category: 'EXPIRED_AUTHENTICATION',
  });
}

/** 403 `MISSING_SCOPES` listing the scopes of which one would do. */
export function missingScopesError(requiredScopes: readonly string[]): HubSpotEmulatorHttpError {
  return new HubSpotEmulatorHttpError(403, {
    message:
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    errors: [
      {
        message: 'One or more of the following scopes are required.',
        context: { requiredGranularScopes: [...requiredScopes] },
      },
    ],
    links: { scopes: 'https://developers.hubspot.com/scopes' },
    category: 'MISSING_SCOPES',
  });
}

/**
 * 403 when the portal's subscription tier lacks the API (spec `x-hubspot-product-tier-requirements`).
 * The exact production text was not verified; the shape and category follow HubSpot's other 403s.
 */
export function tierNotAllowedError(requiredTier: string, currentTier: string): HubSpotEmulatorHttpError {
  return new HubSpotEmulatorHttpError(403, {
    message: `This API requires a ${requiredTier.toUpperCase()} subscription; this account has ${currentTier.toUpperCase()}.`,
    category: 'FORBIDDEN',
    subCategory: 'PRODUCT_TIER_REQUIRED',
    context: { requiredTier: [requiredTier.toUpperCase()] },
  });
}

/** The 429 bodies HubSpot sends by policy (research §2.2). */
export function rateLimitBody(
  policyName: 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY',
  groupName: string,
): Record<string, unknown> {
  const message =
    policyName === 'TEN_SECONDLY_ROLLING'
      ? 'You have reached your ten_secondly_rolling limit.'
      : policyName === 'DAILY'
        ? 'You have reached your daily limit.'
        : 'You have reached your secondly limit.';
  return {
    status: 'error',
    message,
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName,
    groupName,
  };
}
