/**
 * One record at a time, for interactive callers such as the CRM card: read a record's properties,
 * read the ids it is associated with, and write journey outputs onto a customer record. Each call is
 * one request through the portal's transport (limiter, retries, validation, call count), so a caller's
 * deadline applies to it.
 */
import { type Journey, type Mapping, MilepostError } from '@milepost/core';
import {
  type HubSpotObject,
  type HubSpotPaths,
  hubSpotAssociationsReadSchema,
  hubSpotObjectSchema,
} from './hubspot-api.js';
import { hubSpotOutputProperties, hubSpotSchemaTarget } from './hubspot-schema.js';
import type { HubSpotTransport } from './hubspot-transport.js';

/** One record with the asked properties, or null when the portal has no such record (404). */
export async function readHubSpotRecord(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  objectType: string,
  recordId: string,
  properties: readonly string[],
): Promise<HubSpotObject | null> {
  const query = new URLSearchParams({ properties: properties.join(',') });
  const response = await transport.request({
    method: 'GET',
    path: `${paths.object(objectType, recordId)}?${query}`,
    schema: hubSpotObjectSchema,
    accept: [404],
  });
  return response.status === 404 ? null : response.body;
}

/**
 * Ids of the `toObjectType` records associated with one record, in HubSpot's order; empty when it has
 * none (HubSpot answers that with a 207 whose only entry is an error).
 */
export async function readHubSpotAssociatedIds(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  objectType: string,
  recordId: string,
  toObjectType: string,
): Promise<string[]> {
  const response = await transport.request({
    method: 'POST',
    path: paths.associationsBatch(objectType, toObjectType, 'read'),
    body: { inputs: [{ id: recordId }] },
    schema: hubSpotAssociationsReadSchema,
  });
  return response.body.results.flatMap((result) => result.to.map((to) => to.toObjectId));
}

/**
 * Writes journey outputs onto one customer record (the mapping's record object). Only the properties
 * a sync writes — the journey's outputs, {@link hubSpotOutputProperties} — may be written: any other
 * name is refused with `UNSAFE_CHANGE` before a call is made. Answers `not-found` for a 404.
 */
export async function writeHubSpotJourneyOutputs(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  journey: Journey,
  mapping: Mapping | undefined,
  recordId: string,
  properties: Readonly<Record<string, string | null>>,
): Promise<'updated' | 'not-found'> {
  const outputs = new Set(Object.values(hubSpotOutputProperties(journey, mapping)));
  const foreign = Object.keys(properties).filter((name) => !outputs.has(name));
  if (foreign.length > 0) {
    throw new MilepostError({
      code: 'UNSAFE_CHANGE',
      message: `${foreign.map((name) => `"${name}"`).join(', ')} ${foreign.length === 1 ? 'is not an output' : 'are not outputs'} of journey "${journey.key}"; Milepost writes only the journey's outputs on a record`,
      details: { properties: foreign },
    });
  }
  const response = await transport.request({
    method: 'PATCH',
    path: paths.object(hubSpotSchemaTarget(mapping).recordObject, recordId),
    body: { properties },
    schema: hubSpotObjectSchema,
    accept: [404],
  });
  return response.status === 404 ? 'not-found' : 'updated';
}
