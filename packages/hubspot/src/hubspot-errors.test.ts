import { describe, expect, test } from 'vitest';
import { hubSpotError, redactHubSpotPath } from './hubspot-errors.js';

describe('redactHubSpotPath', () => {
  test('tokens in token-information paths never reach a message or a log', () => {
    expect(redactHubSpotPath('/oauth/v1/access-tokens/pat-na1-secret-123')).toBe('/oauth/v1/access-tokens/…');
    expect(redactHubSpotPath('/oauth/v1/refresh-tokens/r-secret?x=1')).toBe('/oauth/v1/refresh-tokens/…?x=1');
    expect(redactHubSpotPath('/crm/objects/2026-09/companies')).toBe('/crm/objects/2026-09/companies');
    const error = hubSpotError(500, undefined, {
      method: 'GET',
      path: '/oauth/v1/access-tokens/pat-na1-secret-123',
    });
    expect(error.message).not.toContain('secret');
    expect(JSON.stringify(error.details)).not.toContain('secret');
  });
});

describe('hubSpotError', () => {
  test('maps statuses to codes people and programs can act on', () => {
    const request = { method: 'POST', path: '/crm/objects/2026-09/companies/batch/update' };
    expect(hubSpotError(401, undefined, request).code).toBe('AUTHENTICATION_FAILED');
    expect(
      hubSpotError(
        403,
        { message: "This app hasn't been granted all required scopes", category: 'MISSING_SCOPES' },
        request,
      ).code,
    ).toBe('PERMISSION_DENIED');
    expect(
      hubSpotError(429, { message: 'You have reached your daily limit.', policyName: 'DAILY' }, request).code,
    ).toBe('DAILY_LIMIT_REACHED');
    expect(
      hubSpotError(429, { message: 'ten secondly', policyName: 'TEN_SECONDLY_ROLLING' }, request),
    ).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(hubSpotError(502, undefined, request)).toMatchObject({
      code: 'VENDOR_UNAVAILABLE',
      retryable: true,
    });
    expect(hubSpotError(400, { message: 'Property values were not valid' }, request).message).toBe(
      'HubSpot rejected POST /crm/objects/2026-09/companies/batch/update with 400: Property values were not valid',
    );
  });
});
