import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { configRefusal } from './configRefusal.ts';

const workspacesFile = (content: unknown): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'switchboard-config-')), 'workspaces.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

const validWorkspace = {
  id: 'acme',
  apiKeys: ['a-key-of-at-least-16-chars'],
  providers: {
    oration: { baseUrl: 'https://www.oration.ai/api/v2', apiKey: 'oration-secret-value', workspaceId: 'ws-1' },
    trata: { baseUrl: 'https://api.trata.ai', token: 'trata-secret-value' },
  },
};


describe('configuration', () => {
  it('names each SWITCHBOARD_ variable that is no setting, with the settings it most likely meant', () => {
    // A misspelt SWITCHBOARD_DATADIR put the store in the default .data/pglite without a word.
    const { unknownSettings } = loadConfig({ SWITCHBOARD_DATADIR: '/tmp/x', SWITCHBOARD_MAX_COSTS: '1', SWITCHBOARD_BI_SCHEMA: 'bi', SWITCHBOARD_DATA_DIR: '.data/pglite', OTHER_TOOL_SETTING: '1' });
    expect(unknownSettings).toEqual([
      { name: 'SWITCHBOARD_DATADIR', didYouMean: ['SWITCHBOARD_DATA_DIR'] },
      { name: 'SWITCHBOARD_MAX_COSTS', didYouMean: ['SWITCHBOARD_MAX_COST'] },
    ]);
    expect(loadConfig({}).unknownSettings).toEqual([]);
  });

  it('defaults to demo mode on port 4000 with the embedded store', () => {
    const { env, workspaces } = loadConfig({});
    expect(workspaces).toBeNull();
    expect(env.PORT).toBe(4000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SWITCHBOARD_DATA_DIR).toBe('.data/pglite');
  });

  it('reads workspaces, their keys and provider accounts from a file, with defaults', () => {
    const { workspaces } = loadConfig({ SWITCHBOARD_WORKSPACES_FILE: workspacesFile({ workspaces: [validWorkspace] }) });
    expect(workspaces).toHaveLength(1);
    expect(workspaces![0]!.providers.oration?.concurrencyLimit).toBe(20);
  });

  it('refuses an empty PORT naming it (coerced it was 0, a random port), and takes 0 as any free port', () => {
    expect(configRefusal({ PORT: '' })).toBe(
      'Invalid configuration, check each environment variable:\n  PORT: is empty: unset it for 4000, or set a port (0 for any free one)',
    );
    expect(configRefusal({ PORT: '  ' })).toBe(
      'Invalid configuration, check each environment variable:\n  PORT: is empty: unset it for 4000, or set a port (0 for any free one)',
    );
    expect(loadConfig({ PORT: '0' }).env.PORT).toBe(0);
    expect(loadConfig({ PORT: '8080' }).env.PORT).toBe(8080);
  });

  it('says what is wrong with a setting in plain words, not the validator\'s', () => {
    // "Too small: expected string to have >=1 characters" and "Too small: expected number to be >0" (an operator trial).
    expect(configRefusal({ SWITCHBOARD_WORKSPACES_FILE: '' })).toBe('Invalid configuration, check each environment variable:\n  SWITCHBOARD_WORKSPACES_FILE: must not be empty');
    const zeroBudget = workspacesFile({ workspaces: [{ ...validWorkspace, providers: { oration: { ...validWorkspace.providers.oration, concurrencyLimit: 0 } } }] });
    expect(configRefusal({ SWITCHBOARD_WORKSPACES_FILE: zeroBudget })).toBe(
      `Invalid configuration, check each key in ${zeroBudget}:\n  workspaces.0.providers.oration.concurrencyLimit: must be greater than 0`,
    );
    const noId = workspacesFile({ workspaces: [{ ...validWorkspace, id: undefined }] });
    expect(configRefusal({ SWITCHBOARD_WORKSPACES_FILE: noId })).toBe(`Invalid configuration, check each key in ${noId}:\n  workspaces.0.id: is required`);
  });

  it('says what a port is when PORT is not one, not the validator\'s words', () => {
    for (const port of ['70000', '4612abc', '-1']) {
      expect(configRefusal({ PORT: port })).toBe('Invalid configuration, check each environment variable:\n  PORT: must be a port number, 0 to 65535');
    }
    expect(configRefusal({ PORT: '4000.5' })).toBe('Invalid configuration, check each environment variable:\n  PORT: must be a whole port number, 0 to 65535');
  });

  it('refuses a duration past what a Node timer holds, for every *_MS setting, naming it', () => {
    // SWITCHBOARD_STORE_IDLE_MS=99999999999 was taken, and Node ran the timer after 1 ms
    // (TimeoutOverflowWarning): the store's process stopped after every statement (a helper's probe).
    const durations = Object.keys(loadConfig({}).env).filter((key) => key.endsWith('_MS'));
    expect(durations.length).toBeGreaterThan(10);
    // Past 2^53 too, in one line: it also said "must be at most 9007199254740991" (an operator trial).
    for (const key of durations) {
      for (const value of ['99999999999', '99999999999999999999']) {
        expect(configRefusal({ [key]: value })).toBe(
          `Invalid configuration, check each environment variable:\n  ${key}: must be at most 2147483647 ms (about 24.8 days), the longest a Node timer waits`,
        );
      }
    }
  });

  it('takes a number setting only in decimal digits: never 0x10 as 16, 1e3 as 1000, or an empty value as 0', () => {
    // SWITCHBOARD_RATE_LIMIT_PER_MINUTE left empty in a template was 0, no limit, without a word;
    // SWITCHBOARD_MAX_COST=1e3 was 1000 and SWITCHBOARD_UPSTREAM_RETRIES=0x10 was 16 (an operator trial).
    const optionalNumbers = ['SWITCHBOARD_FANOUT_RECONCILE_GRACE_MS', 'SWITCHBOARD_SYNC_RETENTION_DAYS', 'SWITCHBOARD_EXPORT_MAX_CONCURRENT', 'SWITCHBOARD_EXPORT_MAX_PER_WORKSPACE'];
    const numbers = [...Object.entries(loadConfig({}).env).filter(([, value]) => typeof value === 'number').map(([key]) => key), ...optionalNumbers];
    expect(numbers.length).toBe(44);
    const wholeNumber: Record<string, string> = {
      SWITCHBOARD_DATABASE_POOL_SIZE: 'must be a whole number of connections',
      SWITCHBOARD_SYNC_RETENTION_DAYS: 'must be a whole number of days, 1 or more',
      SWITCHBOARD_RATE_LIMIT_PER_MINUTE: 'must be a whole number of requests (0 for no limit)',
      SWITCHBOARD_DEMO_CALL_SECONDS: 'must be a number of seconds in decimal digits, such as 4 or 0.5',
      PORT: 'must be a port number, 0 to 65535',
    };
    const expectedFor = (key: string) => wholeNumber[key] ?? (key.endsWith('_MS') ? 'must be a whole number of milliseconds, in decimal digits' : 'must be a whole number, in decimal digits');
    for (const key of numbers) {
      for (const written of ['0x10', '1e3', '12abc', '-1']) {
        expect(configRefusal({ [key]: written }), `${key}=${written}`).toBe(`Invalid configuration, check each environment variable:\n  ${key}: ${expectedFor(key)}`);
      }
      const emptyReason = key === 'PORT' ? 'is empty: unset it for 4000, or set a port (0 for any free one)' : 'is empty: unset it for its default, or set a number';
      for (const written of ['', '  ']) {
        expect(configRefusal({ [key]: written }), `${key}=${JSON.stringify(written)}`).toBe(`Invalid configuration, check each environment variable:\n  ${key}: ${emptyReason}`);
      }
    }
    // Digits past what the setting can mean, in plain words (an outside trial: a retention of
    // 9999999999999 days was taken, and every sync pass then failed on "Invalid time value").
    const refusedAs = (env: Record<string, string>) => configRefusal(env).split('\n').slice(1);
    expect(refusedAs({ SWITCHBOARD_SYNC_RETENTION_DAYS: '9999999999999' })).toEqual(['  SWITCHBOARD_SYNC_RETENTION_DAYS: must be at most 36500 days (100 years); unset it to keep everything']);
    expect(refusedAs({ SWITCHBOARD_SYNC_RETENTION_DAYS: '0' })).toEqual(['  SWITCHBOARD_SYNC_RETENTION_DAYS: must be a whole number of days, 1 or more']);
    expect(refusedAs({ SWITCHBOARD_MAX_COST: '99999999999999999999999' })).toEqual(['  SWITCHBOARD_MAX_COST: must be at most 9007199254740991']);
    expect(refusedAs({ SWITCHBOARD_DEMO_CALL_SECONDS: '0' })).toEqual(['  SWITCHBOARD_DEMO_CALL_SECONDS: must be more than 0 seconds']);
    expect(refusedAs({ SWITCHBOARD_DEMO_CALL_SECONDS: '600.5' })).toEqual(['  SWITCHBOARD_DEMO_CALL_SECONDS: must be at most 600 seconds']);
    expect(refusedAs({ SWITCHBOARD_DEMO_CALL_SECONDS: '.5' })).toEqual(['  SWITCHBOARD_DEMO_CALL_SECONDS: must be a number of seconds in decimal digits, such as 4 or 0.5']);
    expect(loadConfig({ SWITCHBOARD_SYNC_RETENTION_DAYS: '36500' }).env.SWITCHBOARD_SYNC_RETENTION_DAYS).toBe(36500);
    expect(loadConfig({ SWITCHBOARD_RATE_LIMIT_PER_MINUTE: ' 600 ', SWITCHBOARD_DEMO_CALL_SECONDS: '2.5', SWITCHBOARD_UPSTREAM_RETRIES: '0' }).env).toMatchObject({
      SWITCHBOARD_RATE_LIMIT_PER_MINUTE: 600,
      SWITCHBOARD_DEMO_CALL_SECONDS: 2.5,
      SWITCHBOARD_UPSTREAM_RETRIES: 0,
    });
  });

  it('names the bad environment variable, never its value', () => {
    const message = configRefusal({ PORT: 'eighty', DATABASE_URL: 'mysql://user:hunter2@db/x' });
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('hunter2');
  });

  it('names the bad key inside the workspaces file, never the secret', () => {
    const bad = {
      workspaces: [{ ...validWorkspace, providers: { ...validWorkspace.providers, trata: { baseUrl: 'not a url', token: 'trata-secret-value' } } }],
    };
    const message = configRefusal({ SWITCHBOARD_WORKSPACES_FILE: workspacesFile(bad) });
    expect(message).toContain('workspaces.0.providers.trata.baseUrl');
    expect(message).not.toContain('trata-secret-value');
  });

  it('refuses a provider base URL that is not http or https, in the workspaces file and in the environment', () => {
    // Any URL was taken and started; then every call failed as the provider being unreachable (an operator trial).
    for (const baseUrl of ['ftp://x', 'file:///etc/passwd', 'javascript:alert(1)', 'htps://www.oration.ai/api/v2']) {
      const bad = { workspaces: [{ ...validWorkspace, providers: { ...validWorkspace.providers, trata: { baseUrl, token: 'trata-secret-value' } } }] };
      expect(configRefusal({ SWITCHBOARD_WORKSPACES_FILE: workspacesFile(bad) })).toContain('workspaces.0.providers.trata.baseUrl: must be an http:// or https:// URL');
      expect(configRefusal({ VOICEOS_TOKEN: 'voiceos-secret-value', VOICEOS_BASE_URL: baseUrl })).toContain('VOICEOS_BASE_URL: must be an http:// or https:// URL');
    }
  });

  it('refuses a credential that cannot go in an HTTP header, naming where it is and never the value', () => {
    // A new-user trial: the documented example's "…" placeholder started, then every provider call
    // failed as "could not be reached (UND_ERR_INVALID_ARG)", which sent them looking at the network.
    const message = configRefusal({
      SWITCHBOARD_WORKSPACES_FILE: workspacesFile({ workspaces: [{ ...validWorkspace, providers: { ...validWorkspace.providers, oration: { ...validWorkspace.providers.oration, apiKey: 'secret…' }, trata: { ...validWorkspace.providers.trata, token: 'tok en' } } }] }),
    });
    expect(message).toContain('workspaces.0.providers.oration.apiKey: must be printable ASCII without spaces (it is sent in an HTTP header)');
    expect(message).toContain('workspaces.0.providers.trata.token: must be printable ASCII without spaces (it is sent in an HTTP header)');
    expect(message).not.toContain('secret');
    expect(configRefusal({ SWITCHBOARD_WORKSPACES_FILE: workspacesFile({ workspaces: [{ ...validWorkspace, apiKeys: ['a-key-of-at-least-16-chars-é'] }] }) })).toContain(
      'workspaces.0.apiKeys.0: must be printable ASCII without spaces (it is sent in an HTTP header)',
    );
    expect(configRefusal({ TRATA_TOKEN: 'token\twith-a-tab' })).toContain('TRATA_TOKEN: must be printable ASCII without spaces (it is sent in an HTTP header)');
  });

  it('refuses short, shared or malformed workspace keys and unreadable files', () => {
    expect(configRefusal({ SWITCHBOARD_WORKSPACES_FILE: workspacesFile({ workspaces: [{ ...validWorkspace, apiKeys: ['short'] }] }) })).toContain(
      'workspaces.0.apiKeys.0',
    );
    const twice = { workspaces: [validWorkspace, { ...validWorkspace, id: 'other' }] };
    expect(configRefusal({ SWITCHBOARD_WORKSPACES_FILE: workspacesFile(twice) })).toContain('workspaces.1.apiKeys.0');
    expect(configRefusal({ SWITCHBOARD_WORKSPACES_FILE: workspacesFile('{ not json') })).toContain('not valid JSON');
    expect(configRefusal({ ORATION_API_KEY: 'k' })).toContain('ORATION_WORKSPACE_ID');
  });
});

describe('SWITCHBOARD_RATE_LIMIT_PER_MINUTE', () => {
  it('is 0, no limit, unless set', () => {
    expect(loadConfig({}).env.SWITCHBOARD_RATE_LIMIT_PER_MINUTE).toBe(0);
    expect(loadConfig({ SWITCHBOARD_RATE_LIMIT_PER_MINUTE: '600' }).env.SWITCHBOARD_RATE_LIMIT_PER_MINUTE).toBe(600);
  });

  it.each(['lots', '2.5', '-1'])('refuses %j, naming the variable', (value) => {
    expect(configRefusal({ SWITCHBOARD_RATE_LIMIT_PER_MINUTE: value })).toBe(
      'Invalid configuration, check each environment variable:\n  SWITCHBOARD_RATE_LIMIT_PER_MINUTE: must be a whole number of requests (0 for no limit)',
    );
  });
});
