/**
 * Helpers shared by the test files (not exported from the package).
 */
import { Client } from '@hubspot/api-client';
import {
  createHubSpotEmulator,
  type HubSpotEmulator,
  type HubSpotEmulatorOptions,
} from './hubspot-emulator.js';

/** An emulator with a real `@hubspot/api-client` pointed at it. */
export interface EmulatorFixture {
  emulator: HubSpotEmulator;
  client: Client;
  clientFor(token: string): Client;
  /** Raw fetch against the emulator with the default token. */
  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: unknown; headers: Headers }>;
}

/** Starts an emulator (rate limits off unless asked for) and a client. */
export async function startEmulator(options: HubSpotEmulatorOptions = {}): Promise<EmulatorFixture> {
  const emulator = await createHubSpotEmulator({ rateLimits: false, ...options });
  const clientFor = (token: string) =>
    new Client({ accessToken: token, basePath: emulator.url, numberOfApiCallRetries: 0 });
  return {
    emulator,
    client: clientFor(emulator.defaultToken),
    clientFor,
    async call(method, path, body, token = emulator.defaultToken) {
      const response = await fetch(`${emulator.url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? JSON.parse(text) : undefined,
        headers: response.headers,
      };
    },
  };
}

/** Runs a promise expected to reject with an `ApiException` and returns its code and body. */
export async function apiError(
  promise: Promise<unknown>,
): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as { code?: number; body?: unknown };
    if (typeof failure.code !== 'number') throw error;
    const body =
      typeof failure.body === 'string'
        ? (JSON.parse(failure.body) as Record<string, unknown>)
        : ((failure.body ?? {}) as Record<string, unknown>);
    return { code: failure.code, body };
  }
  throw new Error('Expected the call to fail');
}
