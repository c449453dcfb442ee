import { PGlite } from '@electric-sql/pglite';

/**
 * PGlite's start parameters with its buffer pool sized for the fan-out's working set. PGlite
 * takes PostgreSQL's 128 MB `shared_buffers` by default and touches most of it while it starts,
 * which made it most of the gateway's idle memory (about 230 MiB of it measured; BENCHMARKS.md).
 * The fan-out's tables are small and indexed: 16 MB holds them. Durability is unchanged: the
 * write-ahead log and the data files are written exactly as before, only the cache is smaller.
 */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  '-c',
  'shared_buffers=16MB',
  '-c',
  'wal_buffers=1MB',
];
