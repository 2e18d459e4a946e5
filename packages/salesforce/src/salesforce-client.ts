/**
 * The jsforce connection Milepost uses: API version set explicitly, every request counted, jsforce's
 * own retries replaced by Milepost's (jsforce retries GETs for up to 15 s and never counts them,
 * research §0.9), and vendor errors turned into Milepost errors.
 */
import { MilepostError } from '@milepost/core';
import { Connection } from 'jsforce';
import { SALESFORCE_API_VERSION } from './salesforce-api.js';
import { toMilepostError } from './salesforce-errors.js';

/** How to reach an org. */
export interface SalesforceCredentials {
  instanceUrl: string;
  accessToken: string;
}

/** A connection with a call counter and retries. */
export interface SalesforceClient {
  readonly connection: Connection;
  /** Requests sent so far, retries included. */
  calls(): number;
  /**
   * Runs one vendor call, turning errors into MilepostErrors and retrying retryable ones
   * (`VENDOR_UNAVAILABLE`, `RATE_LIMITED`) up to `maxAttempts` times with back-off.
   */
  call<T>(action: string, run: (connection: Connection) => PromiseLike<T>): Promise<T>;
}

/** Options of {@link createSalesforceClient}. */
export interface SalesforceClientOptions {
  credentials: SalesforceCredentials;
  /** Attempts per call for retryable failures; default 4. */
  maxAttempts?: number;
  /** First back-off in milliseconds (doubled each attempt); default 500. */
  retryDelayMs?: number;
  /** Metadata deploy polling interval in milliseconds; default 1000. */
  pollIntervalMs?: number;
}

/** Creates a counted, retrying jsforce connection. */
export function createSalesforceClient(options: SalesforceClientOptions): SalesforceClient {
  const connection = new Connection({
    instanceUrl: options.credentials.instanceUrl.replace(/\/+$/, ''),
    accessToken: options.credentials.accessToken,
    version: SALESFORCE_API_VERSION,
  });
  connection.metadata.pollInterval = options.pollIntervalMs ?? 1000;
  connection.metadata.pollTimeout = 10 * 60_000;
  connection.bulk2.pollInterval = options.pollIntervalMs ?? 1000;
  connection.bulk2.pollTimeout = 30 * 60_000;
  let calls = 0;
  // Every request (REST, SOAP, Bulk) goes through the connection's transport: count it there, and
  // switch jsforce's silent retries off so each attempt is counted and bounded by Milepost.
  const transport = (connection as unknown as { _transport: TransportLike })._transport;
  const send = transport.httpRequest.bind(transport);
  transport.httpRequest = (request, requestOptions = {}) => {
    calls++;
    return send(request, { ...requestOptions, retry: { maxRetries: 0 } });
  };
  const maxAttempts = options.maxAttempts ?? 4;
  const retryDelay = options.retryDelayMs ?? 500;
  return {
    connection,
    calls: () => calls,
    async call(action, run) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await run(connection);
        } catch (error) {
          const failure = toMilepostError(error, action);
          if (!failure.retryable || attempt >= maxAttempts) throw failure;
          await new Promise((resolve) => setTimeout(resolve, retryDelay * 2 ** (attempt - 1)));
        }
      }
    },
  };
}

interface TransportLike {
  httpRequest(request: unknown, options?: Record<string, unknown>): unknown;
}

/** Trades OAuth client credentials for an access token (`grant_type=client_credentials`). */
export async function clientCredentialsToken(
  loginUrl: string,
  clientId: string,
  clientSecret: string,
  fetchImplementation: typeof fetch = fetch,
): Promise<SalesforceCredentials> {
  const response = await fetchImplementation(`${loginUrl.replace(/\/+$/, '')}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }),
  }).catch((cause: unknown) => {
    throw new MilepostError({
      code: 'VENDOR_UNAVAILABLE',
      message: `cannot reach ${loginUrl} for an OAuth token: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    });
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    instance_url?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new MilepostError({
      code: 'AUTHENTICATION_FAILED',
      message: `Salesforce refused the client credentials (${body.error ?? response.status}: ${body.error_description ?? 'no token'}); check SF_CLIENT_ID and SF_CLIENT_SECRET and that the connected app allows the client credentials flow`,
    });
  }
  return { accessToken: body.access_token, instanceUrl: body.instance_url ?? loginUrl };
}
