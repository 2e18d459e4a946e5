/**
 * HubSpot's v3 request signature (research: hubspot-api.md §1.9): base64 HMAC-SHA256 of
 * method + URI + raw body + `X-HubSpot-Request-Timestamp`, keyed with the app's client secret. Webhook
 * deliveries and the card's `hubspot.fetch` calls carry it; both are checked here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** HubSpot rejects nothing older itself; its guide says to refuse a timestamp older than this. */
export const HUBSPOT_SIGNATURE_MAX_AGE_MS = 5 * 60_000;

/** Computes the v3 signature of one request. */
export function hubSpotSignatureV3(
  clientSecret: string,
  method: string,
  uri: string,
  body: string,
  timestamp: string,
): string {
  return createHmac('sha256', clientSecret)
    .update(`${method}${uri}${body}${timestamp}`, 'utf8')
    .digest('base64');
}

// HubSpot's guide asks to decode these escapes in the URI before hashing, while its Node client
// hashes the URI as received; both forms are accepted (either still needs the client secret).
const DECODED_ESCAPES: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

function decodeUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (encoded) => DECODED_ESCAPES[encoded.toUpperCase()]!,
  );
}

/** What a request carries and where it was sent, to check its signature. */
export interface SignedRequest {
  method: string;
  /** The full URL HubSpot called: the server's public URL, the path and the query as received. */
  uri: string;
  /** The raw body text ('' for a GET). */
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
}

/** Why a signature was refused, or `ok`. */
export type SignatureCheck = 'ok' | 'missing' | 'stale' | 'mismatch';

function sameText(left: string, right: string): boolean {
  const a = Buffer.from(left, 'utf8');
  const b = Buffer.from(right, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a request's v3 signature in constant time, refusing timestamps more than five minutes away
 * from `nowMs` (in either direction: a clock ahead of ours is as suspect as a replay).
 */
export function checkHubSpotSignatureV3(
  clientSecret: string,
  request: SignedRequest,
  nowMs: number,
): SignatureCheck {
  const { signature, timestamp } = request;
  if (!signature || !timestamp || !/^\d{1,15}$/.test(timestamp)) return 'missing';
  if (Math.abs(nowMs - Number(timestamp)) > HUBSPOT_SIGNATURE_MAX_AGE_MS) return 'stale';
  const candidates = new Set([request.uri, decodeUri(request.uri)]);
  let matched = false;
  // Every candidate is compared (no early exit), so timing does not tell which form matched.
  for (const uri of candidates) {
    const expected = hubSpotSignatureV3(
      clientSecret,
      request.method.toUpperCase(),
      uri,
      request.body,
      timestamp,
    );
    if (sameText(expected, signature)) matched = true;
  }
  return matched ? 'ok' : 'mismatch';
}
