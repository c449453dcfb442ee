import { z } from 'zod';

/**
 * How deep a provider's free-form JSON (metadata, dynamic variables) may nest. Real metadata
 * nests a few levels; what the gateway does with such a value afterwards (JSON.stringify of the
 * answer, the synced store's jsonb, an export line) recurses per level, and a provider that sent
 * 20,000 levels overflowed the stack there: the whole answer was a 500 instead of an error on the
 * one field. Checked here, before use, so it is that field's PROVIDER_BAD_RESPONSE.
 */
export const MAX_JSON_DEPTH = 64;

const TOO_DEEP = `nested deeper than ${MAX_JSON_DEPTH} levels`;

/** Whether a parsed JSON value nests deeper than `max` (objects and arrays), walked with a loop, not recursion. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > max) return true;
    for (const inner of Array.isArray(current) ? current : Object.values(current)) pending.push([inner, depth + 1]);
  }
  return false;
}

/** Whether JSON text nests deeper than `max`, read without parsing it (brackets outside strings). */
export function textNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}

/** A provider's free-form JSON object, at most MAX_JSON_DEPTH levels deep. */
export const boundedJsonObject = z.record(z.string(), z.unknown()).refine((value) => !nestsDeeperThan(value, MAX_JSON_DEPTH), TOO_DEEP);

/** JSON sent as text (Oration's `dynamicVariables`), at most MAX_JSON_DEPTH levels deep once decoded. */
export const boundedJsonText = z.string().refine((text) => !textNestsDeeperThan(text, MAX_JSON_DEPTH), TOO_DEEP);

/**
 * JSON.parse of a provider's free-form JSON text, keeping the digits of a number a double cannot
 * hold: a whole number past 2^53 (an account number 12345678901234567890 would read
 * 12345678901234567000) or past a double's range (1e400 would read Infinity, then null) comes back
 * as the string of its source. Read a second time, with Node's reviver source access, only when
 * the plain parse found such a number, so ordinary JSON pays for one parse.
 */
export function parseJsonKeepingDigits(text: string): unknown {
  const parsed: unknown = JSON.parse(text);
  return containsInexactNumber(parsed) ? parseWithInexactSources(text) : parsed;
}

/** JSON.parse with every number a double cannot hold as the string of its source. */
function parseWithInexactSources(text: string): unknown {
  const keepSource = (_key: string, value: unknown, context?: { source?: string }): unknown =>
    inexact(value) && context?.source !== undefined ? context.source : value;
  return JSON.parse(text, keepSource);
}

function inexact(value: unknown): boolean {
  return typeof value === 'number' && (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)));
}

/** Whether a parsed JSON value holds an inexact number, walked with a loop, not recursion. */
function containsInexactNumber(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (inexact(current)) return true;
    // One push per value, not a spread: a spread passes each value as an argument, and an array of
    // a few hundred thousand overflowed the stack (a provider's metadata may hold one).
    if (typeof current === 'object' && current !== null) for (const inner of Array.isArray(current) ? current : Object.values(current)) pending.push(inner);
  }
  return false;
}

/** One place a body holds a provider's free-form JSON: the object holding it and its key. */
export type FreeFormSite = readonly [holder: Record<string, unknown>, key: string];

/**
 * Where an endpoint's body holds free-form JSON (metadata), found in a parsed body before it is
 * validated (so read defensively). Run on two parses of the same text, it must find the same
 * sites in the same order.
 */
export type FreeFormSites = (body: unknown) => FreeFormSite[];

/**
 * The free-form JSON at `paths` (each a list of keys) of every record of a body: the records are
 * the array at `listKey`, or the body itself when `listKey` is null. `freeFormAt('results',
 * ['postCallMetadata'])` finds each listed conversation's `postCallMetadata`.
 */
export function freeFormAt(listKey: string | null, ...paths: (readonly string[])[]): FreeFormSites {
  return (body) => {
    const records = listKey === null ? [body] : isJsonObject(body) && Array.isArray(body[listKey]) ? (body[listKey] as unknown[]) : [];
    const sites: FreeFormSite[] = [];
    for (const record of records) {
      for (const path of paths) {
        let holder: unknown = record;
        for (const key of path.slice(0, -1)) holder = isJsonObject(holder) ? holder[key] : undefined;
        const key = path.at(-1)!;
        if (isJsonObject(holder) && typeof holder[key] === 'object' && holder[key] !== null) sites.push([holder, key]);
      }
    }
    return sites;
  };
}

/**
 * A parsed body whose free-form JSON keeps the digits of every number a double cannot hold
 * (`parseJsonKeepingDigits`): JSON.parse read 12345678901234567890 in a conversation's metadata
 * as 12345678901234567000. Only when a site holds such a number is the text read again, with
 * the source kept, and only the sites are taken from that reading: the documented numeric fields
 * stay numbers, as their schemas expect. Mutates and returns `body`.
 */
export function keepFreeFormDigits(text: string, body: unknown, sitesOf: FreeFormSites): unknown {
  const sites = sitesOf(body);
  if (!sites.some(([holder, key]) => containsInexactNumber(holder[key]))) return body;
  let exactSites: FreeFormSite[];
  try {
    exactSites = sitesOf(parseWithInexactSources(text));
  } catch {
    return body; // a reviver recurses per level: JSON too deep for it is refused by the schema's depth check anyway
  }
  sites.forEach(([holder, key], index) => {
    const exact = exactSites[index];
    if (exact) holder[key] = exact[0][exact[1]];
  });
  return body;
}

/** Whether a parsed JSON value is an object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
