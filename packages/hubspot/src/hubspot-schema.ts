/**
 * Journey + mapping → the HubSpot schema Milepost needs (desired), and HubSpot's answers → what the
 * portal has (remote), both as core's plain resources so core's planner compares them.
 */
import {
  type DesiredSchema,
  type Journey,
  type Mapping,
  type RemoteSchema,
  type SchemaResource,
  SLA_STATUSES,
} from '@milepost/core';
import type { HubSpotPipeline, HubSpotProperty, HubSpotPropertyGroup } from './hubspot-api.js';

/** Every description Milepost writes ends with this marker: it is how Milepost knows what it manages. */
export const HUBSPOT_MANAGED_MARKER = '[managed by Milepost]';
/** The property group holding Milepost's properties. */
export const HUBSPOT_PROPERTY_GROUP = 'milepost';

/** Where the journey lives in a portal. */
export interface HubSpotSchemaTarget {
  /** The customer record object (default `companies`). */
  recordObject: string;
  /** The object whose pipeline holds journey cycles (default `tickets`; `deals`, or a custom object on Enterprise). */
  cycleObject: string;
}

/** The customer record object and cycle host a mapping chooses, with HubSpot's defaults. */
export function hubSpotSchemaTarget(mapping?: Mapping): HubSpotSchemaTarget {
  return { recordObject: mapping?.object ?? 'companies', cycleObject: mapping?.cycleObject ?? 'tickets' };
}

/** `five-users` → `five_users`: HubSpot internal names are lower case letters, digits and underscores. */
export function hubSpotName(key: string): string {
  return key.replaceAll('-', '_');
}

/** Property names of the journey state outputs, by output key. */
export function hubSpotOutputProperties(journey: Journey, mapping?: Mapping): Record<string, string> {
  const names: Record<string, string> = {
    stage: 'milepost_stage',
    stageEnteredAt: 'milepost_stage_entered_at',
    daysInStage: 'milepost_days_in_stage',
    sla: 'milepost_sla_status',
    nextMilestone: 'milepost_next_milestone',
    owner: 'milepost_owner_team',
    journeyVersion: 'milepost_journey_version',
    cycle: 'milepost_cycle',
  };
  for (const stage of journey.stages) {
    for (const milestone of stage.milestones ?? [])
      names[`milestone.${milestone.key}`] = `milepost_ms_${hubSpotName(milestone.key)}`;
  }
  for (const [output, field] of Object.entries(mapping?.outputs ?? {})) names[output] = field.field;
  return names;
}

const managed = (text: string) => `${text} ${HUBSPOT_MANAGED_MARKER}`;

interface PropertySpec {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  description: string;
  options?: Array<{ label: string; value: string; displayOrder: number; hidden: boolean }>;
  hasUniqueValue?: boolean;
}

function propertyResource(objectType: string, spec: PropertySpec, adopt: boolean): SchemaResource {
  const attributes: Record<string, unknown> = {
    label: spec.label,
    type: spec.type,
    fieldType: spec.fieldType,
    groupName: HUBSPOT_PROPERTY_GROUP,
    description: managed(spec.description),
  };
  if (spec.options) attributes.options = spec.options;
  if (spec.hasUniqueValue) attributes.hasUniqueValue = true;
  return {
    id: `property:${objectType}:${spec.name}`,
    kind: 'property',
    label: `${objectType}.${spec.name}`,
    attributes: adopt ? { type: spec.type } : attributes,
    dependsOn: adopt ? [] : [`property-group:${objectType}:${HUBSPOT_PROPERTY_GROUP}`],
    adopt,
  };
}

function groupResource(objectType: string): SchemaResource {
  return {
    id: `property-group:${objectType}:${HUBSPOT_PROPERTY_GROUP}`,
    kind: 'property-group',
    label: `${objectType} group "Milepost"`,
    attributes: { label: 'Milepost' },
  };
}

/** The schema a journey needs in a HubSpot portal. Workflows are added by the adapter when the tier allows. */
export function hubSpotDesiredSchema(
  journey: Journey,
  mapping?: Mapping,
  options: { cycles?: boolean } = {},
): DesiredSchema {
  const { recordObject, cycleObject } = hubSpotSchemaTarget(mapping);
  const names = hubSpotOutputProperties(journey, mapping);
  const mapped = new Set(Object.keys(mapping?.outputs ?? {}));
  const stageOptions = journey.stages.map((stage, index) => ({
    label: stage.name,
    value: stage.key,
    displayOrder: index,
    hidden: false,
  }));
  const slaOptions = SLA_STATUSES.map((value, index) => ({
    label: value.replace('-', ' '),
    value,
    displayOrder: index,
    hidden: false,
  }));
  const specs: Array<[string, Omit<PropertySpec, 'name'>]> = [
    [
      'stage',
      {
        label: 'Journey stage',
        type: 'enumeration',
        fieldType: 'select',
        options: stageOptions,
        description: `Current stage in journey "${journey.name}".`,
      },
    ],
    [
      'stageEnteredAt',
      {
        label: 'Journey stage entered at',
        type: 'datetime',
        fieldType: 'date',
        description: 'When the customer entered the current stage.',
      },
    ],
    [
      'daysInStage',
      {
        label: 'Days in journey stage',
        type: 'number',
        fieldType: 'number',
        description: 'Days in the current stage.',
      },
    ],
    [
      'sla',
      {
        label: 'Journey SLA status',
        type: 'enumeration',
        fieldType: 'select',
        options: slaOptions,
        description: 'On track, behind (past the time frame) or stuck (no milestone progress).',
      },
    ],
    [
      'nextMilestone',
      {
        label: 'Next milestone',
        type: 'string',
        fieldType: 'text',
        description: 'The next milestone and its progress.',
      },
    ],
    [
      'owner',
      {
        label: 'Journey moment owner',
        type: 'string',
        fieldType: 'text',
        description: 'The team that owns the current moment.',
      },
    ],
    [
      'journeyVersion',
      {
        label: 'Journey version',
        type: 'number',
        fieldType: 'number',
        description: 'The journey version the state was computed with.',
      },
    ],
    [
      'cycle',
      {
        label: 'SuccessCycle',
        type: 'string',
        fieldType: 'text',
        description: 'The SuccessCycle(s) that apply.',
      },
    ],
  ];
  for (const stage of journey.stages) {
    for (const milestone of stage.milestones ?? []) {
      specs.push([
        `milestone.${milestone.key}`,
        {
          label: `${milestone.name} achieved`,
          type: 'date',
          fieldType: 'date',
          description: `When milestone "${milestone.name}" was first achieved.`,
        },
      ]);
    }
  }
  const resources: SchemaResource[] = [groupResource(recordObject)];
  for (const [output, spec] of specs) {
    resources.push(propertyResource(recordObject, { name: names[output]!, ...spec }, mapped.has(output)));
  }

  // Tasks carry the engine's task key, so a task is looked up before it is created and never doubled.
  resources.push(groupResource('tasks'));
  resources.push(
    propertyResource(
      'tasks',
      {
        name: 'milepost_task_key',
        label: 'Milepost task key',
        type: 'string',
        fieldType: 'text',
        description: 'Journey, cycle, customer and task: unique per task.',
        hasUniqueValue: true,
      },
      false,
    ),
  );
  if (options.cycles === false) return { resources };

  // The cycle host: a pipeline with one stage per journey stage, and the properties that identify a cycle record.
  resources.push(groupResource(cycleObject));
  resources.push(
    propertyResource(
      cycleObject,
      {
        name: 'milepost_cycle_id',
        label: 'Milepost cycle id',
        type: 'string',
        fieldType: 'text',
        description: 'Journey, cycle and customer: unique per cycle record.',
        hasUniqueValue: true,
      },
      false,
    ),
    propertyResource(
      cycleObject,
      {
        name: 'milepost_journey',
        label: 'Milepost journey',
        type: 'string',
        fieldType: 'text',
        description: 'The journey key of this cycle record.',
      },
      false,
    ),
  );
  const pipelineId = `pipeline:${cycleObject}:${journey.key}`;
  resources.push({
    id: pipelineId,
    kind: 'pipeline',
    label: `pipeline "${journey.name}"`,
    attributes: { label: journey.name },
  });
  journey.stages.forEach((stage, index) => {
    const metadata: Record<string, string> =
      cycleObject === 'deals'
        ? // 0.0 and 1.0 mean closed lost and closed won to HubSpot: journey stages stay open, in steps of 0.1.
          {
            probability: Math.min(
              0.9,
              Math.max(0.1, Math.round(((index + 1) / (journey.stages.length + 1)) * 10) / 10),
            ).toFixed(1),
          }
        : cycleObject === 'tickets'
          ? { ticketState: index === journey.stages.length - 1 ? 'CLOSED' : 'OPEN' }
          : {};
    resources.push({
      id: `pipeline-stage:${cycleObject}:${journey.key}:${stage.key}`,
      kind: 'pipeline-stage',
      label: `stage "${stage.name}"`,
      attributes: { label: stage.name, displayOrder: index, metadata },
      dependsOn: [pipelineId],
    });
  });
  return { resources };
}

/** Only the stage metadata Milepost writes; HubSpot derives more (e.g. `isClosed` on deal stages). */
function managedMetadata(metadata: Record<string, string> | null | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const key of ['probability', 'ticketState'])
    if (metadata?.[key] !== undefined) kept[key] = metadata[key]!;
  return kept;
}

/** What HubSpot answered about a portal's schema, as fetched by the adapter. */
export interface HubSpotSchemaSnapshot {
  groups: Record<string, HubSpotPropertyGroup[]>;
  properties: Record<string, HubSpotProperty[]>;
  pipelines: Record<string, HubSpotPipeline[]>;
  /** Pipeline stage id → records in it. */
  stageCounts?: Record<string, number>;
}

/** The portal's schema as core resources; only Milepost's own resources are marked managed. */
export function hubSpotRemoteSchema(snapshot: HubSpotSchemaSnapshot, journey: Journey): RemoteSchema {
  const resources: SchemaResource[] = [];
  for (const [objectType, groups] of Object.entries(snapshot.groups)) {
    for (const group of groups) {
      resources.push({
        id: `property-group:${objectType}:${group.name}`,
        kind: 'property-group',
        label: `${objectType} group "${group.label}"`,
        attributes: { label: group.label },
        managed: group.name === HUBSPOT_PROPERTY_GROUP,
      });
    }
  }
  for (const [objectType, properties] of Object.entries(snapshot.properties)) {
    for (const property of properties) {
      if (property.archived) continue;
      const attributes: Record<string, unknown> = {
        label: property.label,
        type: property.type,
        fieldType: property.fieldType,
        groupName: property.groupName ?? undefined,
        description: property.description ?? undefined,
      };
      if (property.options?.length) {
        attributes.options = property.options.map((option) => ({
          label: option.label,
          value: option.value,
          displayOrder: option.displayOrder ?? 0,
          hidden: option.hidden ?? false,
        }));
      }
      if (property.hasUniqueValue) attributes.hasUniqueValue = true;
      resources.push({
        id: `property:${objectType}:${property.name}`,
        kind: 'property',
        label: `${objectType}.${property.name}`,
        attributes,
        managed: !property.hubspotDefined && (property.description ?? '').endsWith(HUBSPOT_MANAGED_MARKER),
      });
    }
  }
  for (const [objectType, pipelines] of Object.entries(snapshot.pipelines)) {
    const pipelineId = `milepost-${journey.key}`;
    const pipeline = pipelines.find((candidate) => candidate.id === pipelineId && !candidate.archived);
    if (!pipeline) continue;
    const resourceId = `pipeline:${objectType}:${journey.key}`;
    resources.push({
      id: resourceId,
      kind: 'pipeline',
      label: `pipeline "${pipeline.label}"`,
      attributes: { label: pipeline.label },
      managed: true,
    });
    const stagePrefix = `${pipelineId}-`;
    for (const stage of pipeline.stages) {
      if (stage.archived) continue;
      // Milepost gives stages stable ids, so a renamed stage is still the same stage.
      const key = stage.id.startsWith(stagePrefix)
        ? stage.id.slice(stagePrefix.length)
        : `unmanaged-${stage.id}`;
      resources.push({
        id: `pipeline-stage:${objectType}:${journey.key}:${key}`,
        kind: 'pipeline-stage',
        label: `stage "${stage.label}"`,
        attributes: {
          label: stage.label,
          displayOrder: stage.displayOrder,
          metadata: managedMetadata(stage.metadata),
        },
        dependsOn: [resourceId],
        managed: stage.id.startsWith(stagePrefix),
        inUse: snapshot.stageCounts?.[stage.id] ?? 0,
      });
    }
  }
  return { resources };
}
