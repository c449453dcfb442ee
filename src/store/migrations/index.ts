import { fanoutTables } from './0001_fanout_tables.ts';
import { budgetKeyByAccount } from './0002_budget_key_by_account.ts';
import { syncedStore } from './0003_synced_store.ts';
import { biColumns } from './0004_bi_columns.ts';
import { conversationStatsRollup } from './0005_conversation_stats_rollup.ts';
import { statsUnreportedSeconds } from './0006_stats_unreported_seconds.ts';
import type { Migration } from './migration.ts';

/** Every migration, in the order it is applied. Append only: never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [fanoutTables, budgetKeyByAccount, syncedStore, biColumns, conversationStatsRollup, statsUnreportedSeconds];

export type { Migration };
