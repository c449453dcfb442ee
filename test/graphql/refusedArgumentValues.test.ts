import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/**
 * A variable with a default may stand where a non-null argument is expected (`$flag: Boolean =
 * true` in `@include(if: $flag)`), so validation lets it through; sent as null, graphql-js refuses
 * the argument only when it reaches it, on that field. That is the client's input: BAD_USER_INPUT
 * where graphql-js raises it (it read as INTERNAL_SERVER_ERROR), and no look-ahead of the gateway's
 * (the total count, the page's references) may raise it sooner or elsewhere.
 */
describe('an argument sent as null where the schema needs a value', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  const summary = (errors: { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[] | undefined) =>
    errors?.map((error) => ({ message: error.message, path: error.path, code: error.extensions?.code }));

  it('is BAD_USER_INPUT on a field argument', async () => {
    const { status, body } = await gw.query(`query ($id: ID = "x") { node(id: $id) { id } }`, { id: null });
    expect(status).toBe(200);
    expect(summary(body.errors)).toEqual([{ message: 'Argument "id" of non-null type "ID!" must not be null.', path: ['node'], code: 'BAD_USER_INPUT' }]);
  });

  it('is BAD_USER_INPUT on a root field\'s directive', async () => {
    const { body } = await gw.query(`query ($on: Boolean = true) { conversations(first: 1) @include(if: $on) { totalCount } }`, { on: null });
    expect(body.data).toBeNull();
    expect(summary(body.errors)).toEqual([{ message: 'Argument "if" of non-null type "Boolean!" must not be null.', path: undefined, code: 'BAD_USER_INPUT' }]);
  });

  it('is raised on the conversation whose selection holds it, not on the page that looks ahead', async () => {
    const { body } = await gw.query(
      `query ($on: Boolean = true) { conversations(first: 2) { edges { cursor node { id agent @include(if: $on) { name } } } } }`,
      { on: null },
    );
    // The first node's error nulls the page (its edges are non-null), so graphql-js completes no other node.
    expect(summary(body.errors)).toEqual([
      { message: 'Argument "if" of non-null type "Boolean!" must not be null.', path: ['conversations', 'edges', 0, 'node'], code: 'BAD_USER_INPUT' },
    ]);
    expect(body.data).toBeNull(); // and `conversations` is non-null
  });

  it('is raised on the page where the total count is looked ahead of', async () => {
    const { body } = await gw.query(`query ($on: Boolean = true) { conversations(first: 2) { totalCount @include(if: $on) } }`, { on: null });
    expect(summary(body.errors)).toEqual([{ message: 'Argument "if" of non-null type "Boolean!" must not be null.', path: ['conversations'], code: 'BAD_USER_INPUT' }]);
  });
});
