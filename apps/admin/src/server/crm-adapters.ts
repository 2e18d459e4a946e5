/** The adapters behind stored connections; never reads the server's own environment for CRM settings. */
import type { MilepostAdapter } from '@milepost/core';
import { createHubSpotAdapter } from '@milepost/hubspot';
import { createSalesforceAdapter } from '@milepost/salesforce';
import type { ConnectionWithSecrets } from './admin-context.js';

/** How an OAuth connection gets a fresh access token (the HubSpot install flow supplies it). */
export type AccessTokenProvider = (connection: ConnectionWithSecrets) => () => Promise<string>;

/** Options of {@link createAdapterFactory}. */
export interface AdapterFactoryOptions {
  /** Fresh tokens for OAuth connections; without it their stored access token is used as is. */
  oauthAccessToken?: AccessTokenProvider;
  /** Salesforce polling interval (the emulators answer at once; tests and the demo shorten it). */
  salesforcePollIntervalMs?: number;
}

/** Builds adapters from connections. */
export function createAdapterFactory(options: AdapterFactoryOptions = {}) {
  return (connection: ConnectionWithSecrets): MilepostAdapter => {
    const secret = (name: string) => {
      const value = connection.secrets[name];
      return typeof value === 'string' ? value : undefined;
    };
    if (connection.target === 'hubspot') {
      const stored = secret('accessToken');
      return createHubSpotAdapter({
        baseUrl: connection.baseUrl,
        env: {},
        ...(connection.auth === 'oauth' && options.oauthAccessToken
          ? { accessToken: options.oauthAccessToken(connection) }
          : stored
            ? { accessToken: stored }
            : {}),
      });
    }
    const accessToken = secret('accessToken');
    const clientId = secret('clientId');
    const clientSecret = secret('clientSecret');
    return createSalesforceAdapter({
      instanceUrl: connection.baseUrl,
      env: {},
      ...(accessToken ? { accessToken } : {}),
      ...(clientId ? { clientId } : {}),
      ...(clientSecret ? { clientSecret } : {}),
      ...(options.salesforcePollIntervalMs !== undefined
        ? { pollIntervalMs: options.salesforcePollIntervalMs }
        : {}),
    });
  };
}
