/**
 * Saving and loading emulator state as JSON, so a demo survives restarts (`dataFile`).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { HubSpotObjectStore, HubSpotPortalState } from './hubspot-emulator-portal-state.js';
import type {
  HubSpotApp,
  HubSpotRefreshTokenRecord,
  HubSpotTokenRecord,
  HubSpotTokenRegistry,
} from './hubspot-emulator-tokens.js';
import type {
  HubSpotObjectTypeInfo,
  HubSpotRecord,
  HubSpotWebhookSubscription,
} from './hubspot-emulator-types.js';
import type { HubSpotWebhookDispatcher, HubSpotWebhookSettings } from './hubspot-emulator-webhooks.js';

const FORMAT = 'milepost-hubspot-emulator/1';

interface SavedStore {
  info: HubSpotObjectTypeInfo;
  properties: unknown[];
  groups: unknown[];
  pipelines: unknown[];
  records: HubSpotRecord[];
  archivedRecords: HubSpotRecord[];
}

interface SavedPortal {
  hubId: number;
  tier: HubSpotPortalState['tier'];
  appKind: HubSpotPortalState['appKind'];
  scopes: string[];
  stores: SavedStore[];
  schemas: unknown[];
  associations: [string, [string, unknown[]][]][];
  associationLabels: [string, unknown[]][];
  owners: unknown[];
  flows: unknown[];
  counters: HubSpotPortalState['counters'];
  installedApps: number[];
}

/** The saved file. */
export interface HubSpotSavedState {
  format: typeof FORMAT;
  savedAt: string;
  portals: SavedPortal[];
  apps: HubSpotApp[];
  tokens: HubSpotTokenRecord[];
  refreshTokens: HubSpotRefreshTokenRecord[];
  webhookSettings: [number, HubSpotWebhookSettings][];
  webhookSubscriptions: [number, HubSpotWebhookSubscription[]][];
}

function saveStore(store: HubSpotObjectStore): SavedStore {
  return {
    info: store.info,
    properties: [...store.properties.values()],
    groups: [...store.groups.values()],
    pipelines: [...store.pipelines.values()],
    records: [...store.records.values()],
    archivedRecords: [...store.archivedRecords.values()],
  };
}

/** Captures the state as a JSON-ready object. */
export function snapshotState(
  portals: Iterable<HubSpotPortalState>,
  tokens: HubSpotTokenRegistry,
  webhooks: HubSpotWebhookDispatcher,
  now: number,
): HubSpotSavedState {
  return {
    format: FORMAT,
    savedAt: new Date(now).toISOString(),
    portals: [...portals].map((portal) => ({
      hubId: portal.hubId,
      tier: portal.tier,
      appKind: portal.appKind,
      scopes: portal.scopes,
      stores: [...portal.stores.values()].map(saveStore),
      schemas: [...portal.schemas.values()],
      associations: [...portal.associations].map(([key, edges]) => [key, [...edges]]),
      associationLabels: [...portal.associationLabels],
      owners: portal.owners,
      flows: [...portal.flows.values()],
      counters: portal.counters,
      installedApps: [...portal.installedApps],
    })),
    apps: [...tokens.apps.values()],
    tokens: [...tokens.tokens.values()],
    refreshTokens: [...tokens.refreshTokens.values()],
    webhookSettings: [...webhooks.settings],
    webhookSubscriptions: [...webhooks.subscriptions],
  };
}

/** Writes the state atomically (temp file + rename), so a crash never leaves half a file. */
export async function writeState(path: string, state: HubSpotSavedState): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(state));
  await rename(temporary, path);
}

/** Reads a saved state; undefined when the file does not exist. */
export async function readState(path: string): Promise<HubSpotSavedState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const state = JSON.parse(text) as HubSpotSavedState;
  if (state.format !== FORMAT)
    throw new Error(`${path} is not a HubSpot emulator data file (format ${String(state.format)}).`);
  return state;
}

/** Replaces a portal's contents with saved ones. */
export function restorePortal(portal: HubSpotPortalState, saved: SavedPortal): void {
  portal.tier = saved.tier;
  portal.appKind = saved.appKind;
  portal.scopes = saved.scopes;
  portal.stores = new Map(
    saved.stores.map((store) => {
      const restored: HubSpotObjectStore = {
        info: store.info,
        properties: new Map(
          (store.properties as { name: string }[]).map((property) => [property.name, property as never]),
        ),
        groups: new Map((store.groups as { name: string }[]).map((group) => [group.name, group as never])),
        pipelines: new Map(
          (store.pipelines as { id: string }[]).map((pipeline) => [pipeline.id, pipeline as never]),
        ),
        records: new Map(store.records.map((record) => [record.id, record])),
        archivedRecords: new Map(store.archivedRecords.map((record) => [record.id, record])),
        order: store.records.map((record) => Number(record.id)).sort((left, right) => left - right),
        unique: new Map(),
      };
      for (const property of restored.properties.values()) {
        if (!property.hasUniqueValue) continue;
        const index = new Map<string, string>();
        for (const record of restored.records.values()) {
          const value = record.properties[property.name];
          if (value) index.set(value, record.id);
        }
        restored.unique.set(property.name, index);
      }
      return [store.info.objectTypeId, restored];
    }),
  );
  portal.schemas = new Map(
    (saved.schemas as { objectTypeId: string }[]).map((schema) => [schema.objectTypeId, schema as never]),
  );
  portal.associations = new Map(
    saved.associations.map(([key, edges]) => [key, new Map(edges as [string, never][])]),
  );
  portal.associationLabels = new Map(saved.associationLabels as [string, never][]);
  portal.owners = saved.owners as never;
  portal.flows = new Map((saved.flows as { id: string }[]).map((flow) => [flow.id, flow as never]));
  portal.counters = saved.counters;
  portal.installedApps = new Set(saved.installedApps);
}
