/**
 * Executes a schema plan against a portal with as few calls as HubSpot allows: property creates are
 * batched per object, a new pipeline is created with all its stages in one call, and records of a
 * removed stage are moved before the stage goes.
 */
import type { Plan, PlanChange, SchemaResource } from '@milepost/core';
import { z } from 'zod';
import {
  type HubSpotPaths,
  hubSpotPipelineProperties,
  hubSpotPipelineSchema,
  hubSpotPropertySchema,
} from './hubspot-api.js';
import { HUBSPOT_PROPERTY_GROUP } from './hubspot-schema.js';
import type { HubSpotTransport } from './hubspot-transport.js';

/** Progress of an apply, one call per finished change. */
export type HubSpotApplyProgress = (event: {
  change: PlanChange;
  index: number;
  total: number;
  status: 'done' | 'failed';
  error?: string;
}) => void;

/** What an apply did, per change. */
export interface HubSpotApplyResult {
  applied: PlanChange[];
  failed: Array<{ change: PlanChange; error: string }>;
}

/** The stable pipeline id Milepost gives a journey's pipeline, so re-runs find it again. */
export function hubSpotPipelineId(journeyKey: string): string {
  return `milepost-${journeyKey}`;
}

/** The stable stage id of a journey stage, so a renamed stage keeps its identity and its records. */
export function hubSpotStageId(journeyKey: string, stageKey: string): string {
  return `milepost-${journeyKey}-${stageKey}`;
}

interface ParsedId {
  kind: string;
  objectType: string;
  name: string;
  stage?: string;
}

function parseId(id: string): ParsedId {
  const [kind = '', objectType = '', name = '', stage] = id.split(':');
  return { kind, objectType, name, stage };
}

function propertyBody(resource: SchemaResource, name: string): Record<string, unknown> {
  return { name, ...resource.attributes };
}

/** Applies `plan`; a failed change is reported and the rest continue when they do not depend on it. */
export async function applyHubSpotSchemaPlan(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  plan: Plan,
  onProgress?: HubSpotApplyProgress,
): Promise<HubSpotApplyResult> {
  const result: HubSpotApplyResult = { applied: [], failed: [] };
  const failedIds = new Set<string>();
  const total = plan.changes.length;
  let index = 0;
  const finish = (change: PlanChange, error?: unknown) => {
    index++;
    if (error === undefined) {
      result.applied.push(change);
      onProgress?.({ change, index, total, status: 'done' });
    } else {
      const message = error instanceof Error ? error.message : String(error);
      failedIds.add(change.resource.id);
      result.failed.push({ change, error: message });
      onProgress?.({ change, index, total, status: 'failed', error: message });
    }
  };
  const blocked = (change: PlanChange) => (change.resource.dependsOn ?? []).some((id) => failedIds.has(id));

  const changes = [...plan.changes];
  const createdPipelines = new Set<string>();
  for (let position = 0; position < changes.length; position++) {
    const change = changes[position]!;
    if (blocked(change)) {
      finish(change, new Error(`skipped: ${change.resource.dependsOn?.join(', ')} failed`));
      continue;
    }
    const id = parseId(change.resource.id);
    try {
      if (change.action === 'create' && id.kind === 'property') {
        // Batch consecutive property creates on the same object into one call (≤ 100 inputs).
        const batch = [change];
        while (batch.length < 100) {
          const next = changes[position + 1];
          if (next?.action !== 'create' || blocked(next)) break;
          const nextId = parseId(next.resource.id);
          if (nextId.kind !== 'property' || nextId.objectType !== id.objectType) break;
          batch.push(next);
          position++;
        }
        const response = await transport.request({
          method: 'POST',
          path: paths.propertiesBatchCreate(id.objectType),
          body: { inputs: batch.map((item) => propertyBody(item.resource, parseId(item.resource.id).name)) },
          schema: z.object({
            results: z.array(hubSpotPropertySchema),
            errors: z
              .array(
                z.object({
                  message: z.string(),
                  context: z.record(z.string(), z.array(z.string())).nullish(),
                }),
              )
              .nullish(),
          }),
        });
        const created = new Set(response.body.results.map((property) => property.name));
        for (const item of batch) {
          const name = parseId(item.resource.id).name;
          const failure = response.body.errors?.find(
            (error) => error.context?.name?.includes(name) || error.message.includes(`"${name}"`),
          );
          finish(
            item,
            created.has(name)
              ? undefined
              : new Error(failure?.message ?? `HubSpot did not create property ${name}`),
          );
        }
        continue;
      }
      await applyOne(change, id);
      finish(change);
    } catch (error) {
      finish(change, error);
    }
  }
  return result;

  async function applyOne(change: PlanChange, id: ParsedId): Promise<void> {
    const { resource } = change;
    switch (`${change.action} ${id.kind}`) {
      case 'create property-group':
        await transport.request({
          method: 'POST',
          path: paths.propertyGroups(id.objectType),
          body: { name: id.name, label: resource.attributes.label, displayOrder: -1 },
          accept: [409],
        });
        return;
      case 'update property-group':
        await transport.request({
          method: 'PATCH',
          path: paths.propertyGroup(id.objectType, id.name),
          body: { label: resource.attributes.label },
        });
        return;
      case 'delete property-group':
        await transport.request({ method: 'DELETE', path: paths.propertyGroup(id.objectType, id.name) });
        return;
      case 'create property':
        await transport.request({
          method: 'POST',
          path: paths.properties(id.objectType),
          body: propertyBody(resource, id.name),
        });
        return;
      case 'update property': {
        const attributes =
          change.action === 'update'
            ? Object.fromEntries(change.attributes.map((attribute) => [attribute.attribute, attribute.after]))
            : {};
        await transport.request({
          method: 'PATCH',
          path: paths.property(id.objectType, id.name),
          body: attributes,
        });
        return;
      }
      case 'delete property':
        await transport.request({ method: 'DELETE', path: paths.property(id.objectType, id.name) });
        return;
      case 'create pipeline': {
        // Create the pipeline together with every stage the plan creates for it: one call instead of 1 + stages.
        const stages = plan.changes.filter(
          (other) => other.action === 'create' && other.resource.dependsOn?.includes(resource.id),
        );
        await transport.request({
          method: 'POST',
          path: paths.pipelines(id.objectType),
          body: {
            pipelineId: hubSpotPipelineId(id.name),
            label: resource.attributes.label,
            displayOrder: 99,
            stages: stages.map((stage) => ({
              stageId: hubSpotStageId(id.name, parseId(stage.resource.id).stage ?? ''),
              ...stage.resource.attributes,
            })),
          },
          schema: hubSpotPipelineSchema,
        });
        createdPipelines.add(resource.id);
        return;
      }
      case 'update pipeline':
        await transport.request({
          method: 'PATCH',
          path: paths.pipeline(id.objectType, hubSpotPipelineId(id.name)),
          body: { label: resource.attributes.label },
        });
        return;
      case 'delete pipeline':
        await transport.request({
          method: 'DELETE',
          path: paths.pipeline(id.objectType, hubSpotPipelineId(id.name)),
        });
        return;
      case 'create pipeline-stage':
        if (resource.dependsOn?.some((dependency) => createdPipelines.has(dependency))) return;
        await transport.request({
          method: 'POST',
          path: paths.pipelineStages(id.objectType, hubSpotPipelineId(id.name)),
          body: { stageId: hubSpotStageId(id.name, id.stage ?? ''), ...resource.attributes },
        });
        return;
      case 'update pipeline-stage':
        await transport.request({
          method: 'PATCH',
          path: paths.pipelineStage(
            id.objectType,
            hubSpotPipelineId(id.name),
            hubSpotStageId(id.name, id.stage ?? ''),
          ),
          body: resource.attributes,
        });
        return;
      case 'delete pipeline-stage': {
        const target = change.action === 'delete' ? change.movesTo : undefined;
        if (target) await moveStageRecords(id, parseId(target).stage ?? '');
        await transport.request({
          method: 'DELETE',
          path: paths.pipelineStage(
            id.objectType,
            hubSpotPipelineId(id.name),
            hubSpotStageId(id.name, id.stage ?? ''),
          ),
        });
        return;
      }
      case 'create workflow':
        // Created disabled: an admin reviews and turns it on in HubSpot.
        await transport.request({
          method: 'POST',
          path: paths.flows,
          body: { ...(resource.attributes.definition as object), isEnabled: false },
        });
        return;
      case 'update workflow': {
        // Updates need the current revisionId, and keep whatever the admin chose for isEnabled.
        const current = await transport.request({
          method: 'GET',
          path: paths.flow(resource.remoteId ?? ''),
          schema: z
            .object({ revisionId: z.union([z.string(), z.number()]), isEnabled: z.boolean() })
            .passthrough(),
        });
        await transport.request({
          method: 'PUT',
          path: paths.flow(resource.remoteId ?? ''),
          body: {
            ...(resource.attributes.definition as object),
            isEnabled: current.body.isEnabled,
            revisionId: current.body.revisionId,
          },
        });
        return;
      }
      case 'delete workflow':
        await transport.request({ method: 'DELETE', path: paths.flow(resource.remoteId ?? '') });
        return;
      default:
        throw new Error(`Milepost cannot ${change.action} a ${id.kind} yet`);
    }
  }

  async function moveStageRecords(id: ParsedId, targetStage: string): Promise<void> {
    const stageProperty = hubSpotPipelineProperties(id.objectType).stage;
    const from = hubSpotStageId(id.name, id.stage ?? '');
    const to = hubSpotStageId(id.name, targetStage);
    // Search is eventually consistent, so loop until a search finds nothing left in the stage.
    for (let round = 0; round < 100; round++) {
      const found = await transport.request({
        method: 'POST',
        path: paths.search(id.objectType),
        budget: 'search',
        body: {
          filterGroups: [{ filters: [{ propertyName: stageProperty, operator: 'EQ', value: from }] }],
          properties: [stageProperty],
          limit: 100,
        },
        schema: z.object({ total: z.number(), results: z.array(z.object({ id: z.string() })) }),
      });
      if (found.body.results.length === 0) return;
      await transport.request({
        method: 'POST',
        path: paths.batch(id.objectType, 'update'),
        body: {
          inputs: found.body.results.map((record) => ({
            id: record.id,
            properties: { [stageProperty]: to },
          })),
        },
      });
    }
  }
}

export { HUBSPOT_PROPERTY_GROUP };
