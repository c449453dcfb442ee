import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, print, visit } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printSchemas } from '../../scripts/schema/printSchemas.ts';
import { compareSchema, parseAcknowledgements, problemsOf } from '../../scripts/schema/schemaContract.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const printed = printSchemas();
const api = printed['schema.graphql'];
/** The served API with one more Query field: what the schema looked like before that field was removed. */
const withLegacyField = api.replace('type Query {\n', 'type Query {\n  legacy: String\n');
const REMOVED = 'Query.legacy was removed.';

function runCheck(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/schema/check.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('compareSchema', () => {
  it('passes when the committed file is what is served', () => {
    const report = compareSchema({ file: 'schema.graphql', printed: api, committed: api, baseline: null, acknowledgements: [] });
    expect(report).toEqual({ file: 'schema.graphql', stale: false, breaking: [], dangerous: [] });
    expect(problemsOf([report])).toEqual([]);
  });

  it('fails on a committed file that was not updated, naming the breaking change it hides', () => {
    const report = compareSchema({ file: 'schema.graphql', printed: api, committed: withLegacyField, baseline: null, acknowledgements: [] });
    expect(report.stale).toBe(true);
    expect(report.breaking).toEqual([{ type: 'FIELD_REMOVED', description: REMOVED, acknowledged: null }]);
    expect(problemsOf([report])).toHaveLength(2);
  });

  it('fails on a breaking change since the baseline unless it is acknowledged with a reason', () => {
    const unacknowledged = compareSchema({ file: 'schema.graphql', printed: api, committed: api, baseline: withLegacyField, acknowledgements: [] });
    expect(problemsOf([unacknowledged])).toEqual([
      `schema.graphql: breaking change not acknowledged: ${REMOVED} (add { "schema": "schema.graphql", "change": "${REMOVED}", "reason": "..." } to schema.breaking.json)`,
    ]);
    const acknowledgements = parseAcknowledgements(
      JSON.stringify({ acknowledged: [{ schema: 'schema.graphql', change: REMOVED, reason: 'Nobody called it; announced in the changelog.' }] }),
    );
    const acknowledged = compareSchema({ file: 'schema.graphql', printed: api, committed: api, baseline: withLegacyField, acknowledgements });
    expect(acknowledged.breaking).toEqual([{ type: 'FIELD_REMOVED', description: REMOVED, acknowledged: 'Nobody called it; announced in the changelog.' }]);
    expect(problemsOf([acknowledged])).toEqual([]);
  });

  it('an acknowledgement of the other file does not count', () => {
    const acknowledgements = parseAcknowledgements(
      JSON.stringify({ acknowledged: [{ schema: 'schema.subgraph.graphql', change: REMOVED, reason: 'Only the API dropped it, not the subgraph.' }] }),
    );
    const report = compareSchema({ file: 'schema.graphql', printed: api, committed: api, baseline: withLegacyField, acknowledgements });
    expect(problemsOf([report])).toHaveLength(1);
  });

  it('compares the subgraph file too, whose printed SDL already holds _entities and _service', () => {
    const subgraph = printed['schema.subgraph.graphql'];
    const before = subgraph.replace('type Query {\n', 'type Query {\n  legacy: String\n');
    const report = compareSchema({ file: 'schema.subgraph.graphql', printed: subgraph, committed: before, baseline: null, acknowledgements: [] });
    expect(report.stale).toBe(true);
    expect(report.breaking).toEqual([{ type: 'FIELD_REMOVED', description: REMOVED, acknowledged: null }]);
  });

  it('lists a dangerous change (a new enum value) without failing', () => {
    // The served API without the VOICEOS value: what it looked like before that value was added.
    const baseline = print(
      visit(parse(api), { EnumValueDefinition: (node) => (node.name.value === 'VOICEOS' ? null : undefined) }),
    );
    expect(baseline).not.toBe(api);
    const report = compareSchema({ file: 'schema.graphql', printed: api, committed: api, baseline, acknowledgements: [] });
    expect(report.breaking).toEqual([]);
    expect(report.dangerous.map((change) => change.type)).toEqual(['VALUE_ADDED_TO_ENUM']);
    expect(problemsOf([report])).toEqual([]);
  });

  it('refuses an acknowledgement without a reason', () => {
    expect(() => parseAcknowledgements(JSON.stringify({ acknowledged: [{ schema: 'schema.graphql', change: REMOVED, reason: '' }] }))).toThrow(
      /acknowledged\.0\.reason: must say why/,
    );
  });
});

describe('npm run schema:check', () => {
  it('passes on this repository (the committed files are what the gateway serves)', () => {
    const { status, stdout } = runCheck({});
    expect(stdout).toContain('schema.graphql: up to date');
    expect(stdout).toContain('schema.subgraph.graphql: up to date');
    expect(status).toBe(0);
  });

  describe('in a repository whose main branch still has a removed field', () => {
    let dir: string;
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, stdio: 'ignore' });
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'schema-check-'));
      git('init', '-q', '-b', 'main');
      writeFileSync(join(dir, 'schema.graphql'), withLegacyField);
      writeFileSync(join(dir, 'schema.subgraph.graphql'), printed['schema.subgraph.graphql']);
      git('add', '.');
      git('commit', '-qm', 'before');
      git('checkout', '-qb', 'feature');
      writeFileSync(join(dir, 'schema.graphql'), api);
      git('commit', '-qam', 'remove Query.legacy');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('fails on the removal although the committed file was updated', () => {
      const { status, stdout, stderr } = runCheck({ SCHEMA_DIR: dir });
      expect(stdout).toContain(`breaking FIELD_REMOVED: ${REMOVED}`);
      expect(stderr).toContain(`schema.graphql: breaking change not acknowledged: ${REMOVED}`);
      expect(status).toBe(1);
    });

    it('passes once schema.breaking.json acknowledges it with a reason', () => {
      const ack = { acknowledged: [{ schema: 'schema.graphql', change: REMOVED, reason: 'Deprecated for two releases; no calls in the access log.' }] };
      writeFileSync(join(dir, 'schema.breaking.json'), JSON.stringify(ack));
      const { status, stdout } = runCheck({ SCHEMA_DIR: dir });
      expect(stdout).toContain(`(acknowledged: ${ack.acknowledged[0]?.reason})`);
      expect(status).toBe(0);
    });

    it('fails when the committed file is not what the gateway serves, until schema:write updates it', () => {
      writeFileSync(join(dir, 'schema.subgraph.graphql'), `${printed['schema.subgraph.graphql']}\ntype Stale { id: ID }\n`);
      const stale = runCheck({ SCHEMA_DIR: dir });
      expect(stale.stderr).toContain('schema.subgraph.graphql differs from the schema the gateway serves');
      expect(stale.status).toBe(1);
      expect(runCheck({ SCHEMA_DIR: dir }, '--write').status).toBe(0);
      expect(runCheck({ SCHEMA_DIR: dir }).status).toBe(0);
    });
  });
});
