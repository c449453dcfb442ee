import { buildSchema, execute, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

// patches/graphql+16.15.0.patch (applied by `npm ci`'s postinstall, patch-package): graphql-js 16
// made two dictionary-mode objects for the arguments of every field it executed, argument-less
// ones too, and made every result object with Object.create(null), which V8 also keeps as a
// dictionary. Together about a third of what the read path allocated (BENCHMARKS.md, tenth
// session). These tests fail on an unpatched graphql-js, and hold the patch to graphql-js's answers.

describe('graphql-js as patched', () => {
  const schema = buildSchema(/* GraphQL */ `
    type Query { plain: String other: String withArgument(n: Int): String nested: Nested }
    type Nested { leaf: String }
  `);
  const argumentsSeen = new Map<string, Record<string, unknown>>();
  // Root value functions: graphql-js's default resolver calls them with (arguments, context, info).
  const remember = (name: string) => (args: Record<string, unknown>) => {
    argumentsSeen.set(name, args);
    return name;
  };
  const rootValue = { plain: remember('plain'), other: remember('other'), withArgument: remember('withArgument'), nested: () => ({ leaf: 'leaf' }) };

  it('gives every argument-less field one shared, frozen, empty arguments object', async () => {
    const result = await execute({ schema, rootValue, document: parse('{ plain other withArgument(n: 1) }') });
    expect(result).toEqual({ data: { plain: 'plain', other: 'other', withArgument: 'withArgument' } });
    const plain = argumentsSeen.get('plain');
    expect(plain).toBe(argumentsSeen.get('other'));
    expect(Object.isFrozen(plain)).toBe(true);
    expect(Object.keys(plain!)).toEqual([]);
    // A field with arguments still gets its own, writable object.
    const withArgument = argumentsSeen.get('withArgument');
    expect(withArgument).toEqual({ n: 1 });
    expect(Object.isFrozen(withArgument)).toBe(false);
  });

  it('builds plain result objects, and an alias __proto__ is an ordinary key of them', async () => {
    const result = await execute({ schema, rootValue, document: parse('{ __proto__: plain nested { __proto__: leaf leaf } }') });
    const data = result.data as Record<string, unknown>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data)).toEqual(['__proto__', 'nested']);
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toBe('plain');
    const nested = data.nested as Record<string, unknown>;
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(JSON.stringify(nested)).toBe('{"__proto__":"leaf","leaf":"leaf"}');
  });
});

describe('an alias __proto__ through the gateway', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('answers as any other alias, at the root and inside a page', async () => {
    const { status, body } = await gw.query<Record<string, unknown>>(
      '{ __proto__: conversations(first: 2) { totalCount edges { node { __proto__: provider id } } } }',
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(Object.keys(body.data!)).toEqual(['__proto__']);
    const page = Object.getOwnPropertyDescriptor(body.data, '__proto__')?.value as { edges: { node: Record<string, unknown> }[] };
    expect(page.edges).toHaveLength(2);
    for (const { node } of page.edges) {
      expect(Object.keys(node)).toEqual(['__proto__', 'id']);
      expect(['ORATION', 'TRATA', 'VOICEOS']).toContain(Object.getOwnPropertyDescriptor(node, '__proto__')?.value);
    }
  });
});
