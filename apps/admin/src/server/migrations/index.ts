/**
 * Migrations, in order. Each runs once, in a transaction, and is recorded in `schema_migrations`;
 * never edit a migration that has shipped — add the next one.
 */
import { initial } from './0001-initial.js';
import { runsPerConnection } from './0010-runs-per-connection.js';
import { webhookEventRecords } from './0020-webhook-event-records.js';
import { stageHistory } from './0030-stage-history.js';

/** One schema change. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: 'initial', sql: initial },
  { id: 10, name: 'runs-per-connection', sql: runsPerConnection },
  { id: 20, name: 'webhook-event-records', sql: webhookEventRecords },
  { id: 30, name: 'stage-history', sql: stageHistory },
];
