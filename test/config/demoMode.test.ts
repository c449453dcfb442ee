import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { configRefusal } from './configRefusal.ts';

// Demo mode publishes its API key (`demo-key`) in the README. These rules keep it from ever being
// the key to a production gateway or to a real provider account by accident (issue 7, finding 6).

const workspacesFile = (): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'switchboard-demo-mode-')), 'workspaces.json');
  const workspace = { id: 'acme', apiKeys: ['a-key-of-at-least-16-chars'], providers: {} };
  writeFileSync(path, JSON.stringify({ workspaces: [workspace] }));
  return path;
};


const REAL_CREDENTIALS: [string, Record<string, string>][] = [
  ['ORATION_API_KEY', { ORATION_API_KEY: 'real-oration-secret', ORATION_WORKSPACE_ID: 'ws-real' }],
  ['TRATA_TOKEN', { TRATA_TOKEN: 'real-trata-secret' }],
  ['VOICEOS_TOKEN', { VOICEOS_TOKEN: 'real-voiceos-secret' }],
];

describe('demo mode', () => {
  it('starts with no configuration at all, on 127.0.0.1:4000 (npm start on a fresh machine)', () => {
    const { env, workspaces } = loadConfig({});
    expect(workspaces).toBeNull();
    expect(env.HOST).toBe('127.0.0.1');
    expect(env.PORT).toBe(4000);
  });

  it('takes only a spelled-out true or false for SWITCHBOARD_DEMO, the one boolean that overrides a safety check', () => {
    for (const spelling of ['yes', 'on', '1', 'y', 'enabled', 'TRUE', 'no', '0', '']) {
      expect(configRefusal({ NODE_ENV: 'production', SWITCHBOARD_DEMO: spelling })).toBe(
        'Invalid configuration, check each environment variable:\n  SWITCHBOARD_DEMO: must be true or false, spelled out (it overrides a safety check)',
      );
    }
    expect(loadConfig({ NODE_ENV: 'production', SWITCHBOARD_DEMO: 'true' }).workspaces).toBeNull();
  });

  it('keeps an explicit HOST in demo mode', () => {
    expect(loadConfig({ HOST: '0.0.0.0' }).env.HOST).toBe('0.0.0.0');
  });

  it('a configured deployment still listens on 0.0.0.0 by default', () => {
    const { env, workspaces } = loadConfig({ SWITCHBOARD_WORKSPACES_FILE: workspacesFile(), NODE_ENV: 'production' });
    expect(workspaces).toHaveLength(1);
    expect(env.HOST).toBe('0.0.0.0');
  });

  it('is refused under NODE_ENV=production, and the message says what to set', () => {
    const message = configRefusal({ NODE_ENV: 'production' });
    expect(message).toContain('NODE_ENV=production');
    expect(message).toContain('SWITCHBOARD_WORKSPACES_FILE');
    expect(message).toContain('SWITCHBOARD_DEMO=true');
  });

  it.each(REAL_CREDENTIALS)('is refused when a real provider credential (%s) is set, never printing it', (key, credentials) => {
    const message = configRefusal(credentials);
    expect(message).toContain(key);
    expect(message).toContain('SWITCHBOARD_WORKSPACES_FILE');
    expect(message).toContain('SWITCHBOARD_DEMO=true');
    for (const value of Object.values(credentials)) expect(message).not.toContain(value);
  });

  it('names every real credential that is set', () => {
    const message = configRefusal({ TRATA_TOKEN: 'real-trata-secret', VOICEOS_TOKEN: 'real-voiceos-secret' });
    expect(message).toContain('TRATA_TOKEN');
    expect(message).toContain('VOICEOS_TOKEN');
  });

  it.each(REAL_CREDENTIALS)('runs with %s when SWITCHBOARD_DEMO=true asks for it explicitly', (_key, credentials) => {
    const { env, workspaces } = loadConfig({ ...credentials, NODE_ENV: 'production', SWITCHBOARD_DEMO: 'true' });
    expect(workspaces).toBeNull();
    expect(env.SWITCHBOARD_DEMO).toBe(true);
    expect(env.HOST).toBe('127.0.0.1');
  });

  it('refuses SWITCHBOARD_DEMO=true beside a workspaces file (which one was meant?)', () => {
    const message = configRefusal({ SWITCHBOARD_DEMO: 'true', SWITCHBOARD_WORKSPACES_FILE: workspacesFile() });
    expect(message).toContain('SWITCHBOARD_DEMO');
    expect(message).toContain('SWITCHBOARD_WORKSPACES_FILE');
  });

  it('refuses SWITCHBOARD_DEMO=false without a workspaces file', () => {
    expect(configRefusal({ SWITCHBOARD_DEMO: 'false' })).toContain('SWITCHBOARD_WORKSPACES_FILE');
  });

  it('names SWITCHBOARD_DEMO when its value is not a boolean', () => {
    expect(configRefusal({ SWITCHBOARD_DEMO: 'sure' })).toContain('SWITCHBOARD_DEMO');
  });
});
