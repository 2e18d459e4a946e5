/**
 * Plan: the ordered changes that turn what a CRM has into what a journey needs. Adapters describe
 * both sides as plain resources; the comparison, the safety rules and the ordering live here once.
 */

/** One thing in a CRM schema: a property, a pipeline stage, a custom field, a flow… */
export interface SchemaResource {
  /** Stable identity across runs, e.g. `property:companies:milepost_stage`. Labels may change; ids do not. */
  id: string;
  /** The adapter's kind of resource (`property`, `pipeline-stage`, `custom-field`, …). */
  kind: string;
  /** What people call it. */
  label: string;
  /** The attributes Milepost owns and compares; anything else on the CRM side is left alone. */
  attributes: Record<string, unknown>;
  /** Ids that must exist before this one (a stage needs its pipeline). */
  dependsOn?: readonly string[];
  /** Remote only: Milepost created it (its marker is present). */
  managed?: boolean;
  /** Remote only: how many records use it (records in a stage, values of an option). */
  inUse?: number;
  /** Desired only: an existing, unmanaged resource the mapping points at; used as it is, never changed. */
  adopt?: boolean;
  /** Remote only: the vendor's own id (a workflow id, a metadata id) for updates and deletes. */
  remoteId?: string;
}

/** What the journey and mapping need. */
export interface DesiredSchema {
  resources: readonly SchemaResource[];
}

/** What the CRM has now (only the parts Milepost looks at). */
export interface RemoteSchema {
  resources: readonly SchemaResource[];
}

/** One attribute that differs. */
export interface AttributeChange {
  attribute: string;
  before: unknown;
  after: unknown;
}

/** One step of a plan. */
export type PlanChange =
  | { action: 'create'; resource: SchemaResource; summary: string }
  | { action: 'update'; resource: SchemaResource; attributes: AttributeChange[]; summary: string }
  | { action: 'delete'; resource: SchemaResource; movesTo?: string; summary: string };

/** Why a change is refused rather than planned. */
export type PlanRefusalReason = 'unmanaged-conflict' | 'in-use' | 'missing-adopted' | 'dependency-cycle';

/** A change Milepost will not make, and what to do about it. */
export interface PlanRefusal {
  id: string;
  reason: PlanRefusalReason;
  summary: string;
}

/** The ordered changes, and what was refused. Empty `changes` and `refusals` mean nothing to do. */
export interface Plan {
  changes: PlanChange[];
  refusals: PlanRefusal[];
  /** What the adapter left out because the account does not allow it (shown with the plan). */
  notes?: string[];
}

/** Options of {@link planSchema}. */
export interface PlanOptions {
  /** Where the records of a removed resource go: removed id → id of its replacement. */
  moves?: Readonly<Record<string, string>>;
}

/** Order-insensitive for object keys, order-sensitive for lists: the way CRMs compare values. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function attributeChanges(desired: SchemaResource, remote: SchemaResource): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const [attribute, after] of Object.entries(desired.attributes)) {
    const before = remote.attributes[attribute];
    if (canonical(before) !== canonical(after)) changes.push({ attribute, before, after });
  }
  return changes;
}

/** Resources in an order where every dependency comes first; ties keep their input order. */
function dependencyOrder(resources: readonly SchemaResource[], refusals: PlanRefusal[]): SchemaResource[] {
  const byId = new Map(resources.map((resource) => [resource.id, resource]));
  const state = new Map<string, 'visiting' | 'done'>();
  const ordered: SchemaResource[] = [];
  const visit = (resource: SchemaResource): void => {
    const seen = state.get(resource.id);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      refusals.push({
        id: resource.id,
        reason: 'dependency-cycle',
        summary: `${resource.label} depends on itself through other resources`,
      });
      return;
    }
    state.set(resource.id, 'visiting');
    for (const dependency of resource.dependsOn ?? []) {
      const needed = byId.get(dependency);
      if (needed) visit(needed);
    }
    state.set(resource.id, 'done');
    ordered.push(resource);
  };
  resources.forEach(visit);
  return ordered;
}

/**
 * Compares desired and remote schemas. Creates and updates come in dependency order, deletes last
 * in reverse order. Only managed resources are ever updated or deleted; a managed resource still in
 * use is deleted only when `moves` says where its records go.
 */
export function planSchema(desired: DesiredSchema, remote: RemoteSchema, options: PlanOptions = {}): Plan {
  const refusals: PlanRefusal[] = [];
  const remoteById = new Map(remote.resources.map((resource) => [resource.id, resource]));
  const desiredIds = new Set(desired.resources.map((resource) => resource.id));
  const changes: PlanChange[] = [];

  for (const resource of dependencyOrder(desired.resources, refusals)) {
    const existing = remoteById.get(resource.id);
    if (resource.adopt) {
      if (!existing)
        refusals.push({
          id: resource.id,
          reason: 'missing-adopted',
          summary: `the mapping points at ${resource.label}, which does not exist; create it in the CRM or map to another field`,
        });
      continue;
    }
    if (!existing) {
      changes.push({ action: 'create', resource, summary: `create ${resource.kind} ${resource.label}` });
      continue;
    }
    const differences = attributeChanges(resource, existing);
    if (differences.length === 0) continue;
    if (!existing.managed) {
      refusals.push({
        id: resource.id,
        reason: 'unmanaged-conflict',
        summary: `${existing.label} already exists and is not managed by Milepost; point the mapping at it or choose another name (differs in ${differences.map((change) => change.attribute).join(', ')})`,
      });
      continue;
    }
    changes.push({
      action: 'update',
      resource: existing.remoteId === undefined ? resource : { ...resource, remoteId: existing.remoteId },
      attributes: differences,
      summary: `update ${resource.kind} ${resource.label}: ${differences.map((change) => change.attribute).join(', ')}`,
    });
  }

  const removable = remote.resources.filter((resource) => resource.managed && !desiredIds.has(resource.id));
  for (const resource of dependencyOrder(removable, refusals).reverse()) {
    const movesTo = options.moves?.[resource.id];
    if ((resource.inUse ?? 0) > 0 && !movesTo) {
      refusals.push({
        id: resource.id,
        reason: 'in-use',
        summary: `${resource.label} still holds ${resource.inUse} record${resource.inUse === 1 ? '' : 's'}; say where they move (journey "removedStages") before removing it`,
      });
      continue;
    }
    changes.push({
      action: 'delete',
      resource,
      ...(movesTo ? { movesTo } : {}),
      summary: `delete ${resource.kind} ${resource.label}${movesTo ? ` after moving its ${resource.inUse} record(s) to ${movesTo}` : ''}`,
    });
  }
  return { changes, refusals };
}

/** True when applying the plan would do nothing. */
export function isEmptyPlan(plan: Plan): boolean {
  return plan.changes.length === 0 && plan.refusals.length === 0;
}

const PLAN_SIGNS: Record<PlanChange['action'], string> = { create: '+', update: '~', delete: '-' };

/** The parts of a rendered plan a terminal may colour. */
export type PlanTextRole = 'note' | 'create' | 'update' | 'delete' | 'detail' | 'refused';

/** Options of {@link renderPlanText}. */
export interface PlanTextOptions {
  /** Wraps a part in colour (the CLI on a terminal); plain text by default. */
  style?: (role: PlanTextRole, text: string) => string;
}

/**
 * The plan as text for people: notes, one line per change with `+`/`~`/`-`, the attributes an
 * update changes, refusals, then the counts. The admin app stores and shows it plain; `milepost plan`
 * prints it coloured.
 */
export function renderPlanText(plan: Plan, options: PlanTextOptions = {}): string {
  const style = options.style ?? ((_role: PlanTextRole, text: string) => text);
  const lines: string[] = (plan.notes ?? []).map((note) => style('note', `note: ${note}`));
  if (isEmptyPlan(plan)) {
    lines.push('No changes: the CRM already matches the journey.');
    return `${lines.join('\n')}\n`;
  }
  for (const change of plan.changes) {
    lines.push(`  ${style(change.action, PLAN_SIGNS[change.action])} ${change.summary}`);
    if (change.action === 'update') {
      for (const attribute of change.attributes)
        lines.push(
          style(
            'detail',
            `      ${attribute.attribute}: ${JSON.stringify(attribute.before)} → ${JSON.stringify(attribute.after)}`,
          ),
        );
    }
  }
  for (const refusal of plan.refusals) lines.push(`  ${style('refused', '✗')} refused: ${refusal.summary}`);
  const counts = (['create', 'update', 'delete'] as const).map(
    (action) => `${plan.changes.filter((change) => change.action === action).length} to ${action}`,
  );
  lines.push(`Plan: ${counts.join(', ')}${plan.refusals.length ? `, ${plan.refusals.length} refused` : ''}.`);
  return `${lines.join('\n')}\n`;
}
