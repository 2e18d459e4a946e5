/** Stored CRM connections: public fields in columns, secrets sealed; only this module opens them. */
import { randomUUID } from 'node:crypto';
import type { AdminContext, ConnectionWithSecrets } from './admin-context.js';
import { HttpError } from './http-errors.js';

/** A connection as the API shows it: never a secret. */
export interface PublicConnection {
  id: string;
  target: 'hubspot' | 'salesforce';
  name: string;
  auth: 'token' | 'oauth' | 'client-credentials';
  baseUrl: string;
  hubId?: number;
  createdAt: string;
}

interface ConnectionRow {
  id: string;
  target: 'hubspot' | 'salesforce';
  name: string;
  auth: 'token' | 'oauth' | 'client-credentials';
  base_url: string;
  hub_id: string | number | null;
  secrets: string;
  created_at: Date | string;
}

/** The public view of a connection. */
export function publicConnection(row: ConnectionWithSecrets & { createdAt: string }): PublicConnection {
  return {
    id: row.id,
    target: row.target,
    name: row.name,
    auth: row.auth,
    baseUrl: row.baseUrl,
    ...(row.hubId !== null ? { hubId: row.hubId } : {}),
    createdAt: row.createdAt,
  };
}

function fromRow(context: AdminContext, row: ConnectionRow): ConnectionWithSecrets & { createdAt: string } {
  return {
    id: row.id,
    target: row.target,
    name: row.name,
    auth: row.auth,
    baseUrl: row.base_url,
    hubId: row.hub_id === null ? null : Number(row.hub_id),
    secrets: context.secrets.open(row.secrets),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Every connection, oldest first. */
export async function listConnections(
  context: AdminContext,
): Promise<Array<ConnectionWithSecrets & { createdAt: string }>> {
  const rows = await context.database.query<ConnectionRow>(
    'select * from connections order by created_at, id',
  );
  return rows.map((row) => fromRow(context, row));
}

/** One connection with its secrets opened, or 404. */
export async function loadConnection(
  context: AdminContext,
  id: string,
): Promise<ConnectionWithSecrets & { createdAt: string }> {
  const [row] = await context.database.query<ConnectionRow>('select * from connections where id = $1', [id]);
  if (!row) throw new HttpError(404, 'NOT_FOUND', `no connection "${id}"; add it under Connections first`);
  return fromRow(context, row);
}

/** Stores a new connection, sealing its secrets. */
export async function createConnection(
  context: AdminContext,
  connection: Omit<ConnectionWithSecrets, 'id'>,
): Promise<ConnectionWithSecrets & { createdAt: string }> {
  const id = randomUUID();
  await context.database.query(
    `insert into connections (id, target, name, auth, base_url, hub_id, secrets)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      id,
      connection.target,
      connection.name,
      connection.auth,
      connection.baseUrl,
      connection.hubId,
      context.secrets.seal(connection.secrets),
    ],
  );
  return loadConnection(context, id);
}

/** Replaces a connection's secrets (token refresh, reinstall). */
export async function updateConnectionSecrets(
  context: AdminContext,
  id: string,
  secrets: ConnectionWithSecrets['secrets'],
): Promise<void> {
  await context.database.query('update connections set secrets = $2 where id = $1', [
    id,
    context.secrets.seal(secrets),
  ]);
}
