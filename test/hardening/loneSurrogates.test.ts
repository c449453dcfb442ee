import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

const CREATE = 'mutation($input: CreateConversationsInput!) { createConversations(input: $input) { id idempotencyKey } }';

/**
 * A lone UTF-16 surrogate is not text: encoded as UTF-8 (for the store, a hash, a provider) it
 * becomes U+FFFD, so two different strings turn into the same one, or the store refuses it. Every
 * string the gateway keeps is refused with the field named, like any other bad item.
 */
describe('lone UTF-16 surrogates in createConversations', () => {
  let gw: TestGateway;
  let agentId: string;
  const batchCount = async () => {
    const { body } = await gw.query<{ batches: { nodes: unknown[] } }>('{ batches(first: 100) { nodes { id } } }');
    return body.data!.batches.nodes.length;
  };
  const creates = () => gw.demo.simulators.oration!.server.count('POST /api/v2/conversations');

  beforeAll(async () => {
    gw = await startTestGateway();
    const { body } = await gw.query<{ agents: { nodes: { id: string }[] } }>('{ agents(first: 1, providers: [ORATION]) { nodes { id } } }');
    agentId = body.data!.agents.nodes[0]!.id;
  });
  afterAll(async () => {
    await gw.close();
  });

  const refused = async (input: Record<string, unknown>) => {
    const before = await batchCount();
    const createsBefore = creates();
    const { status, body } = await gw.query(CREATE, { input });
    expect(status).toBe(200);
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(await batchCount()).toBe(before);
    expect(creates()).toBe(createsBefore);
    return body.errors![0]!.extensions;
  };
  const problem = (index: number | null, field: string) => ({
    index,
    field,
    message: 'must be well-formed Unicode text (a lone UTF-16 surrogate is not)',
    code: 'INVALID',
  });

  it.each([
    ['a variable value', { dynamicVariables: { name: 'Ann\uD800' } }, 'conversations[0].dynamicVariables.name'],
    ['the SIP trunk address', { channel: 'PHONE_OUTBOUND', sipTrunkAddress: 'sip:ann\uD800@trunk.example.com' }, 'conversations[0].sipTrunkAddress'],
  ])('in %s: BAD_USER_INPUT naming the field, nothing stored or sent', async (_, fields, field) => {
    const extensions = await refused({ conversations: [{ agentId, channel: 'CHAT', ...fields }] });
    expect(extensions).toEqual({ code: 'BAD_USER_INPUT', problems: [problem(0, field)] });
  });

  it('in a variable name: BAD_USER_INPUT naming the variables (the name itself is not text to echo back)', async () => {
    const extensions = await refused({ conversations: [{ agentId, channel: 'CHAT', dynamicVariables: { 'na\uDC00me': 'Ann' } }] });
    expect(extensions).toEqual({
      code: 'BAD_USER_INPUT',
      problems: [{ ...problem(0, 'conversations[0].dynamicVariables'), message: 'variable names must be well-formed Unicode text (a lone UTF-16 surrogate is not)' }],
    });
  });

  it('in ids: refused as ids this API never issued', async () => {
    const extensions = await refused({ conversations: [{ agentId, channel: 'CHAT', prospectId: `${agentId}\uD800` }] });
    expect(extensions).toEqual({
      code: 'BAD_USER_INPUT',
      problems: [{ index: 0, field: 'conversations[0].prospectId', message: 'must be the id of a Prospect', code: 'INVALID' }],
    });
  });

  it('in the idempotency key: refused, so two different keys can never collide', async () => {
    for (const idempotencyKey of ['retry-\uD800', 'retry-\uD801']) {
      const extensions = await refused({ conversations: [{ agentId, channel: 'CHAT' }], idempotencyKey });
      expect(extensions).toEqual({ code: 'BAD_USER_INPUT', problems: [problem(null, 'idempotencyKey')] });
    }
  });

  it('a well-formed surrogate pair (an emoji) is text and is kept exactly', async () => {
    const { body } = await gw.query<{ createConversations: { id: string; idempotencyKey: string } }>(CREATE, {
      input: { conversations: [{ agentId, channel: 'CHAT', dynamicVariables: { mood: '\uD83D\uDE00' } }], idempotencyKey: 'key-\uD83D\uDE00' },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data!.createConversations.idempotencyKey).toBe('key-\uD83D\uDE00');
  });
});
