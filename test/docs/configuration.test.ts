import { readFileSync } from 'node:fs';
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

describe('docs/errors.md', () => {
  it('has one row for every extensions.code in src/errors.ts and src/providers/errors.ts, and none for another', () => {
    const rows = [...read('docs/errors.md').matchAll(/^\| `([A-Z_]+)` \|/gm)].map(([, code = '']) => code);
    const providerCodes = [...read('src/providers/errors.ts').matchAll(/readonly code = '([A-Z_]+)'/g)].map(([, code = '']) => code);
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows.sort()).toEqual(Object.values(ErrorCode).sort());
    for (const code of providerCodes) expect(rows).toContain(code);
    expect(providerCodes.length).toBe(7);
  });
});
