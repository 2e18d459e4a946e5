/**
 * Plans keep the mapping they were computed with, so apply uses exactly that mapping and a plan made
 * before the mapping changed is refused as stale. At most one run is 'running' per connection: the
 * partial unique index makes that hold across requests (and servers sharing one database), not only
 * in one process's memory.
 */
export const runsPerConnection = `
alter table plans add column mapping_source text;
create unique index runs_one_running_per_connection on runs (connection_id) where status = 'running';
`;
