import { describe, expect, it } from 'vitest';
import { exportLimitsOf, loadConfig } from '../../src/config.ts';
import { configRefusal } from './configRefusal.ts';

const POSTGRES = { DATABASE_URL: 'postgres://gateway@db/switchboard' };

describe('export limits configuration', () => {
  it('caps exports at a third of the pool (3), 2 per workspace, and aborts a 30 s stall by default', () => {
    expect(exportLimitsOf(loadConfig({}).env)).toEqual({ maxConcurrent: 3, maxPerWorkspace: 2, stallTimeoutMs: 30_000 });
    expect(exportLimitsOf(loadConfig(POSTGRES).env)).toEqual({ maxConcurrent: 3, maxPerWorkspace: 2, stallTimeoutMs: 30_000 });
  });

  it('reads each limit from its variable; the per-workspace share follows a changed cap', () => {
    const env = loadConfig({ SWITCHBOARD_EXPORT_MAX_CONCURRENT: '6', SWITCHBOARD_EXPORT_MAX_PER_WORKSPACE: '4', SWITCHBOARD_EXPORT_STALL_TIMEOUT_MS: '5000' }).env;
    expect(exportLimitsOf(env)).toEqual({ maxConcurrent: 6, maxPerWorkspace: 4, stallTimeoutMs: 5_000 });
    expect(exportLimitsOf(loadConfig({ SWITCHBOARD_EXPORT_MAX_CONCURRENT: '5' }).env).maxPerWorkspace).toBe(3);
  });

  it.each(['SWITCHBOARD_EXPORT_MAX_CONCURRENT', 'SWITCHBOARD_EXPORT_MAX_PER_WORKSPACE', 'SWITCHBOARD_EXPORT_STALL_TIMEOUT_MS'])('names %s when it is not a positive whole number', (key) => {
    expect(configRefusal({ [key]: '0' })).toContain(key);
    expect(configRefusal({ [key]: 'lots' })).toContain(key);
  });

  it('refuses, on PostgreSQL, a cap that would let exports hold the whole pool', () => {
    expect(configRefusal({ ...POSTGRES, SWITCHBOARD_EXPORT_MAX_CONCURRENT: '10' })).toBe(
      'Invalid configuration: SWITCHBOARD_EXPORT_MAX_CONCURRENT (10) must be less than SWITCHBOARD_DATABASE_POOL_SIZE (10): ' +
        'each running export holds one of the pool\'s connections, and the rest of the gateway needs some; lower the cap or raise the pool',
    );
    expect(exportLimitsOf(loadConfig({ ...POSTGRES, SWITCHBOARD_EXPORT_MAX_CONCURRENT: '9' }).env).maxConcurrent).toBe(9);
    // PGlite's exports hold no connection between batches: no such bound.
    expect(exportLimitsOf(loadConfig({ SWITCHBOARD_EXPORT_MAX_CONCURRENT: '10' }).env).maxConcurrent).toBe(10);
  });

  it('refuses a workspace share larger than the replica\'s cap, naming both', () => {
    expect(configRefusal({ SWITCHBOARD_EXPORT_MAX_PER_WORKSPACE: '4' })).toBe(
      'Invalid configuration: SWITCHBOARD_EXPORT_MAX_PER_WORKSPACE must not exceed SWITCHBOARD_EXPORT_MAX_CONCURRENT (its default, 3)',
    );
    expect(configRefusal({ SWITCHBOARD_EXPORT_MAX_CONCURRENT: '2', SWITCHBOARD_EXPORT_MAX_PER_WORKSPACE: '3' })).toBe(
      'Invalid configuration: SWITCHBOARD_EXPORT_MAX_PER_WORKSPACE must not exceed SWITCHBOARD_EXPORT_MAX_CONCURRENT (2)',
    );
  });
});

describe('PostgreSQL pool size', () => {
  it('is 10 connections unless SWITCHBOARD_DATABASE_POOL_SIZE says otherwise', () => {
    expect(loadConfig({}).env.SWITCHBOARD_DATABASE_POOL_SIZE).toBe(10);
    expect(loadConfig({ ...POSTGRES, SWITCHBOARD_DATABASE_POOL_SIZE: '25' }).env.SWITCHBOARD_DATABASE_POOL_SIZE).toBe(25);
  });

  it.each([
    ['lots', 'must be a whole number of connections'],
    ['2.5', 'must be a whole number of connections'],
    ['', 'is empty: unset it for its default, or set a number'],
    ['1', 'must be at least 2: the export cap, at least 1, must stay below it'],
    ['0', 'must be at least 2: the export cap, at least 1, must stay below it'],
  ])('refuses %j, naming the variable and why', (value, why) => {
    expect(configRefusal({ ...POSTGRES, SWITCHBOARD_DATABASE_POOL_SIZE: value })).toBe(
      `Invalid configuration, check each environment variable:\n  SWITCHBOARD_DATABASE_POOL_SIZE: ${why}`,
    );
  });

  it('sets the export cap\'s default on PostgreSQL: a third of the pool, at least 1, and half of that per workspace', () => {
    const limitsWithPool = (size: string) => exportLimitsOf(loadConfig({ ...POSTGRES, SWITCHBOARD_DATABASE_POOL_SIZE: size }).env);
    expect(limitsWithPool('20')).toEqual({ maxConcurrent: 6, maxPerWorkspace: 3, stallTimeoutMs: 30_000 });
    expect(limitsWithPool('5')).toEqual({ maxConcurrent: 1, maxPerWorkspace: 1, stallTimeoutMs: 30_000 });
    expect(limitsWithPool('2')).toEqual({ maxConcurrent: 1, maxPerWorkspace: 1, stallTimeoutMs: 30_000 });
    // The embedded store has no pool: the setting is PostgreSQL's, and PGlite keeps the default cap.
    expect(exportLimitsOf(loadConfig({ SWITCHBOARD_DATABASE_POOL_SIZE: '30' }).env)).toEqual({ maxConcurrent: 3, maxPerWorkspace: 2, stallTimeoutMs: 30_000 });
  });

  it('refuses an export cap at or past a configured pool, and takes one below it', () => {
    expect(configRefusal({ ...POSTGRES, SWITCHBOARD_DATABASE_POOL_SIZE: '6', SWITCHBOARD_EXPORT_MAX_CONCURRENT: '6' })).toBe(
      'Invalid configuration: SWITCHBOARD_EXPORT_MAX_CONCURRENT (6) must be less than SWITCHBOARD_DATABASE_POOL_SIZE (6): ' +
        'each running export holds one of the pool\'s connections, and the rest of the gateway needs some; lower the cap or raise the pool',
    );
    expect(configRefusal({ ...POSTGRES, SWITCHBOARD_DATABASE_POOL_SIZE: '4', SWITCHBOARD_EXPORT_MAX_CONCURRENT: '9' })).toContain('SWITCHBOARD_EXPORT_MAX_CONCURRENT (9) must be less than SWITCHBOARD_DATABASE_POOL_SIZE (4)');
    expect(exportLimitsOf(loadConfig({ ...POSTGRES, SWITCHBOARD_DATABASE_POOL_SIZE: '6', SWITCHBOARD_EXPORT_MAX_CONCURRENT: '5' }).env).maxConcurrent).toBe(5);
    // A larger pool makes room for a cap the default pool refuses.
    expect(exportLimitsOf(loadConfig({ ...POSTGRES, SWITCHBOARD_DATABASE_POOL_SIZE: '30', SWITCHBOARD_EXPORT_MAX_CONCURRENT: '12' }).env).maxConcurrent).toBe(12);
  });
});
