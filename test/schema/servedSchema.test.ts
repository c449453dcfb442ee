import { readFileSync } from 'node:fs';
import { buildClientSchema, buildSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/** A schema as text, types and fields in name order: where the two are printed from differs in order only. */
const sorted = (schema: ReturnType<typeof buildSchema>) => printSchema(lexicographicSortSchema(schema));

describe('the schema a running gateway serves', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('is the committed schema.graphql, descriptions included', async () => {
    // A new-user trial: Sandbox showed no description for Decimal or DateTime (the money and time
    // rules) and graphql-scalars' generic text for JSON: a scalar's resolver replaced the SDL's
    // description with its own. docs/explorer.md said a test checked this; none did.
    const { body } = await gw.query<IntrospectionQuery>(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }));
    expect(body.errors).toBeUndefined();
    const served = buildClientSchema(body.data!);
    const committed = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    expect(sorted(served)).toBe(sorted(committed));
  });

  it('keeps the SDL\'s scalar descriptions as a federation subgraph too', async () => {
    const federated = await startTestGateway({ SWITCHBOARD_FEDERATION: 'true' });
    try {
      const scalars = '{ types: __schema { types { name kind description specifiedByURL } } }';
      type Types = { types: { types: { name: string; kind: string; description: string | null; specifiedByURL: string | null }[] } };
      const describe = (types: Types) => types.types.types.filter((type) => type.kind === 'SCALAR').map(({ name, description, specifiedByURL }) => ({ name, description, specifiedByURL }));
      const committed = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
      const expected = Object.values(committed.getTypeMap())
        .filter((type) => type.constructor.name === 'GraphQLScalarType')
        .map((type) => ({ name: type.name, description: type.description ?? null, specifiedByURL: null }));
      const served = describe((await federated.query<Types>(scalars)).body.data!).filter((each) => expected.some((scalar) => scalar.name === each.name));
      expect(served.sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected.sort((a, b) => a.name.localeCompare(b.name)));
    } finally {
      await federated.close();
    }
  });
});
