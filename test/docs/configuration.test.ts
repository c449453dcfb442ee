import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ErrorCode } from '../../src/errors.ts';

/**
 * docs/configuration.md and docs/errors.md are the reference clients and operators read: every
 * variable the gateway parses and every `extensions.code` it can answer with has a row, and no
 * row names one that no longer exists.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The keys of `envSchema` in src/config.ts, one `  KEY: …` line each. */
function schemaKeys(): string[] {
  const source = read('src/config.ts');
  const body = source.slice(source.indexOf('const envSchema = z.object({'), source.indexOf('\n});', source.indexOf('const envSchema')));
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map(([, key = '']) => key).sort();
}

/** `| \`KEY\` | default | … |` rows of a Markdown section list, as key → default cell. */
function tableRows(markdown: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const [, key = '', defaultCell = ''] of markdown.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| ([^|]*) \|/gm)) {
    rows.set(key, defaultCell.trim());
  }
  return rows;
}

describe('docs/configuration.md', () => {
  const text = read('docs/configuration.md');
  const outsideAt = text.indexOf('## Outside the gateway');
  const gatewayRows = tableRows(text.slice(0, outsideAt));
  const outsideRows = tableRows(text.slice(outsideAt));

  it('has one row for every variable src/config.ts parses, and none for another', () => {
    expect(outsideAt).toBeGreaterThan(0);
    expect(schemaKeys()).toContain('PORT'); // the schema's keys were found at all
    expect([...gatewayRows.keys()].sort()).toEqual(schemaKeys());
    for (const key of outsideRows.keys()) expect(schemaKeys()).not.toContain(key);
  });

  it('gives the default the gateway really uses', () => {
    // Demo mode with nothing set: every default the schema fills in.
    const { env } = loadConfig({});
    const defaults = env as unknown as Record<string, unknown>;
    const checked: string[] = [];
    for (const [key, cell] of gatewayRows) {
      const literal = /^`([^`]+)`$/.exec(cell)?.[1];
      if (literal === undefined) continue; // prose such as "unset" or "host name + port"
      expect(`${key}=${String(defaults[key])}`).toBe(`${key}=${literal}`);
      checked.push(key);
    }
    expect(checked).toContain('PORT'); // literal defaults were found at all
    for (const [key, cell] of gatewayRows) {
      if (cell.startsWith('unset')) expect(`${key}=${String(defaults[key])}`).toBe(`${key}=undefined`);
    }
  });
});

/** Every .ts file under src/, but the simulators (they speak the providers' errors, not ours). */
function gatewaySources(): { path: string; text: string }[] {
  return readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && !path.startsWith('simulators') && !path.startsWith('generated'))
    .map((path) => ({ path, text: read(join('src', path)) }));
}

/**
 * The codes the HTTP routes beside GraphQL answer with: a line that builds a route's error answer
 * (`errorBody(…)`, a webhook's `webhookErrorBody(…)`, the intake's `refused(status, …)`, a failure's
 * `shape(ErrorCode.…)` in http/routeFailure.ts), every
 * `ErrorCode.X` on it; and `bare`, every code written as a string `'X'` on such a line or in an
 * `extensions: { code: '…' }` (which the GraphQL errors build with an `ErrorCode` as well).
 */
function routeCodes(): { codes: Map<string, string[]>; bare: string[] } {
  const codes = new Map<string, string[]>();
  const bare: string[] = [];
  for (const { path, text } of gatewaySources()) {
    for (const line of text.split('\n')) {
      const answer = /errorBody\(|ErrorBody\(|error: \{ code: |refused\(\d+, |shape\(ErrorCode\./.test(line);
      if (!answer && !/extensions: \{ code: '/.test(line)) continue;
      if (answer) for (const [, code = ''] of line.matchAll(/ErrorCode\.([A-Z][A-Z_]+)/g)) codes.set(code, [...(codes.get(code) ?? []), path]);
      for (const [, code = ''] of line.matchAll(/'([A-Z][A-Z_]+)'/g)) {
        codes.set(code, [...(codes.get(code) ?? []), path]);
        bare.push(`${path}: ${code}`);
      }
    }
  }
  return { codes, bare };
}

describe('docs/errors.md', () => {
  const rows = [...read('docs/errors.md').matchAll(/^\| `([A-Z_]+)` \|/gm)].map(([, code = '']) => code);

  it('has one row for every code the gateway answers with (src/errors.ts, src/providers/errors.ts, the HTTP routes), and none for another', () => {
    const providerCodes = [...read('src/providers/errors.ts').matchAll(/readonly code = '([A-Z_]+)'/g)].map(([, code = '']) => code);
    const fromRoutes = routeCodes().codes;
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows.sort()).toEqual([...new Set([...Object.values(ErrorCode), ...fromRoutes.keys()])].sort());
    for (const code of providerCodes) expect(rows).toContain(code);
    expect(providerCodes.length).toBe(7);
  });

  it('finds the routes\' codes at all (the scan still matches how answers are written)', () => {
    const fromRoutes = routeCodes().codes;
    expect([...fromRoutes.keys()].sort()).toEqual([
      'BAD_REQUEST',
      'BAD_USER_INPUT',
      'CORS_ORIGIN_REFUSED',
      'EXPLORER_UNAVAILABLE',
      'FORBIDDEN',
      'INTERNAL_SERVER_ERROR',
      'METHOD_NOT_ALLOWED',
      'NOT_ACCEPTABLE',
      'NOT_FOUND',
      'RATE_LIMITED',
      'STORE_UNAVAILABLE',
      'TOO_MANY_EXPORTS',
      'UNAUTHENTICATED',
    ]);
    expect([...new Set(fromRoutes.get('METHOD_NOT_ALLOWED'))].sort()).toEqual([
      'analytics/exports/exportRoute.ts',
      'explorer/explorerRoute.ts',
      'observability/healthRoutes.ts',
      'server.ts',
      'sync/webhookRoute.ts',
    ]);
  });

  it('has the routes write every code as an ErrorCode, never a bare string, so a misspelt one does not compile', () => {
    expect(routeCodes().bare).toEqual([]);
  });
});
