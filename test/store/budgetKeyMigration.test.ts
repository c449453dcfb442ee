import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';
import { dropTestSchema, TEST_DATABASE_URL } from './testDatabases.ts';

/** A store migrated only as far as version 1, when budget keys still named the provider's host. */
interface OldStore {
  db: Database;
  dispose(): Promise<void>;
}

async function oldPglite(): Promise<OldStore> {
  const db = await openDatabase({ dataDir: 'memory://' });
  await migrate(db, MIGRATIONS.slice(0, 1));
  return { db, dispose: () => db.close() };
}

async function oldPostgres(): Promise<OldStore> {
  const schema = `sb_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema });
  await migrate(db, MIGRATIONS.slice(0, 1));
  return {
    db,
    dispose: async () => {
      await db.close();
      await dropTestSchema(schema);
    },
  };
}

const T0 = new Date('2026-11-20T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

interface OldBudget {
  key: string;
  configuredLimit: number;
  providerLimit: number | null;
  providerRemaining: number | null;
  observedAt: Date | null;
  blockedUntil: Date | null;
  probePending: boolean;
  pollDueAt: Date | null;
  pollOwner: string | null;
  updatedAt: Date;
}

async function insertBudget(db: Database, budget: OldBudget): Promise<void> {
  await db.query(
    `INSERT INTO budgets (budget_key, configured_limit, provider_limit, provider_remaining, observed_at,
                          blocked_until, probe_pending, poll_due_at, poll_owner, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      budget.key,
      budget.configuredLimit,
      budget.providerLimit,
      budget.providerRemaining,
      budget.observedAt,
      budget.blockedUntil,
      budget.probePending,
      budget.pollDueAt,
      budget.pollOwner,
      budget.updatedAt,
    ],
  );
}

/** One batch with one item per key, in the given states. */
async function insertItems(db: Database, items: readonly { budgetKey: string; state: string }[]): Promise<void> {
  const batchId = randomUUID();
  await db.query(
    `INSERT INTO batches (id, workspace_id, request_hash, item_count, created_at) VALUES ($1, 'demo', 'hash', $2, $3)`,
    [batchId, items.length, T0],
  );
  for (const [index, item] of items.entries()) {
    await db.query(
      `INSERT INTO batch_items (batch_id, index, request_id, workspace_id, provider, budget_key, agent_native_id,
                                channel, to_number, dynamic_variables, state, queued_at, updated_at)
       VALUES ($1, $2, $3, 'demo', 'ORATION', $4, 'agent-1', 'PHONE_OUTBOUND', '+14155550100', '{}'::jsonb, $5, $6, $6)`,
      [batchId, index, randomUUID(), item.budgetKey, item.state, T0],
    );
  }
}

const budget = (key: string, overrides: Partial<OldBudget> = {}): OldBudget => ({
  key,
  configuredLimit: 20,
  providerLimit: null,
  providerRemaining: null,
  observedAt: null,
  blockedUntil: null,
  probePending: false,
  pollDueAt: null,
  pollOwner: null,
  updatedAt: T0,
  ...overrides,
});

const stores: { name: string; open: () => Promise<OldStore>; enabled: boolean }[] = [
  { name: 'PGlite', open: oldPglite, enabled: true },
  { name: 'PostgreSQL', open: oldPostgres, enabled: TEST_DATABASE_URL !== '' },
];

for (const store of stores) {
  describe.runIf(store.enabled)(`migration 0002: budget keys by provider account (${store.name})`, () => {
    let opened: OldStore | null = null;
    afterEach(async () => {
      await opened?.dispose();
      opened = null;
    });

    it('rewrites old keys, merges the budgets of one account conservatively and moves its items along', async () => {
      opened = await store.open();
      const { db } = opened;
      // The demo account reached at two simulator ports (one per gateway start): two budgets for one account.
      await insertBudget(
        db,
        budget('ORATION:127.0.0.1:41234:demo-oration-workspace', {
          configuredLimit: 20,
          providerLimit: 18,
          providerRemaining: 5,
          observedAt: at(0),
          blockedUntil: at(30),
          probePending: false,
          pollDueAt: at(2),
          pollOwner: 'replica-a',
          updatedAt: at(1),
        }),
      );
      await insertBudget(
        db,
        budget('ORATION:127.0.0.1:50321:demo-oration-workspace', {
          configuredLimit: 15,
          providerLimit: null,
          providerRemaining: 9,
          observedAt: at(10),
          blockedUntil: null,
          probePending: true,
          pollDueAt: at(1),
          pollOwner: 'replica-b',
          updatedAt: at(11),
        }),
      );
      // The real API by name, and an IPv6 address with a port: one budget each, figures untouched.
      await insertBudget(db, budget('ORATION:www.oration.ai:0b7c9d2e-1f3a-4c5b-8d6e-7f8091a2b3c4', { configuredLimit: 7, providerRemaining: 3, observedAt: at(5) }));
      await insertBudget(db, budget('ORATION:[::1]:8080:acme-oration-workspace', { configuredLimit: 12 }));
      await insertItems(db, [
        { budgetKey: 'ORATION:127.0.0.1:41234:demo-oration-workspace', state: 'CREATED' },
        { budgetKey: 'ORATION:127.0.0.1:41234:demo-oration-workspace', state: 'ENDED' },
        { budgetKey: 'ORATION:127.0.0.1:50321:demo-oration-workspace', state: 'DISPATCHING' },
        { budgetKey: 'ORATION:127.0.0.1:50321:demo-oration-workspace', state: 'QUEUED' },
        { budgetKey: 'ORATION:www.oration.ai:0b7c9d2e-1f3a-4c5b-8d6e-7f8091a2b3c4', state: 'QUEUED' },
        { budgetKey: 'ORATION:[::1]:8080:acme-oration-workspace', state: 'CREATED' },
      ]);

      expect(await migrate(db, MIGRATIONS.slice(0, 2))).toEqual({ applied: [2], current: 2 });

      const { rows: budgets } = await db.query<{
        budget_key: string;
        configured_limit: number;
        provider_limit: number | null;
        provider_remaining: number | null;
        observed_at: Date | null;
        blocked_until: Date | null;
        probe_pending: boolean;
        poll_due_at: Date | null;
        poll_owner: string | null;
        updated_at: Date;
      }>('SELECT * FROM budgets ORDER BY budget_key');
      expect(budgets).toEqual([
        {
          budget_key: 'ORATION:0b7c9d2e-1f3a-4c5b-8d6e-7f8091a2b3c4',
          configured_limit: 7,
          provider_limit: null,
          provider_remaining: 3,
          observed_at: at(5),
          blocked_until: null,
          probe_pending: false,
          poll_due_at: null,
          poll_owner: null,
          updated_at: T0,
        },
        {
          budget_key: 'ORATION:acme-oration-workspace',
          configured_limit: 12,
          provider_limit: null,
          provider_remaining: null,
          observed_at: null,
          blocked_until: null,
          probe_pending: false,
          poll_due_at: null,
          poll_owner: null,
          updated_at: T0,
        },
        {
          budget_key: 'ORATION:demo-oration-workspace',
          configured_limit: 15,
          provider_limit: 18,
          provider_remaining: 5,
          observed_at: at(10),
          blocked_until: at(30),
          probe_pending: true,
          poll_due_at: at(1),
          poll_owner: null,
          updated_at: at(11),
        },
      ]);

      const { rows: items } = await db.query<{ budget_key: string; state: string }>(
        'SELECT budget_key, state FROM batch_items ORDER BY index',
      );
      expect(items).toEqual([
        { budget_key: 'ORATION:demo-oration-workspace', state: 'CREATED' },
        { budget_key: 'ORATION:demo-oration-workspace', state: 'ENDED' },
        { budget_key: 'ORATION:demo-oration-workspace', state: 'DISPATCHING' },
        { budget_key: 'ORATION:demo-oration-workspace', state: 'QUEUED' },
        { budget_key: 'ORATION:0b7c9d2e-1f3a-4c5b-8d6e-7f8091a2b3c4', state: 'QUEUED' },
        { budget_key: 'ORATION:acme-oration-workspace', state: 'CREATED' },
      ]);
    });

    it('leaves a store without old keys as it was', async () => {
      opened = await store.open();
      const { db } = opened;
      await insertBudget(db, budget('ORATION:already-new', { configuredLimit: 9 }));
      await insertItems(db, [{ budgetKey: 'ORATION:already-new', state: 'QUEUED' }]);
      await migrate(db);
      const { rows } = await db.query<{ budget_key: string; configured_limit: number }>(
        'SELECT budget_key, configured_limit FROM budgets',
      );
      expect(rows).toEqual([{ budget_key: 'ORATION:already-new', configured_limit: 9 }]);
      const { rows: items } = await db.query<{ budget_key: string }>('SELECT budget_key FROM batch_items');
      expect(items).toEqual([{ budget_key: 'ORATION:already-new' }]);
    });
  });
}
