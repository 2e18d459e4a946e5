/**
 * Pipelines and stages (research: hubspot-api.md §1.2): deals, tickets and custom objects; stage
 * metadata rules (deals need `probability` 0.0–1.0, tickets take `ticketState` OPEN/CLOSED), display
 * ordering, the per-tier pipeline count, and refusal to delete a stage or pipeline still holding records
 * (on by default from API version 2026-09, opt-in with `validate…BeforeDelete=true` on v3 — changelog
 * "pipeline-stage-validation-true").
 */
import { PIPELINE_LIMITS } from './hubspot-emulator-catalog.js';
import {
  conflictError,
  notFoundError,
  tierNotAllowedError,
  validationError,
} from './hubspot-emulator-errors.js';
import {
  bodyObject,
  json,
  nowIso,
  requireStore,
  storeOrUndefined,
} from './hubspot-emulator-handler-utilities.js';
import {
  addPipeline,
  addStageProperties,
  type HubSpotObjectStore,
  type HubSpotPortalState,
} from './hubspot-emulator-portal-state.js';
import { crmPaths, type HubSpotHandlerContext, type HubSpotRoute } from './hubspot-emulator-routes.js';
import type { HubSpotPipeline, HubSpotPipelineStage } from './hubspot-emulator-types.js';

/** The API view of a pipeline: stages in display order, archived ones hidden. */
export function pipelineView(pipeline: HubSpotPipeline): Record<string, unknown> {
  return {
    ...pipeline,
    stages: pipeline.stages
      .filter((stage) => !stage.archived)
      .sort((left, right) => left.displayOrder - right.displayOrder)
      .map(stageView),
  };
}

function stageView(stage: HubSpotPipelineStage): Record<string, unknown> {
  return { ...stage, metadata: { ...stage.metadata } };
}

function pipelineStore(context: HubSpotHandlerContext): HubSpotObjectStore {
  const store = requireStore(context);
  if (!store.info.hasPipelines)
    throw validationError(`Object type ${store.info.objectTypeId} does not support pipelines.`);
  return store;
}

function requirePipeline(store: HubSpotObjectStore, pipelineId: string): HubSpotPipeline {
  const pipeline = store.pipelines.get(pipelineId);
  if (!pipeline || pipeline.archived)
    throw notFoundError(`Unable to find pipeline ${pipelineId} for object type ${store.info.objectTypeId}`);
  return pipeline;
}

function requireStage(pipeline: HubSpotPipeline, stageId: string): HubSpotPipelineStage {
  const stage = pipeline.stages.find((candidate) => candidate.id === stageId && !candidate.archived);
  if (!stage) throw notFoundError(`Unable to find stage ${stageId} in pipeline ${pipeline.id}`);
  return stage;
}

/** Validates stage metadata by object type and returns it with string values. */
function stageMetadata(store: HubSpotObjectStore, raw: unknown, label: string): Record<string, string> {
  if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw validationError('Some required fields were not set: [metadata]');
  }
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) metadata[key] = String(value);
  if (store.info.objectTypeId === '0-3') {
    const probability = metadata.probability;
    const number = Number(probability);
    if (probability === undefined || probability === '' || Number.isNaN(number) || number < 0 || number > 1) {
      throw validationError(
        `Invalid metadata for stage "${label}": deal stages need a "probability" between 0.0 and 1.0 (got ${probability === undefined ? 'none' : JSON.stringify(probability)}).`,
      );
    }
    if (metadata.isClosed === undefined) metadata.isClosed = String(number === 1 || number === 0);
  }
  if (store.info.objectTypeId === '0-5') {
    const state = metadata.ticketState ?? 'OPEN';
    if (state !== 'OPEN' && state !== 'CLOSED') {
      throw validationError(
        `Invalid metadata for stage "${label}": ticketState must be OPEN or CLOSED (got "${state}").`,
      );
    }
    metadata.ticketState = state;
  }
  return metadata;
}

function stageIdTaken(store: HubSpotObjectStore, stageId: string): boolean {
  for (const pipeline of store.pipelines.values())
    if (pipeline.stages.some((stage) => stage.id === stageId)) return true;
  return false;
}

function buildStage(
  portal: HubSpotPortalState,
  store: HubSpotObjectStore,
  raw: unknown,
  now: string,
  existing?: HubSpotPipelineStage,
): HubSpotPipelineStage {
  const input = (raw ?? {}) as Record<string, unknown>;
  const missing = ['label', 'displayOrder', 'metadata'].filter(
    (field) => input[field] === undefined || input[field] === null,
  );
  if (missing.length > 0) throw validationError(`Some required fields were not set: [${missing.join(', ')}]`);
  if (typeof input.label !== 'string' || input.label.trim() === '')
    throw validationError('Stage label must be a non-empty string.');
  if (typeof input.displayOrder !== 'number') throw validationError('Stage displayOrder must be a number.');
  const metadata = stageMetadata(store, input.metadata, input.label);
  let id = existing?.id;
  if (!id) {
    if (typeof input.stageId === 'string' && input.stageId !== '') {
      if (stageIdTaken(store, input.stageId))
        throw conflictError(`A stage with id ${input.stageId} already exists.`);
      id = input.stageId;
    } else {
      portal.counters.stage += 1;
      id = String(portal.counters.stage);
    }
  }
  return {
    id,
    label: input.label,
    displayOrder: input.displayOrder,
    metadata,
    archived: false,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    writePermissions:
      typeof input.writePermissions === 'string' ? input.writePermissions : 'CRM_PERMISSIONS_ENFORCEMENT',
  };
}

function checkUniqueLabels(stages: readonly HubSpotPipelineStage[]): void {
  const seen = new Set<string>();
  for (const stage of stages) {
    if (stage.archived) continue;
    const key = stage.label.trim().toLowerCase();
    if (seen.has(key))
      throw validationError(`Stage labels must be unique within a pipeline: "${stage.label}" is used twice.`);
    seen.add(key);
  }
}

function checkPipelineLabel(store: HubSpotObjectStore, label: string, except?: string): void {
  for (const pipeline of store.pipelines.values()) {
    if (
      !pipeline.archived &&
      pipeline.id !== except &&
      pipeline.label.trim().toLowerCase() === label.trim().toLowerCase()
    ) {
      throw conflictError(
        `A pipeline with label "${label}" already exists for object type ${store.info.objectTypeId}.`,
      );
    }
  }
}

/** Counts active records in a stage (or a whole pipeline when stageId is omitted). */
function recordsUsing(store: HubSpotObjectStore, pipelineId: string, stageId?: string): number {
  const { pipelineProperty, stageProperty } = store.info;
  if (!pipelineProperty || !stageProperty) return 0;
  let count = 0;
  for (const record of store.records.values()) {
    if (
      stageId !== undefined
        ? record.properties[stageProperty] === stageId
        : record.properties[pipelineProperty] === pipelineId
    )
      count++;
  }
  return count;
}

function shouldValidateReferences(context: HubSpotHandlerContext): boolean {
  const explicit =
    context.query.get('validateDealStageUsagesBeforeDelete') ??
    context.query.get('validateReferencesBeforeDelete');
  if (explicit !== null) return explicit === 'true';
  // The 2026-09 version flipped the default to true; v3 keeps false.
  return context.dated;
}

function refuseIfInUse(
  store: HubSpotObjectStore,
  pipeline: HubSpotPipeline,
  stage: HubSpotPipelineStage | undefined,
): void {
  const count = recordsUsing(store, pipeline.id, stage?.id);
  if (count === 0) return;
  const what = stage
    ? `Stage ${stage.id} ("${stage.label}")`
    : `Pipeline ${pipeline.id} ("${pipeline.label}")`;
  throw validationError(
    `${what} is in use by ${count} ${store.info.pluralLabel.toLowerCase()} and cannot be deleted. Move the records first, or pass ${store.info.objectTypeId === '0-3' ? 'validateDealStageUsagesBeforeDelete' : 'validateReferencesBeforeDelete'}=false.`,
    { subCategory: 'PipelineError.STAGE_IN_USE', context: { count: [String(count)] } },
  );
}

const readScopes = (context: HubSpotHandlerContext) => storeOrUndefined(context)?.info.schemaReadScopes;
const writeScopes = (context: HubSpotHandlerContext) => storeOrUndefined(context)?.info.schemaWriteScopes;

function checkTier(context: HubSpotHandlerContext, store: HubSpotObjectStore): void {
  // Custom object pipelines are Enterprise only (research §0.5).
  if (store.info.custom && context.portal.tier !== 'enterprise')
    throw tierNotAllowedError('enterprise', context.portal.tier);
}

/** Routes of the pipelines API. */
export function pipelineRoutes(): HubSpotRoute[] {
  const base = '/:objectType';
  const one = '/:objectType/:pipelineId';
  const stages = '/:objectType/:pipelineId/stages';
  const stage = '/:objectType/:pipelineId/stages/:stageId';
  return [
    {
      method: 'GET',
      paths: crmPaths('pipelines', base),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        const store = pipelineStore(context);
        const results = [...store.pipelines.values()]
          .filter((pipeline) => !pipeline.archived)
          .sort((left, right) => left.displayOrder - right.displayOrder)
          .map(pipelineView);
        return json(200, { results });
      },
    },
    {
      method: 'POST',
      paths: crmPaths('pipelines', base),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = pipelineStore(context);
        checkTier(context, store);
        const input = bodyObject(context);
        const missing = ['label', 'displayOrder', 'stages'].filter(
          (field) => input[field] === undefined || input[field] === null,
        );
        if (missing.length > 0)
          throw validationError(`Some required fields were not set: [${missing.join(', ')}]`);
        if (typeof input.label !== 'string' || input.label.trim() === '')
          throw validationError('Pipeline label must be a non-empty string.');
        if (!Array.isArray(input.stages) || input.stages.length === 0)
          throw validationError('A pipeline needs at least one stage.');
        const active = [...store.pipelines.values()].filter((pipeline) => !pipeline.archived).length;
        const limit = store.info.custom ? 100 : (PIPELINE_LIMITS[context.portal.tier] ?? 1);
        if (active >= limit) {
          throw validationError(
            `You have reached the limit of ${limit} ${store.info.singularLabel.toLowerCase()} pipeline${limit === 1 ? '' : 's'} for your ${context.portal.tier} subscription.`,
            { subCategory: 'PipelineError.PIPELINE_LIMIT_REACHED' },
          );
        }
        checkPipelineLabel(store, input.label);
        const now = nowIso(context);
        let id: string;
        if (typeof input.pipelineId === 'string' && input.pipelineId !== '') {
          if (store.pipelines.has(input.pipelineId))
            throw conflictError(`A pipeline with id ${input.pipelineId} already exists.`);
          id = input.pipelineId;
        } else {
          context.portal.counters.pipeline += 1;
          id = String(context.portal.counters.pipeline);
        }
        const builtStages: HubSpotPipelineStage[] = [];
        for (const raw of input.stages) {
          const built = buildStage(context.portal, store, raw, now);
          if (builtStages.some((existing) => existing.id === built.id))
            throw conflictError(`A stage with id ${built.id} already exists.`);
          builtStages.push(built);
        }
        checkUniqueLabels(builtStages);
        const pipeline: HubSpotPipeline = {
          id,
          label: input.label,
          displayOrder: typeof input.displayOrder === 'number' ? input.displayOrder : 0,
          archived: false,
          createdAt: now,
          updatedAt: now,
          stages: builtStages,
        };
        addPipeline(store, pipeline);
        return json(201, pipelineView(pipeline));
      },
    },
    {
      method: 'GET',
      paths: crmPaths('pipelines', one),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        return json(
          200,
          pipelineView(requirePipeline(pipelineStore(context), context.params.pipelineId ?? '')),
        );
      },
    },
    {
      method: 'PUT',
      paths: crmPaths('pipelines', one),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = pipelineStore(context);
        checkTier(context, store);
        const pipeline = requirePipeline(store, context.params.pipelineId ?? '');
        const input = bodyObject(context);
        const missing = ['label', 'displayOrder', 'stages'].filter(
          (field) => input[field] === undefined || input[field] === null,
        );
        if (missing.length > 0)
          throw validationError(`Some required fields were not set: [${missing.join(', ')}]`);
        if (!Array.isArray(input.stages) || input.stages.length === 0)
          throw validationError('A pipeline needs at least one stage.');
        checkPipelineLabel(store, String(input.label), pipeline.id);
        const now = nowIso(context);
        const next = input.stages.map((raw) => {
          const stageId = (raw as Record<string, unknown>)?.stageId;
          const existing =
            typeof stageId === 'string'
              ? pipeline.stages.find((candidate) => candidate.id === stageId)
              : undefined;
          return buildStage(context.portal, store, raw, now, existing);
        });
        checkUniqueLabels(next);
        const removed = pipeline.stages.filter(
          (old) => !old.archived && !next.some((candidate) => candidate.id === old.id),
        );
        if (shouldValidateReferences(context)) for (const old of removed) refuseIfInUse(store, pipeline, old);
        for (const old of removed) {
          old.archived = true;
          old.updatedAt = now;
        }
        pipeline.stages = [...next, ...pipeline.stages.filter((old) => old.archived)];
        pipeline.label = String(input.label);
        pipeline.displayOrder = Number(input.displayOrder);
        pipeline.updatedAt = now;
        for (const built of next) addStageProperties(store, built);
        return json(200, pipelineView(pipeline));
      },
    },
    {
      method: 'PATCH',
      paths: crmPaths('pipelines', one),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = pipelineStore(context);
        const pipeline = requirePipeline(store, context.params.pipelineId ?? '');
        const input = bodyObject(context);
        if (typeof input.label === 'string') {
          checkPipelineLabel(store, input.label, pipeline.id);
          pipeline.label = input.label;
        }
        if (typeof input.displayOrder === 'number') pipeline.displayOrder = input.displayOrder;
        if (typeof input.archived === 'boolean') pipeline.archived = input.archived;
        pipeline.updatedAt = nowIso(context);
        return json(200, pipelineView(pipeline));
      },
    },
    {
      method: 'DELETE',
      paths: crmPaths('pipelines', one),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = pipelineStore(context);
        const pipeline = requirePipeline(store, context.params.pipelineId ?? '');
        const active = [...store.pipelines.values()].filter((candidate) => !candidate.archived);
        if (active.length <= 1 && !store.info.custom)
          throw validationError('The last pipeline of an object type cannot be deleted.');
        if (shouldValidateReferences(context)) refuseIfInUse(store, pipeline, undefined);
        pipeline.archived = true;
        pipeline.updatedAt = nowIso(context);
        return json(204);
      },
    },
    {
      method: 'GET',
      paths: crmPaths('pipelines', stages),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        const pipeline = requirePipeline(pipelineStore(context), context.params.pipelineId ?? '');
        return json(200, { results: (pipelineView(pipeline).stages as unknown[]) ?? [] });
      },
    },
    {
      method: 'POST',
      paths: crmPaths('pipelines', stages),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = pipelineStore(context);
        checkTier(context, store);
        const pipeline = requirePipeline(store, context.params.pipelineId ?? '');
        const now = nowIso(context);
        const built = buildStage(context.portal, store, bodyObject(context), now);
        checkUniqueLabels([...pipeline.stages, built]);
        pipeline.stages.push(built);
        pipeline.updatedAt = now;
        addStageProperties(store, built);
        return json(201, stageView(built));
      },
    },
    {
      method: 'GET',
      paths: crmPaths('pipelines', stage),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        const pipeline = requirePipeline(pipelineStore(context), context.params.pipelineId ?? '');
        return json(200, stageView(requireStage(pipeline, context.params.stageId ?? '')));
      },
    },
    ...(['PUT', 'PATCH'] as const).map(
      (method): HubSpotRoute => ({
        method,
        paths: crmPaths('pipelines', stage),
        auth: 'token',
        scopes: writeScopes,
        write: true,
        handle(context) {
          const store = pipelineStore(context);
          const pipeline = requirePipeline(store, context.params.pipelineId ?? '');
          const existing = requireStage(pipeline, context.params.stageId ?? '');
          const input = bodyObject(context);
          // PATCH merges into the stage; PUT replaces it. Both require metadata (research §1.2).
          const merged =
            method === 'PATCH'
              ? { label: existing.label, displayOrder: existing.displayOrder, ...input }
              : input;
          const built = buildStage(context.portal, store, merged, nowIso(context), existing);
          checkUniqueLabels(
            pipeline.stages.map((candidate) => (candidate.id === existing.id ? built : candidate)),
          );
          Object.assign(existing, built);
          pipeline.updatedAt = built.updatedAt;
          return json(200, stageView(existing));
        },
      }),
    ),
    {
      method: 'DELETE',
      paths: crmPaths('pipelines', stage),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = pipelineStore(context);
        const pipeline = requirePipeline(store, context.params.pipelineId ?? '');
        const target = requireStage(pipeline, context.params.stageId ?? '');
        if (pipeline.stages.filter((candidate) => !candidate.archived).length <= 1) {
          throw validationError('A pipeline needs at least one stage; the last stage cannot be deleted.');
        }
        if (shouldValidateReferences(context)) refuseIfInUse(store, pipeline, target);
        target.archived = true;
        target.updatedAt = nowIso(context);
        pipeline.updatedAt = target.updatedAt;
        return json(204);
      },
    },
    {
      method: 'GET',
      paths: crmPaths('pipelines', '/:objectType/:pipelineId/audit'),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        requirePipeline(pipelineStore(context), context.params.pipelineId ?? '');
        return json(200, { results: [] });
      },
    },
  ];
}
