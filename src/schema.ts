import { readdirSync, readFileSync } from 'node:fs';

const schemaDir = new URL('../schema/', import.meta.url);

/** The SDL, from `schema/*.graphql` (the same files GraphQL Code Generator reads). */
export function loadTypeDefs(): string[] {
  return readdirSync(schemaDir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(new URL(file, schemaDir), 'utf8'));
}
