import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The documents a newcomer reads must not send them to files that do not exist: every relative
 * link and every backticked repository path in README.md, docs/*.md and src/** /README.md is
 * resolved against the checkout.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Never part of a clone (.gitignore), so a path into them is not a repository path. */
const UNTRACKED = new Set(['node_modules', 'dist', 'coverage', '.data', '.git']);

function documents(): string[] {
  const docsDir = join(root, 'docs');
  const docs = existsSync(docsDir)
    ? readdirSync(docsDir).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))
    : [];
  const srcReadmes = (readdirSync(join(root, 'src'), { recursive: true }) as string[])
    .filter((path) => path.split('/').at(-1) === 'README.md')
    .map((path) => join('src', path));
  return ['README.md', ...docs, ...srcReadmes].sort();
}

/** Text outside fenced code blocks: a diagram or a sample is not a reference. */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsIn(file: string): Set<string> {
  const headings = prose(readFileSync(file, 'utf8')).match(/^#{1,6} .+$/gm) ?? [];
  return new Set(headings.map((line) => anchorOf(line.replace(/^#+ /, ''))));
}

/** Paths matching `path` under `base`; a segment may hold `<placeholder>`s or `*` (any name). */
function matches(base: string, path: string): string[] {
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  let found = [base];
  for (const segment of segments) {
    if (segment === '..') {
      found = found.map((dir) => dirname(dir));
      continue;
    }
    if (!segment.includes('<') && !segment.includes('*')) {
      found = found.map((dir) => join(dir, segment)).filter((candidate) => existsSync(candidate));
      continue;
    }
    const pattern = new RegExp(`^${segment.split(/<[^>]+>|\*/).map(escapeRegExp).join('[^/]+')}$`);
    found = found.flatMap((dir) =>
      isDirectory(dir) ? readdirSync(dir).filter((name) => pattern.test(name)).map((name) => join(dir, name)) : [],
    );
  }
  return found;
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The document's folder and each folder above it, up to the repository root. */
function basesOf(document: string): string[] {
  const bases: string[] = [];
  for (let dir = dirname(join(root, document)); ; dir = dirname(dir)) {
    bases.push(dir);
    if (dir === root) return bases;
  }
}

/**
 * A backticked token is taken for a repository path when it has no spaces or scheme and either
 * is a bare `*.md` name or starts with a folder or file that exists in the document's folder or
 * one above it (`src/…`, `test/…`, `kit/…` beside src/providers). Anything else (`text/plain`,
 * `GET /v1/conversations`, `<dir>-demo-simulators/`) is not a path into this repository.
 */
function isRepoPath(token: string, bases: string[]): boolean {
  if (/\s|:\/\/|^\//.test(token)) return false;
  if (/^[\w.-]+\.md$/.test(token)) return true;
  if (!token.includes('/')) return false;
  const first = token.split('/')[0] ?? '';
  if (first === '' || first.includes('<') || UNTRACKED.has(first)) return false;
  return bases.some((base) => existsSync(join(base, first)));
}

function brokenReferences(document: string): string[] {
  const text = prose(readFileSync(join(root, document), 'utf8'));
  const bases = basesOf(document);
  const broken: string[] = [];

  for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [path = '', anchor] = target.split('#');
    const file = path === '' ? join(root, document) : resolve(dirname(join(root, document)), path);
    if (!existsSync(file)) {
      broken.push(`link ${target}: no ${relative(root, file)}`);
    } else if (anchor !== undefined && file.endsWith('.md') && !anchorsIn(file).has(anchor)) {
      broken.push(`link ${target}: no heading #${anchor} in ${relative(root, file)}`);
    }
  }

  for (const [, token = ''] of text.matchAll(/`([^`\n]+)`/g)) {
    if (!isRepoPath(token, bases)) continue;
    const path = token.replace(/[#:].*$/, '');
    if (!bases.some((base) => matches(base, path).length > 0)) broken.push(`path \`${token}\` does not exist`);
  }
  return broken;
}

describe('documentation references', () => {
  it('reads the README, every docs/*.md and every src/**/README.md', () => {
    const found = documents();
    expect(found).toContain('README.md');
    expect(found).toContain('src/providers/README.md');
    expect(found.filter((document) => document.startsWith('docs/')).length).toBeGreaterThan(0);
  });

  it.each(documents())('%s links only to files and headings that exist', (document) => {
    expect(brokenReferences(document)).toEqual([]);
  });

  it('catches a missing file, a missing heading and a missing backticked path', () => {
    // The checker itself, on a document that exists: these are the mistakes it is there to find.
    const bases = basesOf('src/fanout/README.md');
    expect(isRepoPath('src/fanout/noSuchFile.ts', bases)).toBe(true);
    expect(bases.some((base) => matches(base, 'src/fanout/noSuchFile.ts').length > 0)).toBe(false);
    expect(bases.some((base) => matches(base, 'src/providers/<name>/wire.ts').length > 0)).toBe(true);
    expect(isRepoPath('DESIGN.md', bases)).toBe(true);
    expect(isRepoPath('text/plain', bases)).toBe(false);
    expect(isRepoPath('GET /v1/conversations', bases)).toBe(false);
    expect(anchorOf('When "not found" is believed: the landing window')).toBe('when-not-found-is-believed-the-landing-window');
  });
});
