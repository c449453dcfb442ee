import type { Database, Queryable } from '../store/database.ts';
import { COMPONENTS_OF, MESSAGES_OF } from './jsonArraySql.ts';

/**
 * Read-only SQL views of the synced store for BI tools' own PostgreSQL connectors (Metabase,
 * Grafana, Power BI), in a schema of their own, and database roles that see one workspace each.
 *
 * Isolation is PostgreSQL row-level security on `synced_records`: a policy lets a role read only
 * the rows of the workspace `bi_workspace_roles` maps it to. The views are `security_invoker`, so
 * the policy applies to whoever queries them (a plain view would run as its owner, the gateway's
 * role, which RLS does not restrict). The gateway's own role owns the table and is not subject to
 * RLS (no FORCE), so the gateway reads everything as before. PostgreSQL 15 or later.
 */
export interface BiSchemas {
  /** The gateway's store schema (`SWITCHBOARD_DATABASE_SCHEMA`, `public` by default). */
  storeSchema: string;
  /** Where the views go. @default 'switchboard_bi' */
  viewSchema: string;
}

export const BI_VIEWS = ['conversations', 'cost_lines', 'messages', 'agents'] as const;

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Identifiers are checked, not quoted: a schema or role name a person typed must be a plain one. */
export function checkIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`${what}: "${name.slice(0, 80)}" must be a lower-case SQL identifier (a-z, 0-9, _; at most 63)`);
  return name;
}

/** Global ids as the GraphQL API writes them (base64url of `sb1:<provider>:<type>:<native id>`), so rows join with API results. */
const globalId = (type: string, provider: string, nativeId: string) =>
  `translate(rtrim(replace(encode(convert_to('sb1:' || ${provider} || ':${type}:' || ${nativeId}, 'UTF8'), 'base64'), E'\\n', ''), '='), '+/', '-_')`;

function viewsSql({ storeSchema: s, viewSchema: v }: BiSchemas): string {
  const utc = (expression: string) => `(${expression})::timestamptz`;
  return `
CREATE SCHEMA IF NOT EXISTS ${v};
CREATE TABLE IF NOT EXISTS ${s}.bi_workspace_roles (
  role_name    text PRIMARY KEY,
  workspace_id text NOT NULL
);
-- SECURITY DEFINER: the policy looks a role's workspace up without the role reading the mapping.
-- The role is an argument because inside the function current_user is the function's owner.
CREATE OR REPLACE FUNCTION ${s}.bi_workspace_of(role_name text) RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ${s}, pg_temp
  AS $$ SELECT w.workspace_id FROM ${s}.bi_workspace_roles w WHERE w.role_name = bi_workspace_of.role_name $$;
REVOKE ALL ON FUNCTION ${s}.bi_workspace_of(text) FROM PUBLIC;
ALTER TABLE ${s}.synced_records ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS bi_workspace_rows ON ${s}.synced_records;
CREATE POLICY bi_workspace_rows ON ${s}.synced_records FOR SELECT
  USING (workspace_id = ${s}.bi_workspace_of(current_user::text));

CREATE OR REPLACE VIEW ${v}.conversations WITH (security_invoker = true, security_barrier = true) AS
SELECT r.workspace_id, ${globalId('Conversation', 'r.provider', 'r.native_id')} AS conversation_id,
       r.provider, r.native_id, r.version, r.change_seq, r.status, r.channel, r.end_reason, r.sentiment, r.prospect_status,
       r.agent_native_id, r.prospect_native_id, r.created_at,
       ${utc(`r.record->'startedAt'->>'$instant'`)} AS started_at, ${utc(`r.record->'endedAt'->>'$instant'`)} AS ended_at,
       r.provider_updated_at, r.synced_at, r.duration_seconds, r.talk_seconds, r.ring_seconds,
       r.cost_currency, r.cost_total, r.message_count, r.record->>'summary' AS summary,
       -- Last, not in the export's order: CREATE OR REPLACE VIEW can only add columns at the end, so installed views upgrade in place.
       ${globalId('Agent', 'r.provider', 'r.agent_native_id')} AS agent_id, ${globalId('Prospect', 'r.provider', 'r.prospect_native_id')} AS prospect_id,
       r.record->'fromNumber'->>'raw' AS from_number, r.record->'toNumber'->>'raw' AS to_number
  FROM ${s}.synced_records r WHERE r.kind = 'Conversation';

CREATE OR REPLACE VIEW ${v}.cost_lines WITH (security_invoker = true, security_barrier = true) AS
SELECT r.workspace_id, ${globalId('Conversation', 'r.provider', 'r.native_id')} AS conversation_id,
       r.provider, r.native_id AS conversation_native_id, r.created_at AS conversation_created_at, x.position AS line,
       x.item->>'kind' AS kind, x.item->>'provider' AS component_provider, r.cost_currency AS currency,
       (x.item->'amount'->>'$decimal')::numeric AS amount
  FROM ${s}.synced_records r
  CROSS JOIN LATERAL ${COMPONENTS_OF('r')} WITH ORDINALITY AS x(item, position)
 WHERE r.kind = 'Conversation';

CREATE OR REPLACE VIEW ${v}.messages WITH (security_invoker = true, security_barrier = true) AS
SELECT r.workspace_id, ${globalId('Conversation', 'r.provider', 'r.native_id')} AS conversation_id,
       r.provider, r.native_id AS conversation_native_id, x.position, x.item->>'id' AS message_id,
       x.item->'speaker'->>'value' AS speaker, x.item->>'text' AS text, ${utc(`x.item->'at'->>'$instant'`)} AS at
  FROM ${s}.synced_records r
  CROSS JOIN LATERAL ${MESSAGES_OF('r')} WITH ORDINALITY AS x(item, position)
 WHERE r.kind = 'Conversation';

CREATE OR REPLACE VIEW ${v}.agents WITH (security_invoker = true, security_barrier = true) AS
SELECT r.workspace_id, ${globalId('Agent', 'r.provider', 'r.native_id')} AS agent_id, r.provider, r.native_id,
       r.record->>'name' AS name, r.record->'llm'->>'model' AS llm_model, r.record->'voice'->>'voice' AS voice,
       (r.record->>'maxDurationSeconds')::numeric AS max_duration_seconds, r.synced_at
  FROM ${s}.synced_records r WHERE r.kind = 'Agent';
`;
}

/** Creates (or replaces) the views, the mapping table and the row-level security policy. Idempotent. */
export async function installBiViews(db: Queryable, schemas: BiSchemas): Promise<void> {
  checkIdentifier(schemas.storeSchema, 'store schema');
  checkIdentifier(schemas.viewSchema, 'view schema');
  await db.exec(viewsSql(schemas));
}

/**
 * Gives `role` (created if missing, LOGIN) read access to the views, seeing only `workspaceId`'s
 * rows. The role gets SELECT on the views and on `synced_records` (the invoker's rights the views
 * need; RLS limits both to the workspace), nothing else, and its default `search_path` is the views.
 *
 * All or nothing, in one transaction (PostgreSQL's roles and grants are transactional): a grant
 * that fails half-way, e.g. before the views were installed, must not leave a LOGIN role behind
 * that no mapping or policy was made for.
 */
export async function grantWorkspaceRole(
  db: Pick<Database, 'transaction'>,
  schemas: BiSchemas,
  grant: { role: string; workspaceId: string; password?: string },
): Promise<void> {
  const { storeSchema: s, viewSchema: v } = schemas;
  const role = checkIdentifier(grant.role, 'role');
  checkIdentifier(s, 'store schema');
  checkIdentifier(v, 'view schema');
  await db.transaction(async (tx) => {
    await checkViewsInstalled(tx, schemas);
    const { rows } = await tx.query<{ exists: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists`, [role]);
    if (!rows[0]?.exists) await tx.exec(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT`);
    if (grant.password !== undefined) {
      const { rows: quoted } = await tx.query<{ literal: string }>(`SELECT quote_literal($1) AS literal`, [grant.password]);
      await tx.exec(`ALTER ROLE ${role} PASSWORD ${quoted[0]?.literal ?? "''"}`);
    }
    await tx.query(
      `INSERT INTO ${s}.bi_workspace_roles (role_name, workspace_id) VALUES ($1, $2)
       ON CONFLICT (role_name) DO UPDATE SET workspace_id = EXCLUDED.workspace_id`,
      [role, grant.workspaceId],
    );
    await tx.exec(`
GRANT USAGE ON SCHEMA ${s}, ${v} TO ${role};
GRANT SELECT ON ${s}.synced_records TO ${role};
GRANT SELECT ON ${BI_VIEWS.map((view) => `${v}.${view}`).join(', ')} TO ${role};
GRANT EXECUTE ON FUNCTION ${s}.bi_workspace_of(text) TO ${role};
ALTER ROLE ${role} SET search_path = ${v};
ALTER ROLE ${role} SET default_transaction_read_only = on;
`);
  });
}

/** Refuses, naming the fix, when `installBiViews` has not run for these schemas. */
async function checkViewsInstalled(db: Queryable, { storeSchema: s, viewSchema: v }: BiSchemas): Promise<void> {
  const { rows } = await db.query<{ mapping: boolean; views: number }>(
    `SELECT to_regclass($1) IS NOT NULL AS mapping,
            (SELECT count(*)::int FROM pg_views WHERE schemaname = $2 AND viewname = ANY($3::text[])) AS views`,
    [`${s}.bi_workspace_roles`, v, [...BI_VIEWS]],
  );
  if (!rows[0]?.mapping || rows[0].views !== BI_VIEWS.length) {
    throw new Error(`The BI views are not installed (store schema ${s}, view schema ${v}): run \`npm run bi:sql -- views\` first`);
  }
}

/** Takes a role's access away and drops it (its mapping row too), in one transaction. */
export async function dropWorkspaceRole(db: Pick<Database, 'transaction'>, schemas: BiSchemas, role: string): Promise<void> {
  checkIdentifier(role, 'role');
  const s = checkIdentifier(schemas.storeSchema, 'store schema');
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ exists: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists`, [role]);
    // The mapping table exists only once the views were installed; a role may be dropped either way.
    const { rows: mapping } = await tx.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [`${s}.bi_workspace_roles`]);
    if (mapping[0]?.exists) await tx.query(`DELETE FROM ${s}.bi_workspace_roles WHERE role_name = $1`, [role]);
    if (rows[0]?.exists) await tx.exec(`DROP OWNED BY ${role}; DROP ROLE ${role};`);
  });
}
