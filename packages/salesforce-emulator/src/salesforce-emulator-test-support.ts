import { zipSync } from 'fflate';
import { Connection } from 'jsforce';
import type { SalesforceEmulator } from './salesforce-emulator-types.js';

/**
 * Test helpers (not exported from the package): a jsforce connection to the emulator with fast
 * polling, and a Metadata API zip builder.
 */

/** A jsforce connection as the adapter would make it (API 63.0). */
export function connect(emulator: SalesforceEmulator, accessToken = emulator.defaultToken): Connection {
  const connection = new Connection({ instanceUrl: emulator.url, accessToken, version: '63.0' });
  connection.metadata.pollInterval = 20;
  connection.metadata.pollTimeout = 10_000;
  connection.bulk2.pollInterval = 20;
  connection.bulk2.pollTimeout = 10_000;
  return connection;
}

/** Builds a deploy zip from `path -> text` entries. */
export function buildZip(files: Record<string, string>): Buffer {
  const encoder = new TextEncoder();
  const entries: Record<string, Uint8Array> = {};
  for (const [path, text] of Object.entries(files)) entries[path] = encoder.encode(text);
  return Buffer.from(zipSync(entries));
}

/** A package.xml for the given `type -> members`. */
export function packageXml(types: Record<string, string[]>, version = '63.0'): string {
  const body = Object.entries(types)
    .map(
      ([name, members]) =>
        `<types>${members.map((member) => `<members>${member}</members>`).join('')}<name>${name}</name></types>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata">${body}<version>${version}</version></Package>`;
}

/** Wraps metadata XML in its root element with the Metadata namespace. */
export function metadataXml(root: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="http://soap.sforce.com/2006/04/metadata">${inner}</${root}>`;
}

/** Reads a caught error's Salesforce error code (jsforce sets `errorCode`; SOAP faults `sf:CODE`). */
export function errorCodeOf(error: unknown): string {
  const value =
    (error as { errorCode?: string; name?: string }).errorCode ?? (error as { name?: string }).name ?? '';
  return value.replace(/^sf:/, '');
}

/** Awaits a promise expected to reject and returns the error. */
export async function rejection(
  promise: PromiseLike<unknown>,
): Promise<Error & { errorCode?: string; data?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { errorCode?: string; data?: unknown };
  }
  throw new Error('Expected the call to fail');
}
