import { readFileSync } from 'node:fs';
import * as graphql from 'graphql';
import { describe, expect, it } from 'vitest';
import { runLeafOnlyListCases } from './fixtures/leafOnlyListCases.ts';

// patches/graphql+16.15.0.patch completes lists of leaf-only objects (a transcript's messages)
// without graphql-js's per-field machinery (issue 9: it was ~800 ns a message of a page's 2,700).
// Whatever a field meets, the answer must be the one graphql-js as released gives. The expected
// answers were made with the released package (`npm pack graphql@16.15.0`, unpacked to /tmp/pristine):
//   node --import tsx -e "…runLeafOnlyListCases(require('/tmp/pristine/package'))…"
// and JSON-serialized; the patched package gives them too (checked then, and here on every run).
describe('graphql-js with the leaf-only list patch', () => {
  it('answers every shape of leaf-only list exactly as graphql-js 16.15.0 as released does, errors and their order included', async () => {
    const expected = JSON.parse(readFileSync(new URL('./fixtures/leafOnlyLists.expected.json', import.meta.url), 'utf8')) as unknown[];
    expect(await runLeafOnlyListCases(graphql)).toEqual(expected);
  });

  it('runs the patched code: the installed execute module carries it (patch-package applied it at install)', () => {
    const installed = readFileSync(new URL('../../node_modules/graphql/execution/execute.js', import.meta.url), 'utf8');
    expect(installed).toContain('function executeLeafOnlyFields(');
  });
});
