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
      "Invalid configuration: SWITCHBOARD_EXPORT_MAX_CONCURRENT must be less than the PostgreSQL pool's 10 connections: each running export holds one, and the rest of the gateway needs some",
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
