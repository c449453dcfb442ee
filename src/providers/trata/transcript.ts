import type { Normalized, Speaker, Transcript, TranscriptMessage } from '../../domain/types.ts';
import type { PreciseDate } from '../../domain/preciseDate.ts';
import { parseTrataTimestamp } from './timestamps.ts';
import type { TrataMessage, TrataTranscriptText } from './wire.ts';

/**
 * Maps Trata's `transcriptText` to a domain transcript.
 *
 * - A URL string (the create request's form) carries no messages here: an empty transcript.
 * - Exact repeats (same speaker, text and timestamp) are removed wherever they appear: Trata's
 *   own sample repeats a whole exchange and one message. Two messages that share text but not
 *   time are both kept, since a caller may well say "Yes." twice.
 * - A USER message's `message_id` is its own text, so it is not an id: `id` is null then.
 */
export function mapTrataTranscript(transcriptText: TrataTranscriptText | null | undefined): Transcript | null {
  if (transcriptText === null || transcriptText === undefined) return null;
  if (typeof transcriptText === 'string') return { messages: [], duplicatesRemoved: 0 };

  const seen = new Set<string>();
  const messages: TranscriptMessage[] = [];
  let duplicatesRemoved = 0;
  for (const message of transcriptText) {
    const key = keyPart(message.speaker) + keyPart(message.message) + keyPart(message.timestamp);
    if (seen.has(key)) {
      duplicatesRemoved++;
      continue;
    }
    seen.add(key);
    messages.push(mapMessage(message));
  }
  return { messages, duplicatesRemoved };
}

/** A part of a message's identity, length-prefixed so that no two messages share a key by accident; `-` for absent. */
function keyPart(value: string | null | undefined): string {
  return value === null || value === undefined ? '-' : `${value.length}:${value}`;
}

function mapMessage(message: TrataMessage): TranscriptMessage {
  const text = message.message ?? '';
  const messageId = message.message_id ?? null;
  let at: PreciseDate | null | undefined;
  return {
    id: messageId !== null && messageId !== '' && messageId !== text ? messageId : null,
    speaker: mapTrataSpeaker(message.speaker),
    text,
    // Parsed when read, once: a page that shows who said what does not parse every message's time.
    get at() {
      return at === undefined ? (at = parseTrataTimestamp(message.timestamp)) : at;
    },
  };
}

export function mapTrataSpeaker(raw: string | null | undefined): Normalized<Speaker> {
  switch (raw?.trim().toUpperCase()) {
    case 'AI':
      return { value: 'AGENT', raw: raw ?? null };
    case 'USER':
      return { value: 'CUSTOMER', raw: raw ?? null };
    default:
      return { value: 'UNKNOWN', raw: raw ?? null };
  }
}
