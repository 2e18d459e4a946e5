/**
 * The contract every CRM adapter implements. Adapters translate between these plain descriptions and
 * their vendor; planning, evaluation and diffing stay in core.
 */
import type { JourneyState } from './engine.js';
import type { Journey } from './journey-schema.js';
import type { Mapping, MappingTarget } from './mapping-schema.js';
import type { Plan, PlanChange } from './plan.js';

/** One preflight check, for a readable report. */
export interface PreflightCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** What a portal or org will and will not allow, before anything is written. */
export interface PreflightReport {
  ok: boolean;
  checks: PreflightCheck[];
}

/** Progress of an apply, one event per finished change. */
export interface ApplyProgress {
  change: PlanChange;
  index: number;
  total: number;
  status: 'done' | 'failed';
  error?: string;
}

/** What an apply did. */
export interface ApplyReport {
  applied: PlanChange[];
  failed: Array<{ change: PlanChange; error: string }>;
  apiCalls: number;
}

/** A record that could not be fully synced, and why. */
export interface SyncRecordError {
  record: string;
  message: string;
}

/** What a sync did; `apiCalls` counts every request, retries included. */
export interface SyncSummary {
  records: number;
  changed: number;
  writes: number;
  tasksCreated: number;
  apiCalls: number;
  errors: SyncRecordError[];
}

/** Options of {@link MilepostAdapter.sync}. */
export interface SyncOptions {
  now: Date;
  /** Only records modified since this instant. */
  since?: Date;
  /** Only these records. */
  recordIds?: readonly string[];
  onProgress?: (summary: SyncSummary) => void;
  /**
   * Called once per evaluated record with the state the engine computed, so a caller (the admin
   * dashboard) can keep the states without a second read of the CRM. `name` is the record's display
   * name, or null when the CRM has none.
   */
  onState?: (record: { id: string; name: string | null }, state: JourneyState) => void;
}

/** The value kinds a CRM field is described with, whatever the vendor calls them. */
export const CRM_FIELD_TYPES = [
  'string',
  'number',
  'currency',
  'date',
  'datetime',
  'boolean',
  'enum',
] as const;
/** A CRM field's value kind. */
export type CrmFieldType = (typeof CRM_FIELD_TYPES)[number];

/** One option of an enum field: the value the API reads and writes, and what people see. */
export interface CrmFieldOption {
  value: string;
  label: string;
}

/** A live field of a CRM object, as {@link MilepostAdapter.describeFields} reports it. */
export interface CrmField {
  /** The object holding the field (HubSpot object type such as `companies`, Salesforce sObject such as `Account`). */
  object: string;
  /** The internal name (HubSpot property name, Salesforce field API name). */
  name: string;
  label: string;
  type: CrmFieldType;
  /** The options of an `enum` field (active ones only, where the CRM has inactive ones). */
  options?: CrmFieldOption[];
  /** True when Milepost created the field (its state outputs, cycle and task keys). */
  managed: boolean;
}

/** A CRM adapter: plan and apply the schema a journey needs, and keep records in step. */
export interface MilepostAdapter {
  readonly target: MappingTarget;
  preflight(): Promise<PreflightReport>;
  plan(journey: Journey, mapping?: Mapping): Promise<Plan>;
  apply(
    journey: Journey,
    mapping: Mapping | undefined,
    plan: Plan,
    onProgress?: (progress: ApplyProgress) => void,
  ): Promise<ApplyReport>;
  sync(journey: Journey, mapping: Mapping | undefined, options: SyncOptions): Promise<SyncSummary>;
  status(journey: Journey, mapping: Mapping | undefined, recordId: string, now: Date): Promise<JourneyState>;
  /**
   * The live fields of the customer record object (the mapping's `object`, else the CRM's default)
   * and of the object hosting journey cycles, for mapping editors and `checkMapping`.
   */
  describeFields(mapping?: Mapping): Promise<CrmField[]>;
}
