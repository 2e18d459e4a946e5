/**
 * HubSpot webhooks: each event keeps the record it names and when a sync covered it, so events that
 * arrive while a token is revoked are synced after the reinstall instead of being lost.
 */
export const webhookEventRecords = `
alter table webhook_events add column object_type text;
alter table webhook_events add column object_id text;
alter table webhook_events add column processed_at timestamptz;
create index webhook_events_pending on webhook_events (hub_id) where processed_at is null;
`;
