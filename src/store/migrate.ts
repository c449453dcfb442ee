import type { Database } from './database.ts';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

export interface MigrationReport {
  /** Versions applied by this call (empty when the schema was already current). */
  applied: number[];
  current: number;
}

/**
 * Brings the schema up to date. The whole run is one transaction holding an advisory lock keyed
 * by the schema's name, so replicas starting together apply each migration exactly once: the
 * others wait, then find nothing left to do. On failure nothing of the run remains.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationReport> {
  assertOrdered(migrations);
  // Unbounded: waiting for another replica's migrations, or an index built on a large table, may
  // rightly take longer than a request's statement may.
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('switchboard.migrate:' || current_schema()))`);
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS switchboard_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM switchboard_migrations');
    const done = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO switchboard_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    const current = Math.max(0, ...done, ...applied);
    return { applied, current };
  }, { unbounded: true });
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1) {
      throw new Error(`Migration ${migration.name} has version ${migration.version}; expected ${i + 1}`);
    }
  });
}
