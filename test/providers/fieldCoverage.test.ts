import { buildASTSchema, getNamedType, isInterfaceType, type GraphQLField, isObjectType, parse, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { WireFieldCoverage } from '../../src/providers/fieldCoverage.ts';
import { ORATION_FIELD_COVERAGE } from '../../src/providers/oration/fieldCoverage.ts';
import * as orationWire from '../../src/providers/oration/wire.ts';
import { TRATA_FIELD_COVERAGE } from '../../src/providers/trata/fieldCoverage.ts';
import * as trataWire from '../../src/providers/trata/wire.ts';
import { VOICEOS_FIELD_COVERAGE } from '../../src/providers/voiceos/fieldCoverage.ts';
import * as voiceOsWire from '../../src/providers/voiceos/wire.ts';
import { loadTypeDefs } from '../../src/schema.ts';
import { reachableSchemas, wireLeafPaths } from '../support/wirePaths.ts';

const schema: GraphQLSchema = buildASTSchema(parse(loadTypeDefs().join('\n')));

/** The type a dotted GraphQL path (`Conversation.oration.customerId`) ends on, or an error naming the bad step. */
function resolveGraphPath(path: string): GraphQLNamedType | string {
  const [root = '', ...fields] = path.split('.');
  const start = schema.getType(root);
  if (!start) return `${path}: no type ${root}`;
  let type: GraphQLNamedType = start;
  for (const field of fields) {
    if (!isObjectType(type) && !isInterfaceType(type)) return `${path}: ${type.name} has no fields`;
    const next: GraphQLField<unknown, unknown> | undefined = type.getFields()[field];
    if (!next) return `${path}: ${type.name} has no field ${field}`;
    type = getNamedType(next.type);
  }
  return type;
}

function rootOf(entry: WireFieldCoverage): string {
  const roots = new Set(Object.values(entry.graph).flatMap((targets) => (typeof targets === 'string' ? [targets] : targets)).map((path) => path.split('.')[0]));
  expect([...roots], `${entry.name}: one root type`).toHaveLength(1);
  return [...roots][0] as string;
}

/** The wire paths an entry must name itself: all leaves minus those its nested entries cover. */
function ownPaths(entry: WireFieldCoverage, byName: Map<string, WireFieldCoverage>): string[] {
  let paths = wireLeafPaths(entry.schema);
  for (const { prefix, entry: nestedName } of entry.nested ?? []) {
    const nested = byName.get(nestedName);
    if (!nested) throw new Error(`${entry.name}: no entry ${nestedName}`);
    const covered = wireLeafPaths(nested.schema).map((path) => (prefix === '' ? path : path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`));
    expect(covered.filter((path) => !paths.includes(path)), `${entry.name}: ${nestedName} at ${prefix || 'the top'}`).toEqual([]);
    paths = paths.filter((path) => !covered.includes(path));
  }
  return paths;
}

const PROVIDERS: [string, readonly WireFieldCoverage[], Record<string, unknown>][] = [
  ['Oration', ORATION_FIELD_COVERAGE, orationWire],
  ['Trata', TRATA_FIELD_COVERAGE, trataWire],
  ['VoiceOS', VOICEOS_FIELD_COVERAGE, voiceOsWire],
];

describe.each(PROVIDERS)('%s wire fields in the graph', (_provider, coverage, wireModule) => {
  const byName = new Map(coverage.map((entry) => [entry.name, entry]));

  it('names a graph place for every wire field, and no field the wire schema lacks', () => {
    for (const entry of coverage) {
      const own = ownPaths(entry, byName);
      const named = Object.keys(entry.graph).sort();
      expect({ entry: entry.name, withoutGraphPlace: own.filter((path) => !named.includes(path)) }).toEqual({ entry: entry.name, withoutGraphPlace: [] });
      expect({ entry: entry.name, notOnTheWire: named.filter((path) => !own.includes(path)) }).toEqual({ entry: entry.name, notOnTheWire: [] });
    }
  });

  it('points only at fields the GraphQL schema has', () => {
    const broken: string[] = [];
    for (const entry of coverage) {
      for (const targets of Object.values(entry.graph)) {
        for (const path of typeof targets === 'string' ? [targets] : targets) {
          const resolved = resolveGraphPath(path);
          if (typeof resolved === 'string') broken.push(resolved);
        }
      }
      for (const { at, entry: nestedName } of entry.nested ?? []) {
        const resolved = resolveGraphPath(at);
        const nested = byName.get(nestedName);
        if (typeof resolved === 'string') broken.push(resolved);
        else if (nested && resolved.name !== rootOf(nested)) broken.push(`${at} is ${resolved.name}, ${nestedName} is ${rootOf(nested)}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('covers every schema the wire module exports', () => {
    const reachable = reachableSchemas(coverage.map((entry) => entry.schema));
    const exported = Object.entries(wireModule).filter(([, value]) => typeof value === 'object' && value !== null && '_zod' in value);
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.filter(([, value]) => !reachable.has(value as z.ZodType)).map(([name]) => name)).toEqual([]);
  });
});
