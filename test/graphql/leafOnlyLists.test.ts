import { readFileSync } from 'node:fs';
import * as graphql from 'graphql';
import { describe, expect, it } from 'vitest';
import { runLeafOnlyListCases } from './fixtures/leafOnlyListCases.ts';

// patches/graphql+16.15.0.patch completes lists of leaf-only objects (a transcript's messages)
// without graphql-js's per-field machinery (issue 9: it was ~800 ns a message of a page's 2,700).
// Single leaf-only objects (a conversation's `agent { name }`) go graphql-js's own way, through the
// patch's other changes (result objects, argument-less fields): the fixture checks them too.
// Whatever a field meets, the answer must be the one graphql-js as released gives. The expected
// answers were made with the released package (`npm pack graphql@16.15.0`, unpacked to /tmp/pristine):
//   node --import tsx -e "…runLeafOnlyListCases(require('/tmp/pristine/package'))…"
// and JSON-serialized; the patched package gives them too (checked then, and here on every run).
describe('graphql-js with the leaf-only list patch', () => {
  it('answers every shape of leaf-only object, in a list and alone, exactly as graphql-js 16.15.0 as released does, errors and their order included', async () => {
    const expected = JSON.parse(readFileSync(new URL('./fixtures/leafOnlyLists.expected.json', import.meta.url), 'utf8')) as unknown[];
    expect(await runLeafOnlyListCases(graphql)).toEqual(expected);
  });

  it("judges a field's resolver again when it is replaced (Apollo wraps resolvers in place for willResolveField)", async () => {
    const schema = graphql.buildSchema('type Item { name: String } type Query { items: [Item] }');
    const name = (schema.getType('Item') as graphql.GraphQLObjectType).getFields().name!;
    name.resolve = (item: { name: string }) => item.name.toUpperCase();
    const run = () => graphql.execute({ schema, document: graphql.parse('{ items { name } }'), rootValue: { items: [{ name: 'a' }, { name: 'b' }] } });
    expect(await run()).toEqual({ data: { items: [{ name: 'A' }, { name: 'B' }] } });
    // As Apollo's wrapper does: the same field, now resolved by a function that reads info.
    name.resolve = (_item, _args, _context, info) => `${info.parentType.name}.${info.fieldName} at ${String(info.path.prev?.key)}`;
    expect(await run()).toEqual({ data: { items: [{ name: 'Item.name at 0' }, { name: 'Item.name at 1' }] } });
  });

  it('runs the patched code: the installed execute module carries it (patch-package applied it at install)', () => {
    const installed = readFileSync(new URL('../../node_modules/graphql/execution/execute.js', import.meta.url), 'utf8');
    expect(installed).toContain('function executeLeafOnlyFields(');
  });
});
