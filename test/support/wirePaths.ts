import type { z } from 'zod';

/**
 * Every leaf field of a zod wire schema as a dotted path (`phone_call.direction`,
 * `transcriptText[].speaker`). Objects are walked into, arrays add `[]`, optional/nullable/
 * default/pipe wrappers are looked through, and a union contributes its own path when one of its
 * options is a leaf (Trata's `transcriptText` is a URL string or a list of messages) plus the
 * paths of its structured options. Records and unknowns are leaves: a JSON bag has one place.
 */
export function wireLeafPaths(schema: z.ZodType): string[] {
  const paths = new Set<string>();
  walk(schema, '', paths);
  return [...paths].sort();
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function walk(schema: z.ZodType, path: string, paths: Set<string>): void {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      walk(def.innerType as z.ZodType, path, paths);
      return;
    case 'pipe':
      walk(def.in as z.ZodType, path, paths);
      return;
    case 'object':
      for (const [key, field] of Object.entries(def.shape ?? {})) walk(field, path ? `${path}.${key}` : key, paths);
      return;
    case 'array':
      walk(def.element as z.ZodType, `${path}[]`, paths);
      return;
    case 'union':
      for (const option of def.options ?? []) {
        if (isStructured(option)) walk(option, path, paths);
        else paths.add(path);
      }
      return;
    default:
      paths.add(path);
  }
}

function isStructured(schema: z.ZodType): boolean {
  const def = defOf(schema);
  if (def.type === 'optional' || def.type === 'nullable') return isStructured(def.innerType as z.ZodType);
  return def.type === 'object' || def.type === 'array';
}

/** Every schema object reachable from the given ones (to check that no exported wire schema is left out). */
export function reachableSchemas(roots: readonly z.ZodType[]): Set<z.ZodType> {
  const seen = new Set<z.ZodType>();
  const visit = (schema: z.ZodType | undefined): void => {
    if (!schema || seen.has(schema)) return;
    seen.add(schema);
    const def = defOf(schema);
    [def.innerType, def.element, def.in, ...Object.values(def.shape ?? {}), ...(def.options ?? [])].forEach(visit);
  };
  roots.forEach(visit);
  return seen;
}
