import { buildSchema, findBreakingChanges, findDangerousChanges, type GraphQLSchema } from 'graphql';
import { z } from 'zod';
import { SCHEMA_FILES, type SchemaFile } from './printSchemas.ts';

/** `schema.breaking.json`: each breaking change someone decided to ship, and why. */
const acknowledgementsSchema = z.object({
  acknowledged: z.array(
    z.object({
      schema: z.enum([SCHEMA_FILES.api, SCHEMA_FILES.subgraph]),
      /** graphql-js's description of the change, as `npm run schema:check` prints it. */
      change: z.string().min(1),
      /** Why clients may be broken: who was told, what replaces it. */
      reason: z.string().trim().min(10, 'must say why the break is acceptable (at least 10 characters)'),
    }),
  ),
});
export type Acknowledgements = z.infer<typeof acknowledgementsSchema>['acknowledged'];

export function parseAcknowledgements(json: string | null, fileName = 'schema.breaking.json'): Acknowledgements {
  if (json === null) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`${fileName} is not valid JSON`);
  }
  const parsed = acknowledgementsSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`${fileName}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data.acknowledged;
}

export interface SchemaChange {
  type: string;
  description: string;
}

export interface SchemaReport {
  file: SchemaFile;
  /** The committed file differs from what the gateway serves (or is missing). */
  stale: boolean;
  /** Breaking changes since the baseline, each with its acknowledgement's reason or null. */
  breaking: (SchemaChange & { acknowledged: string | null })[];
  dangerous: SchemaChange[];
}

export interface SchemaComparison {
  file: SchemaFile;
  /** What the gateway serves now. */
  printed: string;
  /** The file in the working tree; null when missing. */
  committed: string | null;
  /**
   * The file as the base branch has it (see `check.ts`); null when there is none, and then the
   * committed file is the baseline, so a change shows before the file is updated.
   */
  baseline: string | null;
  acknowledgements: Acknowledgements;
}

/** Compares one schema file with what is served and with its baseline. Pure: no files, no git. */
export function compareSchema({ file, printed, committed, baseline, acknowledgements }: SchemaComparison): SchemaReport {
  const from = baseline ?? committed;
  const report: SchemaReport = { file, stale: committed !== printed, breaking: [], dangerous: [] };
  if (from === null || from === printed) return report;
  const before = buildOf(file, from);
  const after = buildOf(file, printed);
  report.breaking = findBreakingChanges(before, after).map(({ type, description }) => ({
    type,
    description,
    acknowledged: acknowledgements.find((ack) => ack.schema === file && ack.change === description)?.reason ?? null,
  }));
  report.dangerous = findDangerousChanges(before, after).map(({ type, description }) => ({ type, description }));
  return report;
}

/** Why the check fails, one line each; empty when it passes. */
export function problemsOf(reports: readonly SchemaReport[]): string[] {
  return reports.flatMap((report) => [
    ...(report.stale ? [`${report.file} differs from the schema the gateway serves: run \`npm run schema:write\` and commit it`] : []),
    ...report.breaking
      .filter((change) => change.acknowledged === null)
      .map(
        (change) =>
          `${report.file}: breaking change not acknowledged: ${change.description} ` +
          `(add { "schema": "${report.file}", "change": ${JSON.stringify(change.description)}, "reason": "..." } to schema.breaking.json)`,
      ),
  ]);
}

/**
 * Both files build as plain SDL: the subgraph's printed SDL already carries what federation adds
 * (`_entities`, `_service`, `_Any`, the directive definitions), so building it through
 * `buildSubgraphSchema` would add those a second time and fail.
 */
function buildOf(_file: SchemaFile, sdl: string): GraphQLSchema {
  return buildSchema(sdl);
}
