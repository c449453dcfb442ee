import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BI_VIEWS, dropWorkspaceRole, grantWorkspaceRole, installBiViews, type BiSchemas } from '../../src/analytics/biViews.ts';
import { EXPORT_SPECS } from '../../src/analytics/exports/exportKinds.ts';
import { dropTestSchema, openTestPostgres, TEST_DATABASE_URL, type TestDatabase } from '../store/testDatabases.ts';
import { connectAs } from './connectAs.ts';
import { insertConversations } from './biFixtures.ts';

describe.skipIf(!TEST_DATABASE_URL)('BI views and per-workspace roles on PostgreSQL', () => {
  const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
  const role = `sb_bi_role_${suffix}`;
  let store: TestDatabase;
  let schemas: BiSchemas;
  let asRole: pg.Client;

  beforeAll(async () => {
    store = await openTestPostgres();
    const { rows } = await store.db.query<{ schema: string }>(`SELECT current_schema() AS schema`);
    schemas = { storeSchema: rows[0]?.schema ?? '', viewSchema: `sb_bi_views_${suffix}` };
    await insertConversations(store.db, 'mine', [
      { nativeId: 'm1', createdAt: '2026-03-01T10:00:00.000Z', cost: { currency: 'USD', total: '0.3', components: [['LLM', '0.1'], ['VOICE', '0.2']] } },
      { nativeId: 'm2', createdAt: '2026-03-02T10:00:00.000Z', cost: null },
    ]);
    await insertConversations(store.db, 'theirs', [
      { nativeId: 't1', createdAt: '2026-03-01T11:00:00.000Z', cost: { currency: 'USD', total: '9', components: [['LLM', '9']] } },
    ]);
    await installBiViews(store.db, schemas);
    await installBiViews(store.db, schemas); // idempotent: a second install changes nothing
    await grantWorkspaceRole(store.db, schemas, { role, workspaceId: 'mine', password: 'not-used-under-trust' });
    asRole = await connectAs(role);
  });
  afterAll(async () => {
    await asRole?.end();
    if (schemas) await dropWorkspaceRole(store.db, schemas, role);
    if (schemas) await dropTestSchema(schemas.viewSchema);
    await store?.dispose();
  });

  it('shows the role only its workspace, in every view and in the table itself', async () => {
    const conversations = await asRole.query(`SELECT workspace_id, native_id, cost_total::text AS cost FROM conversations ORDER BY native_id`);
    expect(conversations.rows).toEqual([
      { workspace_id: 'mine', native_id: 'm1', cost: '0.3' },
      { workspace_id: 'mine', native_id: 'm2', cost: null },
    ]);
    const lines = await asRole.query(`SELECT conversation_native_id, line::int, kind, amount::text FROM cost_lines ORDER BY line`);
    expect(lines.rows).toEqual([
      { conversation_native_id: 'm1', line: 1, kind: 'LLM', amount: '0.1' },
      { conversation_native_id: 'm1', line: 2, kind: 'VOICE', amount: '0.2' },
    ]);
    const table = await asRole.query(`SELECT DISTINCT workspace_id FROM ${schemas.storeSchema}.synced_records`);
    expect(table.rows).toEqual([{ workspace_id: 'mine' }]);
    for (const view of BI_VIEWS) {
      const { rows } = await asRole.query(`SELECT count(*)::int AS n FROM ${view} WHERE workspace_id <> 'mine'`);
      expect(rows).toEqual([{ n: 0 }]);
    }
    // The gateway's own role still sees every workspace.
    const all = await store.db.query<{ n: number }>(`SELECT count(DISTINCT workspace_id)::int AS n FROM synced_records`);
    expect(all.rows).toEqual([{ n: 2 }]);
  });

  it('is read-only and cannot read the role mapping or other tables', async () => {
    await expect(asRole.query(`DELETE FROM ${schemas.storeSchema}.synced_records`)).rejects.toThrow(/read-only transaction|permission denied/);
    await expect(asRole.query(`SELECT * FROM ${schemas.storeSchema}.bi_workspace_roles`)).rejects.toThrow(/permission denied/);
    await expect(asRole.query(`SELECT * FROM ${schemas.storeSchema}.batch_items`)).rejects.toThrow(/permission denied/);
  });

  it('the conversations view has the export\'s columns and workspace_id, as docs/bi.md says', async () => {
    const { rows } = await store.db.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'conversations'`,
      [schemas.viewSchema],
    );
    expect(rows.map((row) => row.name).sort()).toEqual(['workspace_id', ...EXPORT_SPECS.conversations.columns].sort());
    const ids = await asRole.query(`SELECT agent_id, prospect_id FROM conversations WHERE native_id = 'm1'`);
    expect(ids.rows).toEqual([{ agent_id: Buffer.from('sb1:VOICEOS:Agent:agent-1').toString('base64url'), prospect_id: null }]);
  });

  it('global ids in the views are the API\'s', async () => {
    const { rows } = await asRole.query<{ conversation_id: string }>(`SELECT conversation_id FROM conversations WHERE native_id = 'm1'`);
    expect(rows[0]?.conversation_id).toBe(Buffer.from('sb1:VOICEOS:Conversation:m1').toString('base64url'));
  });
});

describe.skipIf(!TEST_DATABASE_URL)('bi:sql grant is all or nothing', () => {
  const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
  const role = `sb_bi_grant_${suffix}`;
  let store: TestDatabase;
  let schemas: BiSchemas;
  const roleCount = async () => (await store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1`, [role])).rows;

  beforeAll(async () => {
    store = await openTestPostgres();
    const { rows } = await store.db.query<{ schema: string }>(`SELECT current_schema() AS schema`);
    schemas = { storeSchema: rows[0]?.schema ?? '', viewSchema: `sb_bi_views_${suffix}` };
  });
  afterAll(async () => {
    // Whatever a failing grant left behind, by hand (not through the code under test).
    await store?.db.exec(`DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN DROP OWNED BY ${role}; DROP ROLE ${role}; END IF; END $$`);
    if (schemas) await dropTestSchema(schemas.viewSchema);
    await store?.dispose();
  });

  it('refuses before the views are installed, naming the fix, and creates no role', async () => {
    await expect(grantWorkspaceRole(store.db, schemas, { role, workspaceId: 'mine', password: 'unused' })).rejects.toThrow(
      `The BI views are not installed (store schema ${schemas.storeSchema}, view schema ${schemas.viewSchema}): run \`npm run bi:sql -- views\` first`,
    );
    expect(await roleCount()).toEqual([{ n: 0 }]);
  });

  it('leaves no role, mapping or grant when a step after the role\'s creation fails', async () => {
    await installBiViews(store.db, schemas);
    // The policy's function gone: the grant fails at its last statements, after CREATE ROLE and the mapping row.
    await store.db.exec(`DROP POLICY bi_workspace_rows ON ${schemas.storeSchema}.synced_records; DROP FUNCTION ${schemas.storeSchema}.bi_workspace_of(text)`);
    await expect(grantWorkspaceRole(store.db, schemas, { role, workspaceId: 'mine' })).rejects.toThrow(/bi_workspace_of/);
    expect(await roleCount()).toEqual([{ n: 0 }]);
    expect((await store.db.query(`SELECT role_name FROM ${schemas.storeSchema}.bi_workspace_roles`)).rows).toEqual([]);

    // Installed again, the same grant goes through whole.
    await installBiViews(store.db, schemas);
    await grantWorkspaceRole(store.db, schemas, { role, workspaceId: 'mine' });
    expect(await roleCount()).toEqual([{ n: 1 }]);
    await dropWorkspaceRole(store.db, schemas, role);
    expect(await roleCount()).toEqual([{ n: 0 }]);
  });

  it('drops a role even where the views were never installed (one left behind by an earlier, non-atomic grant)', async () => {
    const bare = await openTestPostgres();
    try {
      const { rows } = await bare.db.query<{ schema: string }>(`SELECT current_schema() AS schema`);
      await bare.db.exec(`CREATE ROLE ${role} LOGIN`);
      await dropWorkspaceRole(bare.db, { storeSchema: rows[0]?.schema ?? '', viewSchema: `sb_bi_none_${suffix}` }, role);
      expect(await roleCount()).toEqual([{ n: 0 }]);
    } finally {
      await bare.dispose();
    }
  });
});
