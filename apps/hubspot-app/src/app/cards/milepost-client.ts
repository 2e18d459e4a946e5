/**
 * The card's two calls to the Milepost admin server (apps/admin/API.md, "HubSpot app"). They go through
 * `hubspot.fetch`, which HubSpot signs (`X-HubSpot-Signature-v3`) and proxies to a URL listed in
 * `permittedUrls.fetch`; the fetch function is a parameter so tests pass their own.
 */
import type { HubSpotFetchOptions } from '@hubspot/ui-extensions';
import {
  type CardActionRequest,
  type CardError,
  type CardState,
  cardErrorFromBody,
  isCardState,
} from './card-state.ts';

/** The shape of `hubspot.fetch`. */
export type MilepostFetch = (url: string, options?: HubSpotFetchOptions) => Promise<Response>;

/** What a call gives the card: the record's state, or why there is none. */
export type CardResult = { ok: true; state: CardState } | { ok: false; error: CardError };

/** Settings of {@link createMilepostClient}. */
export interface MilepostClientOptions {
  /** The admin server's public URL, without a trailing slash (`MILEPOST_BASE_URL`). */
  baseUrl: string;
  /** `hubspot.fetch` in a card; a fake in tests. */
  fetch: MilepostFetch;
}

/** The record a card is on, as the admin server names it. */
export interface CardRecord {
  objectType: string;
  objectId: string;
}

/** The client the card uses. */
export interface MilepostClient {
  /** GET /hubspot/card: the journey state of the record. */
  getCard(record: CardRecord): Promise<CardResult>;
  /** POST /hubspot/card/actions: runs an action and answers the record's new state. */
  runAction(request: CardActionRequest): Promise<CardResult>;
}

// HubSpot's ids for the standard objects; the admin server speaks their API names ('companies', 'tickets').
const STANDARD_OBJECT_TYPES: Record<string, string> = {
  '0-1': 'contacts',
  '0-2': 'companies',
  '0-3': 'deals',
  '0-5': 'tickets',
};

// Below HubSpot's 15 s ceiling for hubspot.fetch, so the card reports the timeout itself with a retry,
// and above the server's own 12 s deadline, so the server's answer (504 TIMEOUT) arrives first.
const REQUEST_TIMEOUT_MS = 14_000;

/** The record from the card's extension context (`context.crm`): `objectTypeId` '0-2' → 'companies'. */
export function cardRecordFromContext(crm: { objectId: number | string; objectTypeId: string }): CardRecord {
  return {
    objectType: STANDARD_OBJECT_TYPES[crm.objectTypeId] ?? crm.objectTypeId,
    objectId: String(crm.objectId),
  };
}

/** Creates the client; nothing is called until a method is. */
export function createMilepostClient(options: MilepostClientOptions): MilepostClient {
  const call = async (url: string, init: HubSpotFetchOptions): Promise<CardResult> => {
    let response: Response;
    try {
      response = await options.fetch(url, { timeout: REQUEST_TIMEOUT_MS, ...init });
    } catch (error) {
      const reason = error instanceof Error && error.message ? ` (${error.message})` : '';
      return {
        ok: false,
        error: { code: 'NETWORK_ERROR', message: `Milepost could not be reached${reason}. Try again.` },
      };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (!response.ok)
      return {
        ok: false,
        error: cardErrorFromBody(body) ?? {
          code: response.status >= 500 ? 'NETWORK_ERROR' : 'INVALID_RESPONSE',
          message: `Milepost answered ${response.status}. Try again; if it persists, check the Milepost server.`,
        },
      };
    if (!isCardState(body))
      return {
        ok: false,
        error: {
          code: 'INVALID_RESPONSE',
          message: 'Milepost answered with data this card does not understand; the app may need an update.',
        },
      };
    return { ok: true, state: body };
  };

  return {
    getCard(record) {
      const query = new URLSearchParams({ objectType: record.objectType, objectId: record.objectId });
      return call(`${options.baseUrl}/hubspot/card?${query}`, { method: 'GET' });
    },
    runAction(request) {
      return call(`${options.baseUrl}/hubspot/card/actions`, { method: 'POST', body: { ...request } });
    },
  };
}
