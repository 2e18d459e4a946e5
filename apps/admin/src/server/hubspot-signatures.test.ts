import { hubSpotSignatureV3 as emulatorSignature } from '@milepost/hubspot-emulator';
import { describe, expect, it } from 'vitest';
import {
  checkHubSpotSignatureV3,
  HUBSPOT_SIGNATURE_MAX_AGE_MS,
  hubSpotSignatureV3,
} from './hubspot-signatures.js';

const secret = 'client-secret-1234';
const uri = 'https://milepost.example.com/hubspot/webhooks';
const body = '[{"eventId":1}]';
const now = 1_800_000_000_000;

describe('HubSpot v3 signatures', () => {
  it('computes what the emulator (and HubSpot) sends', () => {
    expect(hubSpotSignatureV3(secret, 'POST', uri, body, String(now))).toBe(
      emulatorSignature(secret, 'POST', uri, body, String(now)),
    );
  });

  it('accepts a fresh signature and refuses a forged, stale, future or missing one', () => {
    const signature = hubSpotSignatureV3(secret, 'POST', uri, body, String(now));
    const request = { method: 'POST', uri, body, signature, timestamp: String(now) };
    expect(checkHubSpotSignatureV3(secret, request, now + 1000)).toBe('ok');
    expect(checkHubSpotSignatureV3('other-secret', request, now)).toBe('mismatch');
    expect(checkHubSpotSignatureV3(secret, { ...request, body: `${body} ` }, now)).toBe('mismatch');
    expect(checkHubSpotSignatureV3(secret, { ...request, uri: `${uri}?x=1` }, now)).toBe('mismatch');
    expect(checkHubSpotSignatureV3(secret, { ...request, method: 'GET' }, now)).toBe('mismatch');
    expect(checkHubSpotSignatureV3(secret, request, now + HUBSPOT_SIGNATURE_MAX_AGE_MS + 1)).toBe('stale');
    expect(checkHubSpotSignatureV3(secret, request, now - HUBSPOT_SIGNATURE_MAX_AGE_MS - 1)).toBe('stale');
    expect(checkHubSpotSignatureV3(secret, { ...request, signature: undefined }, now)).toBe('missing');
    expect(checkHubSpotSignatureV3(secret, { ...request, timestamp: 'soon' }, now)).toBe('missing');
    expect(checkHubSpotSignatureV3(secret, { ...request, signature: 'short' }, now)).toBe('mismatch');
  });

  it('accepts the URI as received and with the escapes HubSpot decodes', () => {
    const query = `${uri}?portalId=1&userEmail=ana%40example.com`;
    const decoded = `${uri}?portalId=1&userEmail=ana@example.com`;
    for (const signed of [query, decoded]) {
      const signature = hubSpotSignatureV3(secret, 'GET', signed, '', String(now));
      expect(
        checkHubSpotSignatureV3(
          secret,
          { method: 'GET', uri: query, body: '', signature, timestamp: String(now) },
          now,
        ),
      ).toBe('ok');
    }
  });
});
