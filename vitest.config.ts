import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Process tests (`*.process.test.ts`, which start real gateway processes) first, then the rest in
 * vitest's own order. Without a results cache (CI's clean clone) vitest starts the largest files
 * first, and the chaos files, four lines each around `test/fanout/chaosRig.ts` yet the longest of
 * all (2-3 minutes), came last: both workers ended on them and one sat idle for the difference.
 * Started first, the long files leave the short ones to even out the two workers' ends.
 */
class ProcessTestsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isProcessTest = (file: TestSpecification) => file.moduleId.endsWith('.process.test.ts');
    return [...sorted.filter(isProcessTest), ...sorted.filter((file) => !isProcessTest(file))];
  }
}

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
    sequence: { sequencer: ProcessTestsFirst },
  },
});
