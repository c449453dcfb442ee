import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/**
 * A `DateTime` or `Decimal` input the scalar refuses names the input field it was given for, in
 * the message and in `extensions`, whether it came as a literal in the query or in a variable.
 * Before, a literal's error said only "Decimal must be a string of digits…": no field, no location.
 */
describe('refused DateTime and Decimal inputs', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('name the argument and input field of a literal, with its location', async () => {
    const { status, body } = await gw.query(`{ conversationStats(filter: { providers: [ORATION], costMin: "abc" }) { timeZone } }`);
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: 'filter.costMin: Expected value of type "Decimal", found "abc"; Decimal must be a string of digits with an optional leading minus and fraction, such as "0.0352" or "-5"',
        locations: [{ line: 1, column: 62 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', field: 'filter.costMin' },
      },
    ]);
  });

  it('name a DateTime literal of the conversations filter too', async () => {
    const { body } = await gw.query(`{ conversations(filter: { createdAfter: "yesterday" }) { totalCount } }`);
    expect(body.errors?.map((error) => [error.extensions?.code, error.extensions?.field, error.message.split(';')[0]])).toEqual([
      ['GRAPHQL_VALIDATION_FAILED', 'filter.createdAfter', 'filter.createdAfter: Expected value of type "DateTime", found "yesterday"'],
    ]);
  });

  it('name the variable and the field inside it', async () => {
    const { status, body } = await gw.query(`query ($f: ConversationStatsFilter) { conversationStats(filter: $f) { timeZone } }`, {
      f: { costMin: 'abc' },
    });
    expect(status).toBe(400);
    expect(body.errors?.map((error) => [error.extensions?.code, error.extensions?.variable, error.extensions?.field])).toEqual([
      ['BAD_USER_INPUT', 'f', 'costMin'],
    ]);
    expect(body.errors?.[0]?.message).toContain('"f.costMin"; Expected type "Decimal". Decimal must be a string of digits');
  });

  it('name the variable, and the field inside it, of a default value the scalar refuses', async () => {
    // The message named neither: "Expected value of type "Decimal", found "abc"" with no `variable` or `field`.
    const scalar = await gw.query(`query ($c: Decimal = "abc") { conversationStats(filter: { costMin: $c }) { timeZone } }`);
    expect(scalar.body.errors?.map((error) => [error.extensions?.code, error.extensions?.variable, error.extensions?.field, error.message.split(';')[0]])).toEqual([
      ['GRAPHQL_VALIDATION_FAILED', 'c', undefined, '$c: Expected value of type "Decimal", found "abc"'],
    ]);
    const inside = await gw.query(`query ($f: ConversationStatsFilter = { costMin: "abc" }) { conversationStats(filter: $f) { timeZone } }`);
    expect(inside.body.errors?.map((error) => [error.extensions?.code, error.extensions?.variable, error.extensions?.field, error.message.split(';')[0]])).toEqual([
      ['GRAPHQL_VALIDATION_FAILED', 'f', 'costMin', '$f.costMin: Expected value of type "Decimal", found "abc"'],
    ]);
  });

  it('name the argument, input field and list position of any literal validation refuses', async () => {
    // graphql-js says only what it expected and found: `Expected value of type "ID!", found null.`
    const cases: [query: string, field: string, message: string][] = [
      ['{ conversations(filter: { agentIds: ["a", null] }) { totalCount } }', 'filter.agentIds[1]', 'Expected value of type "ID!", found null.'],
      ['{ nodes(ids: [null]) { id } }', 'ids[0]', 'Expected value of type "ID!", found null.'],
      ['{ conversations(first: "ten") { totalCount } }', 'first', 'Int cannot represent non-integer value: "ten"'],
      ['{ conversations(filter: { statuses: [ENDED, OVER] }) { totalCount } }', 'filter.statuses[1]', 'Value "OVER" does not exist in "ConversationStatus" enum.'],
      ['{ conversations(filter: { statuses: ["ENDED"] }) { totalCount } }', 'filter.statuses[0]', 'Enum "ConversationStatus" cannot represent non-enum value: "ENDED". Did you mean the enum value "ENDED"?'],
      [
        'mutation { createConversations(input: { conversations: [{ agentId: "a", channel: WEB, dynamicVariables: "str" }] }) { id } }',
        'input.conversations[0].dynamicVariables',
        'JSONObject cannot represent non-object value: "str"',
      ],
    ];
    for (const [query, field, message] of cases) {
      const { status, body } = await gw.query(query);
      expect(status).toBe(400);
      expect(body.errors?.map((error) => [error.extensions?.code, error.extensions?.field, error.message])).toEqual([
        ['GRAPHQL_VALIDATION_FAILED', field, `${field}: ${message}`],
      ]);
    }
  });

  it('name where an input object has a field it does not define, or lacks one it requires', async () => {
    // Before, `extensions` held only the code, and the message named the field but not which object
    // of a list of a thousand conversations had it (or lacked it).
    const cases: [query: string, field: string, message: string][] = [
      ['{ conversations(filter: { bogus: 1 }) { totalCount } }', 'filter.bogus', 'Field "bogus" is not defined by type "ConversationFilter".'],
      [
        'mutation { createConversations(input: { conversations: [{ agentId: "a", channel: WEB }, { agentId: "b", channel: WEB, toNumbr: "+1" }] }) { id } }',
        'input.conversations[1].toNumbr',
        'Field "toNumbr" is not defined by type "CreateConversationInput". Did you mean "toNumber"?',
      ],
      [
        'mutation { createConversations(input: { conversations: [{ agentId: "a", channel: WEB }, { channel: WEB }] }) { id } }',
        'input.conversations[1].agentId',
        'Field "CreateConversationInput.agentId" of required type "ID!" was not provided.',
      ],
    ];
    for (const [query, field, message] of cases) {
      const { status, body } = await gw.query(query);
      expect(status).toBe(400);
      expect(body.errors?.map((error) => [error.extensions?.code, error.extensions?.field, error.message])).toEqual([
        ['GRAPHQL_VALIDATION_FAILED', field, `${field}: ${message}`],
      ]);
    }
    // In a variable's value: `variable: "f"` alone before.
    const sent = await gw.query('query ($f: ConversationFilter) { conversations(filter: $f) { totalCount } }', { f: { bogus: 1 } });
    expect(sent.body.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', variable: 'f', field: 'bogus' }]);
    const input = await gw.query('mutation ($input: CreateConversationsInput!) { createConversations(input: $input) { id } }', {
      input: { conversations: [{ agentId: 'a', channel: 'WEB' }, { channel: 'WEB' }] },
    });
    expect(input.body.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', variable: 'input', field: 'conversations[1].agentId' }]);
    const defaulted = await gw.query('query ($f: ConversationFilter = { bogus: 1 }) { conversations(filter: $f) { totalCount } }');
    expect(defaulted.body.errors?.map((error) => [error.message, error.extensions])).toEqual([
      ['$f.bogus: Field "bogus" is not defined by type "ConversationFilter".', { code: 'GRAPHQL_VALIDATION_FAILED', variable: 'f', field: 'bogus' }],
    ]);
  });

  it('name the variable and the place inside it for any value graphql-js refuses, whatever the value holds', async () => {
    // The message said where; extensions carried only the code (a scalar's refusal aside).
    const list = await gw.query('query($ids: [ID!]) { conversations(filter: { agentIds: $ids }) { totalCount } }', { ids: ['x', null] });
    expect(list.body.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', variable: 'ids', field: '[1]' }]);
    const inside = await gw.query('query($f: ConversationFilter) { conversations(filter: $f) { totalCount } }', { f: { statuses: ['ENDED', 'at "f.x"; '] } });
    expect(inside.body.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', variable: 'f', field: 'statuses[1]' }]);
    // The message quotes values as sent: read back from it, each of these named a place the client wrote.
    const FILTER = 'query($f: ConversationFilter) { conversations(filter: $f) { totalCount } }';
    for (const [f, field] of [
      [{ statuses: ['ENDED', 'x at "f.agentIds[7]"; '] }, 'statuses[1]'],
      [{ 'x at "f.statuses[9]"; ': 1 }, undefined],
      [{ statuses: [{ 'k at "f.agentIds[2]"; ': 1 }] }, 'statuses[0]'],
    ] as const) {
      const { body } = await gw.query(FILTER, { f });
      expect([f, body.errors?.[0]?.extensions]).toEqual([f, { code: 'BAD_USER_INPUT', variable: 'f', ...(field && { field }) }]);
    }
    // Two refusals inside one variable, each matched to its own place (in the order graphql-js meets them).
    const two = await gw.query(FILTER, { f: { agentIds: ['a', null], statuses: ['NOPE'] } });
    const places = two.body.errors?.map((error) => [String(error.extensions?.field), error.message.includes(`at "f.${String(error.extensions?.field)}"`)]);
    expect(places?.sort()).toEqual([['agentIds[1]', true], ['statuses[0]', true]]);
    const whole = await gw.query('query($n: Int) { conversations(first: $n) { totalCount } }', { n: 'ten' });
    expect(whole.body.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', variable: 'n' }]);
    for (const variables of [{}, { id: null }]) {
      const missing = await gw.query('query($id: ID!) { node(id: $id) { id } }', variables);
      expect(missing.body.errors?.map((error) => [error.message, error.extensions])).toEqual([
        [variables.id === null ? 'Variable "$id" of non-null type "ID!" must not be null.' : 'Variable "$id" of required type "ID!" was not provided.', { code: 'BAD_USER_INPUT', variable: 'id' }],
      ]);
    }
  });

  it('name the list position inside a variable\'s default value', async () => {
    const { body } = await gw.query('query($g: [ID!] = ["a", null]) { nodes(ids: $g) { id } }');
    expect(body.errors?.map((error) => [error.message, error.extensions])).toEqual([
      ['$g[1]: Expected value of type "ID!", found null.', { code: 'GRAPHQL_VALIDATION_FAILED', variable: 'g', field: '[1]' }],
    ]);
  });

  it('name the variable alone when the variable is the value', async () => {
    const { body } = await gw.query(`query ($after: DateTime) { conversations(filter: { createdAfter: $after }) { totalCount } }`, {
      after: '2026-11-17T00:00:00',
    });
    expect(body.errors?.map((error) => [error.extensions?.code, error.extensions?.variable, error.extensions?.field])).toEqual([
      ['BAD_USER_INPUT', 'after', undefined],
    ]);
    expect(body.errors?.[0]?.message).toContain('DateTime must be an RFC 3339 date-time with a zone');
  });
});
