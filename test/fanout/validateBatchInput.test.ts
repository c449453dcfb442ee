import { describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/globalId.ts';
import type { Provider } from '../../src/domain/types.ts';
import { MAX_BATCH_SIZE } from '../../src/fanout/batchInput.ts';
import { checkAgentsExist } from '../../src/fanout/checkAgentsExist.ts';
import { requestHash } from '../../src/fanout/requestHash.ts';
import { validateBatchInput, type CreationSupport } from '../../src/fanout/validateBatchInput.ts';

const agent = (provider: Provider, nativeId: string) => toGlobalId({ provider, type: 'Agent', nativeId });
const ORATION_AGENT = agent('ORATION', 'agent-1');
const support = (provider: Provider): CreationSupport =>
  provider === 'ORATION'
    ? { kind: 'SUPPORTED', channels: ['PHONE_OUTBOUND', 'CHAT'] }
    : provider === 'TRATA'
      ? { kind: 'UNSUPPORTED' }
      : { kind: 'NOT_CONFIGURED' };

const call = (overrides: Record<string, unknown> = {}) => ({
  agentId: ORATION_AGENT,
  channel: 'PHONE_OUTBOUND',
  toNumber: '+14155550100',
  ...overrides,
});

describe('validateBatchInput', () => {
  // The prospect object is not in the GraphQL input (only prospectId), so its fields are checked here.
  it('refuses a lone UTF-16 surrogate in every kept string, naming the field', () => {
    const result = validateBatchInput(
      {
        idempotencyKey: 'k-\uD800',
        conversations: [call({ prospect: { name: '\uDFFFAnn', email: 'ann\uD83D@example.com', externalId: 'crm-\uDE00' } })],
      },
      support,
    );
    expect(result.problems.map((problem) => `${problem.field}: ${problem.message}`)).toEqual([
      'idempotencyKey: must be well-formed Unicode text (a lone UTF-16 surrogate is not)',
      'conversations[0].prospect.name: must be well-formed Unicode text (a lone UTF-16 surrogate is not)',
      'conversations[0].prospect.email: must be well-formed Unicode text (a lone UTF-16 surrogate is not)',
      'conversations[0].prospect.externalId: must be well-formed Unicode text (a lone UTF-16 surrogate is not)',
    ]);
  });

  it('normalizes a valid request', () => {
    const result = validateBatchInput(
      {
        idempotencyKey: 'k-1',
        conversations: [
          call({ dynamicVariables: { name: 'Ada', n: 3, vip: true }, prospect: { name: 'Ada', externalId: 'crm-7' } }),
          { agentId: ORATION_AGENT, channel: 'CHAT' },
          call({ toNumber: null, sipTrunkAddress: 'sip:agent@trunk.example.com' }),
        ],
      },
      support,
    );
    expect(result.problems).toEqual([]);
    expect(result.idempotencyKey).toBe('k-1');
    expect(result.items).toEqual([
      {
        index: 0,
        provider: 'ORATION',
        agentNativeId: 'agent-1',
        channel: 'PHONE_OUTBOUND',
        toNumber: '+14155550100',
        sipTrunkAddress: null,
        dynamicVariables: { name: 'Ada', n: 3, vip: true },
        prospect: { name: 'Ada', email: null, externalId: 'crm-7' },
      },
      expect.objectContaining({ index: 1, channel: 'CHAT', toNumber: null, dynamicVariables: {}, prospect: null }),
      expect.objectContaining({ index: 2, toNumber: null, sipTrunkAddress: 'sip:agent@trunk.example.com' }),
    ]);
  });

  it('refuses a channel the provider cannot create, per item, as UNSUPPORTED_BY_PROVIDER', () => {
    const result = validateBatchInput(
      { conversations: [{ agentId: ORATION_AGENT, channel: 'CHAT' }, { agentId: ORATION_AGENT, channel: 'WEB' }] },
      support,
    );
    expect(result.items.map((item) => item.index)).toEqual([0]);
    expect(result.problems).toEqual([
      {
        index: 1,
        field: 'conversations[1].channel',
        message: 'ORATION cannot create WEB conversations (it can: PHONE_OUTBOUND, CHAT)',
        code: 'UNSUPPORTED_BY_PROVIDER',
      },
    ]);
  });

  it('names every problem of every item with its field', () => {
    const result = validateBatchInput(
      {
        idempotencyKey: '',
        conversations: [
          call(),
          call({ toNumber: '+1 415 555 0100' }),
          call({ toNumber: null }),
          call({ agentId: agent('TRATA', 'aia.1.x') }),
          call({ agentId: agent('VOICEOS', 'v-1') }),
          call({ agentId: toGlobalId({ provider: 'ORATION', type: 'Conversation', nativeId: 'c' }) }),
          call({ dynamicVariables: { ok: 'x', list: [1], nothing: null, big: 'x'.repeat(2001), inf: Number.POSITIVE_INFINITY } }),
          call({ dynamicVariables: { switchboardRequestId: 'mine', 'bad\u0001key': 'v', ['k'.repeat(65)]: 'v' } }),
          call({ dynamicVariables: 'customer=Ada' }),
          call({ channel: 'SMS', prospect: { name: 42, phone: '+1' } }),
          'not an object',
        ] as never,
      },
      support,
    );
    expect(result.items.map((item) => item.index)).toEqual([0]);
    expect(result.problems.map((p) => `${p.index ?? '-'} ${p.field} ${p.code}`)).toEqual([
      '- idempotencyKey INVALID',
      '1 conversations[1].toNumber INVALID',
      '2 conversations[2].toNumber INVALID',
      '3 conversations[3].agentId UNSUPPORTED_BY_PROVIDER',
      '4 conversations[4].agentId UNSUPPORTED_BY_PROVIDER',
      '5 conversations[5].agentId INVALID',
      '6 conversations[6].dynamicVariables.list INVALID',
      '6 conversations[6].dynamicVariables.nothing INVALID',
      '6 conversations[6].dynamicVariables.big INVALID',
      '6 conversations[6].dynamicVariables.inf INVALID',
      '7 conversations[7].dynamicVariables.switchboardRequestId INVALID',
      '7 conversations[7].dynamicVariables INVALID',
      '7 conversations[7].dynamicVariables INVALID',
      '8 conversations[8].dynamicVariables INVALID',
      '9 conversations[9].channel INVALID',
      '9 conversations[9].prospect.name INVALID',
      '9 conversations[9].prospect.phone INVALID',
      '10 conversations[10] INVALID',
    ]);
    // Agents of items with other problems are still listed, so their existence is checked too.
    expect(result.agents.map((ref) => ref.index)).toEqual([0, 1, 2, 6, 7, 8, 9]);
  });

  it('refuses a whole number past 2^53 in dynamicVariables, whose digits JSON has already lost, and keeps the largest exact one', () => {
    // Found trying the API as an operator: an account number sent as a number reached the call as 12345678901234567000.
    const result = validateBatchInput(
      { conversations: [call({ dynamicVariables: { account: 12345678901234567890, below: -9007199254740992, largest: 9007199254740991, rate: 0.125 } })] },
      support,
    );
    expect(result.problems).toEqual([
      {
        index: 0,
        field: 'conversations[0].dynamicVariables.account',
        message: 'is too large to be exact as a JSON number (past ±9007199254740991, 2^53 - 1, its digits are already lost): send it as a string',
        code: 'INVALID',
      },
      {
        index: 0,
        field: 'conversations[0].dynamicVariables.below',
        message: 'is too large to be exact as a JSON number (past ±9007199254740991, 2^53 - 1, its digits are already lost): send it as a string',
        code: 'INVALID',
      },
    ]);
    expect(result.items).toEqual([]);
  });

  it('refuses an empty batch and one over the documented maximum without looking at items', () => {
    expect(validateBatchInput({ conversations: [] }, support).problems).toEqual([
      { index: null, field: 'conversations', message: 'must hold at least one conversation', code: 'INVALID' },
    ]);
    const tooMany = validateBatchInput({ conversations: Array.from({ length: MAX_BATCH_SIZE + 1 }, () => call()) }, support);
    expect(tooMany.problems).toHaveLength(1);
    expect(tooMany.problems[0]?.message).toContain(String(MAX_BATCH_SIZE));
    const distinctNumbers = Array.from({ length: MAX_BATCH_SIZE }, (_, index) => call({ toNumber: `+1415555${String(index).padStart(4, '0')}` }));
    expect(validateBatchInput({ conversations: distinctNumbers }, support).problems).toEqual([]);
  });
});

describe('checkAgentsExist', () => {
  it('looks agents up once per provider over distinct ids and names the items of missing ones', async () => {
    const calls: [Provider, string[]][] = [];
    const problems = await checkAgentsExist(
      [
        { index: 0, provider: 'ORATION', agentNativeId: 'a' },
        { index: 1, provider: 'ORATION', agentNativeId: 'gone' },
        { index: 2, provider: 'ORATION', agentNativeId: 'a' },
        { index: 3, provider: 'VOICEOS', agentNativeId: 'gone' },
      ],
      async (provider, ids) => {
        calls.push([provider, [...ids]]);
        return ids.map((id) => (id === 'gone' ? null : { id }));
      },
    );
    expect(calls).toEqual([
      ['ORATION', ['a', 'gone']],
      ['VOICEOS', ['gone']],
    ]);
    expect(problems.map((p) => [p.index, p.field, p.code])).toEqual([
      [1, 'conversations[1].agentId', 'NOT_FOUND'],
      [3, 'conversations[3].agentId', 'NOT_FOUND'],
    ]);
  });
});

describe('requestHash', () => {
  it('ignores the order of object keys but not the order or content of items', () => {
    const items = validateBatchInput({ conversations: [call({ dynamicVariables: { a: 1, b: 'x' } }), call()] }, support).items;
    const reordered = validateBatchInput({ conversations: [call({ dynamicVariables: { b: 'x', a: 1 } }), call()] }, support).items;
    const swapped = [...items].reverse();
    const changed = validateBatchInput({ conversations: [call({ dynamicVariables: { a: 2, b: 'x' } }), call()] }, support).items;
    expect(requestHash(reordered)).toBe(requestHash(items));
    expect(requestHash(swapped)).not.toBe(requestHash(items));
    expect(requestHash(changed)).not.toBe(requestHash(items));
  });
});
