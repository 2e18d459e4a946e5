/**
 * Stage history: each customer's stage entries as the syncs saw them, so the dashboard's funnel
 * counts the customers who ever reached a stage (not "in it or a later one now") and measures time
 * in stage from finished stays. One row per entry; the key (record, day entered, stage) makes a
 * re-run of the same sync add nothing. `entry_number` orders the entries in the order they were
 * recorded, which tells the latest one even when two fall on the same day.
 *
 * `customer_states.last_run_id` names the run that last stored the state, so a full sync that
 * succeeded can delete the customers it did not see (records removed from the CRM).
 */
export const stageHistory = `
create table stage_history (
  journey_key text not null references journeys(key) on delete cascade,
  connection_id text not null references connections(id) on delete cascade,
  record_id text not null,
  stage text not null,
  entered_at date not null,
  entry_number bigint generated always as identity,
  run_id text references runs(id) on delete set null,
  recorded_at timestamptz not null default now(),
  primary key (journey_key, connection_id, record_id, entered_at, stage)
);

alter table customer_states add column last_run_id text;
`;
