/**
 * Workflows (automation v4 flows, Professional and up): on entering a stage, the cycle record gets
 * that stage's SuccessCycle tasks. Milepost creates them disabled — the admin reviews and turns them
 * on — and the sync leaves those tasks to an enabled workflow (research: hubspot-api.md §1.8).
 */
import type { Journey, SchemaResource } from '@milepost/core';
import { z } from 'zod';
import { HUBSPOT_ASSOCIATION_TYPES, type HubSpotPaths, hubSpotPipelineProperties } from './hubspot-api.js';
import { HUBSPOT_MANAGED_MARKER } from './hubspot-schema.js';
import { hubSpotStageId } from './hubspot-schema-apply.js';
import type { HubSpotTransport } from './hubspot-transport.js';

const OBJECT_TYPE_IDS: Record<string, string> = { companies: '0-2', deals: '0-3', tickets: '0-5' };
const TASK_TYPES: Record<string, string> = { email: 'EMAIL', call: 'CALL', todo: 'TODO', meeting: 'TODO' };
const ASSOCIATION_TO_CYCLE: Record<string, number> = {
  deals: HUBSPOT_ASSOCIATION_TYPES.taskToDeal,
  tickets: HUBSPOT_ASSOCIATION_TYPES.taskToTicket,
};

/** The marker in a Milepost workflow's description: whose journey and stage it serves. */
export function workflowMarker(journeyKey: string, stageKey: string): string {
  return `${HUBSPOT_MANAGED_MARKER} journey=${journeyKey} stage=${stageKey}`;
}

function parseMarker(description: string | null | undefined): { journey: string; stage: string } | undefined {
  const match = /\[managed by Milepost\] journey=(\S+) stage=(\S+)/.exec(description ?? '');
  return match ? { journey: match[1]!, stage: match[2]! } : undefined;
}

/**
 * Cycles a workflow can run for everyone: those not limited to personas or segments and not yearly
 * (a workflow cannot tell a persona or a contract year; the sync creates those tasks).
 */
export function workflowCycles(journey: Journey) {
  return (journey.successCycles ?? []).filter((cycle) => !cycle.appliesTo && cycle.basis !== 'yearly');
}

/** The workflow resources of a journey: one per stage that has tasks in a workflow-run cycle. */
export function hubSpotWorkflowResources(journey: Journey, cycleObject: string): SchemaResource[] {
  const objectTypeId = OBJECT_TYPE_IDS[cycleObject];
  if (!objectTypeId) return [];
  const resources: SchemaResource[] = [];
  for (const stage of journey.stages) {
    const tasks = workflowCycles(journey).flatMap((cycle) =>
      cycle.stages
        .filter((cycleStage) => cycleStage.stage === stage.key)
        .flatMap((cycleStage) =>
          cycleStage.activities.flatMap((activity) =>
            activity.tasks.map((task) => ({ cycle, activity, task })),
          ),
        ),
    );
    if (tasks.length === 0) continue;
    const actions = tasks.map(({ cycle, task }, index) => ({
      actionId: String(index + 1),
      actionTypeId: '0-3',
      actionTypeVersion: 0,
      type: 'SINGLE_CONNECTION',
      ...(index < tasks.length - 1
        ? { connection: { edgeType: 'STANDARD', nextActionId: String(index + 2) } }
        : {}),
      fields: {
        task_type: TASK_TYPES[task.type ?? 'todo'] ?? 'TODO',
        subject: task.subject,
        body: `${journey.name} · ${cycle.name} · ${stage.name} · owned by ${task.owner}`,
        priority: (task.priority ?? 'medium').toUpperCase(),
        // Due `dueDays` after the record enters the stage (field shape from community payloads: verify on a test portal).
        due_time: { delta: task.dueDays, timeUnit: 'DAYS' },
        associations: [
          {
            target: {
              associationCategory: 'HUBSPOT_DEFINED',
              associationTypeId: ASSOCIATION_TO_CYCLE[cycleObject],
            },
            value: { type: 'ENROLLED_OBJECT' },
          },
        ],
        use_explicit_associations: 'true',
        owner_assignment: {
          type: 'CUSTOM',
          value: { type: 'OBJECT_PROPERTY', propertyName: 'hubspot_owner_id' },
        },
      },
    }));
    const definition = {
      type: 'PLATFORM_FLOW',
      objectTypeId,
      flowType: 'WORKFLOW',
      name: `Milepost · ${journey.name} · ${stage.name}: create tasks`,
      description: workflowMarker(journey.key, stage.key),
      startActionId: '1',
      blockedDates: [],
      timeWindows: [],
      customProperties: {},
      dataSources: [],
      enrollmentCriteria: {
        type: 'LIST_BASED',
        shouldReEnroll: false,
        unEnrollObjectsNotMeetingCriteria: false,
        reEnrollmentTriggersFilterBranches: [],
        listFilterBranch: {
          filterBranchType: 'OR',
          filterBranchOperator: 'OR',
          filters: [],
          filterBranches: [
            {
              filterBranchType: 'AND',
              filterBranchOperator: 'AND',
              filterBranches: [],
              filters: [
                {
                  filterType: 'PROPERTY',
                  property: hubSpotPipelineProperties(cycleObject).stage,
                  operation: {
                    operationType: 'ENUMERATION',
                    operator: 'IS_ANY_OF',
                    values: [hubSpotStageId(journey.key, stage.key)],
                  },
                },
              ],
            },
          ],
        },
      },
      actions,
    };
    resources.push({
      id: `workflow:${cycleObject}:${journey.key}:${stage.key}`,
      kind: 'workflow',
      label: `workflow "${definition.name}" (created disabled: an admin turns it on)`,
      attributes: { definition },
      dependsOn: [`pipeline-stage:${cycleObject}:${journey.key}:${stage.key}`],
    });
  }
  return resources;
}

const flowSchema = z
  .object({
    id: z.string(),
    name: z.string().nullish(),
    description: z.string().nullish(),
    isEnabled: z.boolean().nullish(),
    revisionId: z.union([z.string(), z.number()]).nullish(),
  })
  .passthrough();

/** A Milepost workflow as HubSpot holds it. */
export interface HubSpotManagedFlow {
  id: string;
  stage: string;
  enabled: boolean;
  revisionId: string | number | null;
  definition: Record<string, unknown>;
}

/** The portal's Milepost workflows for a journey (read with one list and one batch read). */
export async function readHubSpotWorkflows(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  journey: Journey,
): Promise<HubSpotManagedFlow[]> {
  const listed: Array<{ id: string; name?: string | null }> = [];
  let after: string | undefined;
  do {
    const page = await transport.request({
      method: 'GET',
      path: `${paths.flows}?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`,
      schema: z.object({
        results: z.array(z.object({ id: z.string(), name: z.string().nullish() }).passthrough()),
        paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
      }),
    });
    listed.push(...page.body.results);
    after = page.body.paging?.next?.after;
  } while (after);
  const candidates = listed.filter((flow) => (flow.name ?? '').startsWith('Milepost · '));
  if (candidates.length === 0) return [];
  const read = await transport.request({
    method: 'POST',
    path: `${paths.flows}/batch/read`,
    body: { inputs: candidates.map((flow) => ({ flowId: flow.id, type: 'FLOW_ID' })) },
    schema: z.object({ results: z.array(flowSchema) }),
  });
  const flows: HubSpotManagedFlow[] = [];
  for (const flow of read.body.results) {
    const marker = parseMarker(flow.description);
    if (!marker || marker.journey !== journey.key) continue;
    const { id, revisionId, isEnabled, ...rest } = flow;
    flows.push({
      id,
      stage: marker.stage,
      enabled: isEnabled === true,
      revisionId: revisionId ?? null,
      definition: rest,
    });
  }
  return flows;
}

/** Only the parts Milepost writes, so HubSpot's own additions to a flow never read as a difference. */
export function comparableDefinition(
  definition: Record<string, unknown>,
  like: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(Object.keys(like).map((key) => [key, definition[key]]));
}
