/** The first schema: admins and sessions, journeys and revisions, connections, mappings, plans, runs. */
export const initial = `
create table admins (
  id serial primary key,
  email text not null unique,
  password_hash text not null,
  created_at timestamptz not null default now()
);

create table sessions (
  token_hash text primary key,
  admin_id integer not null references admins(id) on delete cascade,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);

create table journeys (
  key text primary key,
  name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table journey_revisions (
  journey_key text not null references journeys(key) on delete cascade,
  revision integer not null,
  version integer not null,
  source text not null,
  created_at timestamptz not null default now(),
  created_by text not null,
  message text,
  primary key (journey_key, revision)
);

create table connections (
  id text primary key,
  target text not null check (target in ('hubspot', 'salesforce')),
  name text not null,
  auth text not null check (auth in ('token', 'oauth', 'client-credentials')),
  base_url text not null,
  hub_id bigint,
  -- AES-256-GCM sealed JSON: tokens and client secrets never sit here in the clear.
  secrets text not null,
  created_at timestamptz not null default now()
);

create table mappings (
  journey_key text not null references journeys(key) on delete cascade,
  connection_id text not null references connections(id) on delete cascade,
  source text not null,
  updated_at timestamptz not null default now(),
  updated_by text not null,
  primary key (journey_key, connection_id)
);

create table plans (
  id text primary key,
  journey_key text not null references journeys(key) on delete cascade,
  connection_id text not null references connections(id) on delete cascade,
  journey_revision integer not null,
  plan jsonb not null,
  text text not null,
  created_at timestamptz not null default now(),
  applied_run_id text
);

create table runs (
  id text primary key,
  kind text not null check (kind in ('apply', 'sync')),
  journey_key text not null references journeys(key) on delete cascade,
  connection_id text not null references connections(id) on delete cascade,
  status text not null check (status in ('running', 'succeeded', 'partial', 'failed')),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  progress_done integer not null default 0,
  progress_total integer not null default 0,
  results jsonb not null default '[]',
  errors jsonb not null default '[]',
  summary jsonb,
  parameters jsonb not null default '{}',
  retry_of text references runs(id) on delete set null
);
create index runs_by_journey on runs (journey_key, connection_id, started_at desc);

create table customer_states (
  journey_key text not null references journeys(key) on delete cascade,
  connection_id text not null references connections(id) on delete cascade,
  record_id text not null,
  name text,
  stage text not null,
  sla text not null,
  days_in_stage integer not null,
  expected_days integer,
  state jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (journey_key, connection_id, record_id)
);

create table oauth_states (
  state_hash text primary key,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);

create table hubspot_installs (
  hub_id bigint primary key,
  connection_id text not null references connections(id) on delete cascade,
  status text not null check (status in ('active', 'needs-reinstall', 'uninstalled')),
  installed_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  preflight jsonb
);

create table webhook_events (
  event_key text primary key,
  hub_id bigint not null,
  received_at timestamptz not null default now()
);
`;
