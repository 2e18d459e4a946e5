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
}
