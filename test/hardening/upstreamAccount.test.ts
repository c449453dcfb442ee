import { describe, expect, it } from 'vitest';
import { upstreamAccountOf } from '../../src/providers/resilience/upstreamAccount.ts';

describe('upstreamAccountOf', () => {
  const oration = (apiKey: string, workspaceId: string) => ({ 'x-api-key': apiKey, 'x-workspace-id': workspaceId });

  it('names one account per API origin and credentials, whatever the header order or base path', () => {
    const one = upstreamAccountOf('https://www.oration.ai/api/v2', oration('key-1', 'ws-1'));
    expect(upstreamAccountOf('https://www.oration.ai/api/v2/', { 'x-workspace-id': 'ws-1', 'x-api-key': 'key-1' })).toBe(one);
    expect(upstreamAccountOf('https://www.oration.ai/other', oration('key-1', 'ws-1'))).toBe(one);
    const others = [
      upstreamAccountOf('https://www.oration.ai/api/v2', oration('key-2', 'ws-1')),
      upstreamAccountOf('https://www.oration.ai/api/v2', oration('key-1', 'ws-2')),
      upstreamAccountOf('https://staging.oration.ai/api/v2', oration('key-1', 'ws-1')),
    ];
    expect(new Set([one, ...others]).size).toBe(4);
  });

  it('never carries the secret', () => {
    const secret = 'sk-live-0123456789abcdef';
    const account = upstreamAccountOf('https://api.trata.ai', { authorization: `Bearer ${secret}` });
    expect(account).toMatch(/^[0-9a-f]{32}$/);
    expect(account).not.toContain(secret.slice(0, 8));
  });
});
