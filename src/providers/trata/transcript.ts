import type { Normalized, Speaker, Transcript, TranscriptMessage } from '../../domain/types.ts';
import { parseTrataTimestamp } from './timestamps.ts';
import type { TrataMessage, TrataTranscriptText } from './wire.ts';

/**
 * Maps Trata's `transcriptText` to a domain transcript.
 *
 * - A string (the create request's form, a URL) is where the transcript is kept: a transcript
 *   with that `url` and no messages here.
 * - Exact repeats (same speaker, text and timestamp) are removed wherever they appear: Trata's
 *   own sample repeats a whole exchange and one message. Two messages that share text but not
 *   time are both kept, since a caller may well say "Yes." twice.
 * - A USER message's `message_id` is its own text, so it is not an id: `id` is null then.
 */
export function mapTrataTranscript(transcriptText: TrataTranscriptText | null | undefined): Transcript | null {
  if (transcriptText === null || transcriptText === undefined) return null;
  if (typeof transcriptText === 'string') return { messages: [], duplicatesRemoved: 0, url: transcriptText };
  // The usual transcript: nothing to look for (see `timesStrictlyIncrease`).
  if (timesStrictlyIncrease(transcriptText)) return { messages: transcriptText.map(mapMessage), duplicatesRemoved: 0 };

  // Repeats are found by a short key first (timestamp, speaker, text length: cheap to hash, where
  // hashing every message's whole text was most of the mapping's cost), then compared whole. The
  // key keeps each group small even when a provider sends thousands of messages without a time.
  const seenByKey = new Map<string, TrataMessage[]>();
  const messages: TranscriptMessage[] = [];
  let duplicatesRemoved = 0;
  for (const message of transcriptText) {
    const key = `${message.timestamp ?? ''}\u0000${message.speaker ?? '\u0000'}\u0000${message.message?.length ?? -1}`;
    const sameKey = seenByKey.get(key);
    if (sameKey?.some((seen) => (seen.speaker ?? null) === (message.speaker ?? null) && (seen.message ?? null) === (message.message ?? null) && (seen.timestamp ?? null) === (message.timestamp ?? null))) {
      duplicatesRemoved++;
      continue;
    }
    if (sameKey) sameKey.push(message);
    else seenByKey.set(key, [message]);
    messages.push(mapMessage(message));
  }
  return { messages, duplicatesRemoved };
}

/**
 * Whether every message has a time written later (as text) than the one before: then no two
 * messages share a time, so none can repeat another exactly. A live transcript is written in
 * order, so this one pass usually saves the repeat search (its key and map were most of the
 * mapping's cost after the timestamps, issue 9). Text order is enough: strictly increasing texts
 * are all different, whatever their format.
 */
function timesStrictlyIncrease(messages: readonly TrataMessage[]): boolean {
  let previous = '';
  for (const message of messages) {
    const time = message.timestamp;
    if (typeof time !== 'string' || time <= previous) return false;
    previous = time;
  }
  return true;
}

function mapMessage(message: TrataMessage): TranscriptMessage {
  const text = message.message ?? '';
  const messageId = message.message_id ?? null;
  return {
    id: messageId !== null && messageId !== '' && messageId !== text ? messageId : null,
    speaker: mapTrataSpeaker(message.speaker),
    text,
    at: parseTrataTimestamp(message.timestamp),
  };
}

/** Trata's own spellings, answered with one shared value each: a page carries thousands of messages. */
const AGENT_AS_WRITTEN: Normalized<Speaker> = Object.freeze({ value: 'AGENT', raw: 'AI' });
const CUSTOMER_AS_WRITTEN: Normalized<Speaker> = Object.freeze({ value: 'CUSTOMER', raw: 'USER' });

export function mapTrataSpeaker(raw: string | null | undefined): Normalized<Speaker> {
  if (raw === 'AI') return AGENT_AS_WRITTEN;
  if (raw === 'USER') return CUSTOMER_AS_WRITTEN;
  switch (raw?.trim().toUpperCase()) {
    case 'AI':
      return { value: 'AGENT', raw: raw ?? null };
    case 'USER':
      return { value: 'CUSTOMER', raw: raw ?? null };
    default:
      return { value: 'UNKNOWN', raw: raw ?? null };
  }
}
