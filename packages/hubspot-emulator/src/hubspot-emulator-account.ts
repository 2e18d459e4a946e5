/**
 * Owners, the limits-tracking endpoints (research: hubspot-api.md §1.1, §1.2, §6: install preflight)
 * and account details.
 */
import {
  CUSTOM_OBJECT_TYPE_LIMIT,
  CUSTOM_PROPERTY_LIMIT,
  PIPELINE_LIMITS,
} from './hubspot-emulator-catalog.js';
import { notFoundError } from './hubspot-emulator-errors.js';
import { json, queryFlag, queryInteger } from './hubspot-emulator-handler-utilities.js';
import { crmPaths, type HubSpotRoute } from './hubspot-emulator-routes.js';
import type { HubSpotOwner } from './hubspot-emulator-types.js';

function percentage(usage: number, limit: number): number {
  return limit === 0 ? 0 : Math.round((usage / limit) * 10_000) / 100;
}

function ownerView(owner: HubSpotOwner): HubSpotOwner {
  return structuredClone(owner);
}

/** Routes of owners, limits and account info. */
export function accountRoutes(): HubSpotRoute[] {
  const anyRead = () => ['crm.objects.owners.read'];
  return [
    {
      method: 'GET',
      paths: crmPaths('owners', ''),
      auth: 'token',
      scopes: anyRead,
      handle(context) {
        const email = context.query.get('email');
        const archived = queryFlag(context, 'archived');
        const limit = Math.min(Math.max(queryInteger(context, 'limit', 100), 1), 500);
        const after = Number(context.query.get('after') ?? '0') || 0;
        const all = context.portal.owners.filter(
          (owner) =>
            owner.archived === archived && (!email || owner.email.toLowerCase() === email.toLowerCase()),
        );
        const page = all.slice(after, after + limit);
        const body: Record<string, unknown> = { results: page.map(ownerView) };
        if (after + limit < all.length) body.paging = { next: { after: String(after + limit) } };
        return json(200, body);
      },
    },
    {
      method: 'GET',
      paths: crmPaths('owners', '/:ownerId'),
      auth: 'token',
      scopes: anyRead,
      handle(context) {
        const byUser = context.query.get('idProperty') === 'userId';
        const id = context.params.ownerId ?? '';
        const archived = queryFlag(context, 'archived');
        const owner = context.portal.owners.find(
          (candidate) =>
            (byUser ? String(candidate.userId) === id : candidate.id === id) &&
            candidate.archived === archived,
        );
        if (!owner) throw notFoundError(`Owner ${id} not found.`);
        return json(200, ownerView(owner));
      },
    },
    {
      method: 'GET',
      paths: crmPaths('limits', '/custom-properties'),
      auth: 'token',
      handle(context) {
        const byObjectType = [...context.portal.stores.values()].map((store) => {
          const usage = [...store.properties.values()].filter(
            (property) => !property.hubspotDefined && !property.archived,
          ).length;
          return {
            objectTypeId: store.info.objectTypeId,
            singularLabel: store.info.singularLabel,
            pluralLabel: store.info.pluralLabel,
            limit: CUSTOM_PROPERTY_LIMIT,
            usage,
            percentage: percentage(usage, CUSTOM_PROPERTY_LIMIT),
          };
        });
        const overallLimit = CUSTOM_PROPERTY_LIMIT * byObjectType.length;
        const overallUsage = byObjectType.reduce((sum, entry) => sum + entry.usage, 0);
        return json(200, {
          overallLimit,
          overallUsage,
          overallPercentage: percentage(overallUsage, overallLimit),
          byObjectType,
        });
      },
    },
    {
      method: 'GET',
      paths: crmPaths('limits', '/pipelines'),
      auth: 'token',
      handle(context) {
        const entries = [...context.portal.stores.values()]
          .filter((store) => store.info.hasPipelines)
          .map((store) => {
            const usage = [...store.pipelines.values()].filter((pipeline) => !pipeline.archived).length;
            const limit = store.info.custom ? 100 : (PIPELINE_LIMITS[context.portal.tier] ?? 1);
            return {
              objectTypeId: store.info.objectTypeId,
              singularLabel: store.info.singularLabel,
              pluralLabel: store.info.pluralLabel,
              limit,
              usage,
              percentage: percentage(usage, limit),
              custom: store.info.custom,
            };
          });
        const custom = entries.filter((entry) => entry.custom).map(({ custom: _custom, ...entry }) => entry);
        const overallLimit = custom.reduce((sum, entry) => sum + entry.limit, 0);
        const overallUsage = custom.reduce((sum, entry) => sum + entry.usage, 0);
        return json(200, {
          hubspotDefinedObjectTypes: entries
            .filter((entry) => !entry.custom)
            .map(({ custom: _custom, ...entry }) => entry),
          customObjectTypes: {
            overallLimit,
            overallUsage,
            overallPercentage: percentage(overallUsage, overallLimit),
            byObjectType: custom,
          },
        });
      },
    },
    {
      method: 'GET',
      paths: crmPaths('limits', '/custom-object-types'),
      auth: 'token',
      handle(context) {
        const limit = context.portal.tier === 'enterprise' ? CUSTOM_OBJECT_TYPE_LIMIT : 0;
        const usage = [...context.portal.schemas.values()].filter((schema) => !schema.archived).length;
        return json(200, { limit, usage, percentage: percentage(usage, limit) });
      },
    },
    {
      method: 'GET',
      paths: crmPaths('limits', '/records'),
      auth: 'token',
      handle(context) {
        const entries = [...context.portal.stores.values()].map((store) => ({
          objectTypeId: store.info.objectTypeId,
          singularLabel: store.info.singularLabel,
          pluralLabel: store.info.pluralLabel,
          usage: store.records.size,
          // Standard objects have no record cap in the emulator; custom objects get HubSpot's documented 500,000 per type.
          limit: store.info.custom ? 500_000 : 1_000_000_000,
        }));
        return json(200, {
          hubspotDefinedObjectTypes: entries
            .filter((entry) => !entry.objectTypeId.startsWith('2-'))
            .map((entry) => ({ ...entry, percentage: percentage(entry.usage, entry.limit) })),
          customObjectTypes: entries
            .filter((entry) => entry.objectTypeId.startsWith('2-'))
            .map((entry) => ({ ...entry, percentage: percentage(entry.usage, entry.limit) })),
        });
      },
    },
    {
      method: 'GET',
      paths: ['/account-info/v3/details', '/account-info/:version/details'],
      auth: 'token',
      handle(context) {
        return json(200, {
          portalId: context.portal.hubId,
          accountType: 'STANDARD',
          timeZone: 'UTC',
          companyCurrency: 'USD',
          additionalCurrencies: [],
          utcOffset: '+00:00',
          utcOffsetMilliseconds: 0,
          uiDomain: 'app.hubspot.com',
          dataHostingLocation: 'na1',
          // Not a HubSpot field: lets tests and the adapter's preflight see the emulated tier.
          emulatorTier: context.portal.tier,
        });
      },
    },
  ];
}
