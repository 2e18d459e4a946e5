/**
 * The admin app's storage: embedded PostgreSQL (PGlite, in a data directory) by default, a
 * PostgreSQL server when `DATABASE_URL` is set. Both speak the same SQL through one small interface.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** A SQL parameter. */
export type SqlValue = string | number | boolean | null | Date | Uint8Array | readonly unknown[] | object;

/** What the routes need from a database. */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** Runs one statement with `$1…` parameters and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, parameters?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `work` in one transaction: all of it lands or none of it. */
  transaction<T>(work: (transaction: Database) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where the data lives. */
export interface DatabaseOptions {
  /** A PostgreSQL connection string; when absent, PGlite is used. */
  url?: string;
  /** PGlite's data directory; in memory when absent (tests). */
  dataDir?: string;
  /** A schema to create and use on the server (isolates test runs sharing one server). */
  schema?: string;
}

/** Opens the database the options describe. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.schema);
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const lite = options.dataDir ? new PGlite(options.dataDir) : new PGlite();
  await lite.waitReady;
  return pgliteDatabase(lite, async () => lite.close());
}

/** A database over an open PGlite instance (tests clone a migrated template this way). */
export function pgliteAsDatabase(lite: PGlite): Database {
  return pgliteDatabase(lite, async () => lite.close());
}

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

function pgliteDatabase(
  lite: PgliteLike & Partial<Pick<PGlite, 'transaction'>>,
  close: () => Promise<void>,
): Database {
  const database: Database = {
    kind: 'pglite',
    async query<Row>(sql: string, parameters: readonly SqlValue[] = []) {
      const result = await lite.query<Row>(sql, parameters as unknown[]);
      return result.rows;
    },
    async exec(sql) {
      await lite.exec(sql);
    },
    async transaction(work) {
      if (!lite.transaction) return work(database);
      return lite.transaction((transaction) => work(pgliteDatabase(transaction, async () => {})));
    },
    close,
  };
  return database;
}

async function openPostgres(url: string, schema: string | undefined): Promise<Database> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new Error(`schema "${schema}" is not a plain lower-case identifier`);
  }
  if (schema) {
    const bootstrap = new pg.Client({ connectionString: url });
    await bootstrap.connect();
    try {
      await bootstrap.query(`create schema if not exists ${schema}`);
    } finally {
      await bootstrap.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 5,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const run = async <Row>(client: pg.Pool | pg.PoolClient, sql: string, parameters: readonly SqlValue[]) =>
    (await client.query(sql, parameters as unknown[])).rows as Row[];
  const onClient = (client: pg.PoolClient): Database => ({
    kind: 'postgres',
    query: (sql, parameters = []) => run(client, sql, parameters),
    async exec(sql) {
      await client.query(sql);
    },
    transaction: (work) => work(onClient(client)),
    async close() {},
  });
  return {
    kind: 'postgres',
    query: (sql, parameters = []) => run(pool, sql, parameters),
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work(onClient(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
