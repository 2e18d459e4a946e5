/** Brings the database up to the latest schema on start. */
import type { Database } from './database.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** Applies the migrations not yet recorded; returns the ids it applied. */
export async function migrate(
  database: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  await database.exec(
    `create table if not exists schema_migrations (
       id integer primary key, name text not null, applied_at timestamptz not null default now())`,
  );
  const done = new Set(
    (await database.query<{ id: number }>('select id from schema_migrations')).map((row) => Number(row.id)),
  );
  const applied: number[] = [];
  for (const migration of [...migrations].sort((left, right) => left.id - right.id)) {
    if (done.has(migration.id)) continue;
    await database.transaction(async (transaction) => {
      await transaction.exec(migration.sql);
      await transaction.query('insert into schema_migrations (id, name) values ($1, $2)', [
        migration.id,
        migration.name,
      ]);
    });
    applied.push(migration.id);
  }
  return applied;
}
