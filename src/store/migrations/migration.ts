/** One step of the schema's history. Applied once, in `version` order, in its own transaction. */
export interface Migration {
  version: number;
  /** Short name for the migrations table and logs. */
  name: string;
  /** One or more statements; PostgreSQL DDL is transactional, so a failed step leaves no trace. */
  sql: string;
}
