import type { Database, Queryable } from '../../src/store/database.ts';

/**
 * A replica's view of a shared database that can be cut off at once, as if its process died:
 * after `kill()` every query fails, a transaction in progress rolls back, and the replica can
 * record nothing more. The database itself, and every other replica on it, carry on.
 */
export function killableDatabase(db: Database): { db: Database; kill(): void } {
  let dead = false;
  const check = () => {
    if (dead) throw new Error('simulated crash: this replica lost its database');
  };
  const wrap = (target: Queryable): Queryable => ({
    query: async <Row extends object>(sql: string, params?: readonly unknown[]) => {
      check();
      const result = await target.query<Row>(sql, params);
      check(); // an answer arriving after the crash is lost with the process
      return result;
    },
    exec: async (sql) => {
      check();
      await target.exec(sql);
    },
  });
  const wrapped: Database = {
    kind: db.kind,
    ...wrap(db),
    transaction: async (work) => {
      check();
      return db.transaction((tx) => work(wrap(tx)));
    },
    close: async () => {},
  };
  return {
    db: wrapped,
    kill: () => {
      dead = true;
    },
  };
}
