import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropWorkspaceRole, grantWorkspaceRole, installBiViews } from '../../src/analytics/biViews.ts';
import { EXPORT_KINDS, EXPORT_SPECS } from '../../src/analytics/exports/exportKinds.ts';
import { dropTestSchema, TEST_DATABASE_URL } from '../store/testDatabases.ts';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';
import { connectAs } from './connectAs.ts';
import { parseCsv } from './csvParser.ts';

const DOC = readFileSync(new URL('../../docs/bi.md', import.meta.url), 'utf8');
const DOC_ORIGIN = 'http://localhost:4000';

/** The fenced block right after `<!-- recipe: name -->` in docs/bi.md. */
function recipe(name: string): string {
  const match = new RegExp(`<!-- recipe: ${name} -->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``).exec(DOC);
  if (!match?.[1]) throw new Error(`docs/bi.md has no recipe ${name}`);
  return match[1];
}

type Stats = { provider: string; bucketLabel: string | null; conversations: number; conversationsWithoutCost: number; costs: { currency: string; total: string }[] };

describe('docs/bi.md recipes, run as written', () => {
  let gateway: LiveGateway;
  let work: string;
  const schema = `sb_recipes_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const stats = async (groupBy: string[]) => {
    const result = await gateway.query<{ conversationStats: { groups: Stats[] } }>(
      `query ($groupBy: [ConversationStatsGroupBy!]) { conversationStats(groupBy: $groupBy) { groups { provider bucketLabel conversations conversationsWithoutCost costs { currency total } } } }`,
      { groupBy },
    );
    expect(result.errors).toBeUndefined();
    return result.data?.conversationStats.groups ?? [];
  };
  // Asynchronously: the gateway answering the script runs in this process.
  const run = async (script: string, cwd = work) =>
    (await promisify(execFile)('sh', ['-c', script.replaceAll(DOC_ORIGIN, gateway.origin)], { cwd, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } })).stdout;

  beforeAll(async () => {
    gateway = await startLiveGateway(TEST_DATABASE_URL ? { store: { databaseUrl: TEST_DATABASE_URL, schema } } : {});
    await gateway.runtime.live.sync.syncOnce();
    work = mkdtempSync(join(tmpdir(), 'bi-recipes-'));
  });
  afterAll(async () => {
    await gateway.close();
    rmSync(work, { recursive: true, force: true });
    if (TEST_DATABASE_URL) await dropTestSchema(schema);
  });

  it('documents exactly the columns each export has', () => {
    for (const kind of EXPORT_KINDS) {
      const match = new RegExp(`<!-- columns: ${kind} -->\\n([\\s\\S]*?)\\n\\n`).exec(DOC);
      const documented = [...(match?.[1] ?? '').matchAll(/`([a-z_]+)`/g)].map((each) => each[1]);
      expect(documented).toEqual(EXPORT_SPECS[kind].columns);
    }
  });

  it('curl writes the CSV file the recipe names', async () => {
    await run(recipe('curl'));
    const { header, rows } = parseCsv(readFileSync(join(work, 'conversations.csv'), 'utf8'));
    expect(header).toEqual(EXPORT_SPECS.conversations.columns);
    const voiceos = (await stats(['PROVIDER'])).find((group) => group.provider === 'VOICEOS');
    expect(rows.length).toBe(voiceos?.conversations);
    expect(new Set(rows.map((row) => row.provider))).toEqual(new Set(['VOICEOS']));
  });

  it('the Python script prints the same totals as conversationStats', async () => {
    const printed = (await run(recipe('python'), fileURLToPath(new URL('../../', import.meta.url)))).trimEnd().split('\n');
    const expected = (await stats(['PROVIDER'])).map((group) =>
      `${group.provider} conversations=${group.conversations} without_cost=${group.conversationsWithoutCost} ${group.costs.map((cost) => `${cost.currency}=${cost.total}`).join(' ')}`.trimEnd());
    expect(printed).toEqual(expected);
  });

  it('Power BI\'s URL and header give the CSV it reads', async () => {
    const lines = recipe('powerbi').split('\n');
    const url = lines.find((line) => line.startsWith('URL: '))?.slice(5) ?? '';
    const [name = '', value = ''] = (lines.find((line) => line.startsWith('Authorization: ')) ?? '').split(': ');
    // Power BI sends no Accept of its own choosing beyond */*; the path's .csv decides.
    const response = await fetch(url.replace(DOC_ORIGIN, gateway.origin), { headers: { [name]: value, accept: '*/*' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    const { header, rows } = parseCsv(await response.text());
    expect(header).toEqual(EXPORT_SPECS.conversations.columns);
    const costed = (await stats([])).reduce((n, group) => n + group.conversations - group.conversationsWithoutCost, 0);
    expect(rows.length).toBe(costed);
    expect(rows.every((row) => row.cost_total !== '')).toBe(true);
  });

  it.skipIf(!TEST_DATABASE_URL)('Grafana\'s panel query runs on the views as the workspace role and agrees with conversationStats', async () => {
    const viewSchema = `${schema}_bi`;
    const role = `${schema}_grafana`;
    const schemas = { storeSchema: schema, viewSchema };
    await installBiViews(gateway.runtime.live.database, schemas);
    await grantWorkspaceRole(gateway.runtime.live.database, schemas, { role, workspaceId: 'demo' });
    const client = await connectAs(role);
    try {
      // Grafana's expansion of its macros for a dashboard range of all time.
      const sql = recipe('grafana')
        .replace(/\$__timeGroupAlias\((\w+), '1d'\)/, `floor(extract(epoch from $1)/86400)*86400 AS "time"`)
        .replace(/\$__timeFilter\((\w+)\)/, `$1 BETWEEN '1970-01-01T00:00:00Z' AND '2100-01-01T00:00:00Z'`);
      const { rows } = await client.query<{ time: string; metric: string; cost: string }>(sql);
      const byDay = (await stats(['PROVIDER', 'DAY'])).filter((group) => group.costs.length > 0);
      const strip = (text: string) => text.replace(/\.?0+$/, '');
      expect(rows.map((row) => [new Date(Number(row.time) * 1000).toISOString().slice(0, 16), row.metric, strip(String(row.cost))])).toEqual(
        byDay.map((group) => [group.bucketLabel, group.provider, strip(group.costs[0]?.total ?? '')]),
      );
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await client.end();
      await dropWorkspaceRole(gateway.runtime.live.database, schemas, role);
      await dropTestSchema(viewSchema);
    }
  });
});
