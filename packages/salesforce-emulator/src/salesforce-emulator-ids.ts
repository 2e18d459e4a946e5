/**
 * Salesforce record IDs: a 3-character key prefix, 12 characters, and a 3-character case-safe suffix.
 * The suffix algorithm is the documented one (each 5-character chunk's uppercase positions as a bit mask),
 * so 15- and 18-character forms interconvert the way real clients expect.
 */
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/;

/** Adds the 3-character case-safe suffix to a 15-character ID. */
export function toEighteenCharacterId(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let position = 0; position < 5; position++) {
      const character = id15.charAt(chunk * 5 + position);
      if (character >= 'A' && character <= 'Z') flags += 1 << position;
    }
    suffix += SUFFIX_ALPHABET.charAt(flags);
  }
  return id15 + suffix;
}

/** Returns the canonical 18-character form of an ID, or undefined when it is not shaped like an ID. */
export function normalizeSalesforceId(value: unknown): string | undefined {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) return undefined;
  const id15 = value.slice(0, 15);
  return toEighteenCharacterId(id15);
}

/** Encodes a counter as a fixed-width base62 string. */
export function toBase62(value: number, width: number): string {
  let remaining = Math.floor(value);
  let text = '';
  while (remaining > 0) {
    text = BASE62.charAt(remaining % 62) + text;
    remaining = Math.floor(remaining / 62);
  }
  return text.padStart(width, '0');
}

/** Builds an 18-character ID from a key prefix and a per-org counter (deterministic). */
export function buildSalesforceId(keyPrefix: string, podCode: string, counter: number): string {
  return toEighteenCharacterId(`${keyPrefix}${podCode}${toBase62(counter, 10)}`);
}
