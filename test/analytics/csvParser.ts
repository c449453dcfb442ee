import { execFileSync } from 'node:child_process';

/** Parses CSV with Python's standard `csv` module (a real RFC 4180 parser, not ours): header and rows as objects. */
export function parseCsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  const script = `import csv, io, json, sys
rows = list(csv.reader(io.StringIO(sys.stdin.read(), newline=''), strict=True))
print(json.dumps(rows))`;
  const table = JSON.parse(execFileSync('python3', ['-c', script], { input: text, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as string[][];
  const [header = [], ...rows] = table;
  return { header, rows: rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index] ?? '']))) };
}
