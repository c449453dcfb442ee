import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CJS (`main`) and ESM (`module`) builds. Node, and so Apollo Server, loads the CJS
    // one; without this alias Vite hands our sources the ESM one, and the two realms' `instanceof`
    // checks fail ("Cannot use GraphQLNonNull from another module or realm"). Tests must see what
    // production sees.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real HTTP servers and databases; keep parallelism modest on 2 cores.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
