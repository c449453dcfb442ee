import { z } from 'zod';
import { PROVIDERS } from '../domain/types.ts';
import { CONVERSATION_CHANGE_KINDS, type ChangeEvent } from './changeEvent.ts';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (in the default build). */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7999;

const changeEventSchema: z.ZodType<ChangeEvent> = z.union([
  z.object({
    type: z.literal('conversation'),
    workspaceId: z.string(),
    provider: z.enum(PROVIDERS),
    nativeId: z.string(),
    version: z.number().int(),
    changes: z.array(z.enum(CONVERSATION_CHANGE_KINDS)),
  }),
  z.object({ type: z.literal('batch'), workspaceId: z.string(), batchId: z.string() }),
]);

/** A payload is a JSON array of events; a single event object is what replicas before batching sent. */
const payloadSchema = z.union([z.array(changeEventSchema), changeEventSchema.transform((event) => [event])]);

export interface PackedPayloads {
  /** JSON arrays of events, in publishing order, each under `MAX_NOTIFY_PAYLOAD_BYTES` in UTF-8. */
  payloads: string[];
  /** Events that alone are over the limit (cannot be sent at all). */
  tooLarge: ChangeEvent[];
}

/** Packs events, in order, into as few payloads as the NOTIFY size limit allows. */
export function packNotifyPayloads(events: readonly ChangeEvent[], maxBytes = MAX_NOTIFY_PAYLOAD_BYTES): PackedPayloads {
  const payloads: string[] = [];
  const tooLarge: ChangeEvent[] = [];
  let current: string[] = [];
  let currentBytes = 2; // the brackets
  const flush = () => {
    if (current.length > 0) payloads.push(`[${current.join(',')}]`);
    current = [];
    currentBytes = 2;
  };
  for (const event of events) {
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes + 2 > maxBytes) {
      tooLarge.push(event);
      continue;
    }
    const separator = current.length > 0 ? 1 : 0;
    if (currentBytes + separator + bytes > maxBytes) flush();
    currentBytes += (current.length > 0 ? 1 : 0) + bytes;
    current.push(json);
  }
  flush();
  return { payloads, tooLarge };
}

/** The events of one notification, or an error saying why it is not one. */
export function decodeNotifyPayload(payload: string): { events: ChangeEvent[] } | { error: Error } {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
  const parsed = payloadSchema.safeParse(json);
  return parsed.success ? { events: parsed.data } : { error: new Error(`Not a change feed payload: ${parsed.error.message}`) };
}
