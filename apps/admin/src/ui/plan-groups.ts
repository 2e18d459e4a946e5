/**
 * A core Plan arranged for review: creates, updates and deletes in separate groups (each keeping
 * the plan's order, which is the order apply runs them in), with values shown as short text.
 */
import type { PlanChange } from './api-types.js';

/** The changes of one action. */
export interface PlanGroup {
  action: PlanChange['action'];
  title: string;
  marker: '+' | '~' | '−';
  changes: PlanChange[];
}

const GROUPS: ReadonlyArray<Omit<PlanGroup, 'changes'>> = [
  { action: 'create', title: 'Create', marker: '+' },
  { action: 'update', title: 'Update', marker: '~' },
  { action: 'delete', title: 'Delete', marker: '−' },
];

/** Non-empty groups in create, update, delete order. */
export function groupPlanChanges(changes: readonly PlanChange[]): PlanGroup[] {
  return GROUPS.map((group) => ({
    ...group,
    changes: changes.filter((change) => change.action === group.action),
  })).filter((group) => group.changes.length > 0);
}

/** An attribute value as one line of text: strings unquoted, absent values as "(none)". */
export function formatAttributeValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(none)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
