import type { TranscriptMessageResolvers, TranscriptResolvers } from '../generated/graphql.ts';

export const Transcript: TranscriptResolvers = {
  text: (transcript) => transcript.messages.map((m) => `${m.speaker.value}: ${m.text}`).join('\n'),
  url: (transcript) => transcript.url ?? null,
};

export const TranscriptMessage: TranscriptMessageResolvers = {
  speaker: (message) => message.speaker.value,
  rawSpeaker: (message) => message.speaker.raw,
};
