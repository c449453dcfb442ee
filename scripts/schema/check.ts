/**
 * `npm run schema:check` (CI, beside codegen:check) and `npm run schema:write`.
 *
 * Prints the schemas the gateway serves (schema.graphql; schema.subgraph.graphql in federation
 * mode) and fails when a committed file differs from them, or when a breaking change since the
 * base branch is not acknowledged in schema.breaking.json. Dangerous changes (a new enum value,
 * a changed default) are listed, never fatal. docs/explorer.md, "Schema contract", explains the flow.
 *
 * SCHEMA_DIR: where the files are (default: the repository). SCHEMA_BASE_REF: the git ref the
 * change is measured from (default: the merge base with origin/main or main; on that branch itself,
 * the previous commit). Without git or a baseline, the committed file is the baseline.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSchemas, type SchemaFile } from './printSchemas.ts';
import { compareSchema, parseAcknowledgements, problemsOf, type SchemaReport } from './schemaContract.ts';

const ACKNOWLEDGEMENTS_FILE = 'schema.breaking.json';
const root = process.env.SCHEMA_DIR ?? fileURLToPath(new URL('../../', import.meta.url));
const write = process.argv.includes('--write');

const readOrNull = (path: string): string | null => (existsSync(path) ? readFileSync(path, 'utf8') : null);

/** A git command's output as is (a file's text keeps its last newline), or null when it fails. */
function gitOutput(...args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}
const git = (...args: string[]): string | null => gitOutput(...args)?.trim() ?? null;

/** The commit whose schema files are the baseline, or null (no git, no base branch). */
function baselineCommit(): string | null {
  const explicit = process.env.SCHEMA_BASE_REF;
  if (explicit) return git('rev-parse', '--verify', `${explicit}^{commit}`);
  const base = ['origin/main', 'main'].find((ref) => git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`) !== null);
  if (!base) return null;
  const head = git('rev-parse', 'HEAD');
  const mergeBase = git('merge-base', 'HEAD', base);
  // On the base branch itself (HEAD is already in it), measure the last commit's change.
  return mergeBase === head ? git('rev-parse', '--verify', '--quiet', 'HEAD^') : mergeBase;
}

function baselineOf(commit: string | null, file: SchemaFile): string | null {
  if (!commit) return null;
  // `commit:path` is relative to the repository's top, and SCHEMA_DIR may be a folder inside it.
  return gitOutput('show', `${commit}:${git('rev-parse', '--show-prefix') ?? ''}${file}`);
}

function describe(report: SchemaReport, baseline: string | null): void {
  const against = baseline ? `since ${baseline.slice(0, 12)}` : 'against the committed file';
  console.log(`${report.file}: ${report.stale ? 'STALE' : 'up to date'}; ${report.breaking.length} breaking, ${report.dangerous.length} dangerous change(s) ${against}`);
  for (const change of report.breaking) {
    console.log(`  breaking ${change.type}: ${change.description}${change.acknowledged ? ` (acknowledged: ${change.acknowledged})` : ''}`);
  }
  for (const change of report.dangerous) console.log(`  dangerous ${change.type}: ${change.description}`);
}

const printed = printSchemas();
const acknowledgements = parseAcknowledgements(readOrNull(join(root, ACKNOWLEDGEMENTS_FILE)), ACKNOWLEDGEMENTS_FILE);
const commit = baselineCommit();
const reports: SchemaReport[] = [];
for (const [file, text] of Object.entries(printed) as [SchemaFile, string][]) {
  if (write) writeFileSync(join(root, file), text);
  const baseline = baselineOf(commit, file);
  const report = compareSchema({ file, printed: text, committed: readOrNull(join(root, file)), baseline, acknowledgements });
  describe(report, baseline === null ? null : commit);
  reports.push(report);
}
const problems = problemsOf(reports);
if (problems.length > 0) {
  console.error(`\nschema check failed:\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
  process.exit(1);
}
