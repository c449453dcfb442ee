import type { z } from 'zod';

/**
 * Where each field of a provider's wire schema lands in the graph. One entry per wire schema:
 * `graph` maps every leaf path of the schema (`phone_call.direction`, `transcriptText[].speaker`;
 * see test/support/wirePaths.ts) to the GraphQL field(s) that carry it, written from a root type
 * (`Conversation.voiceos.phoneCallDirection`); `nested` hands the paths under a prefix to another
 * entry (a list envelope's items, the agent configuration VoiceOS embeds in a conversation).
 * test/providers/fieldCoverage.test.ts walks the schemas and checks both directions against the
 * real SDL, so a new wire field without a graph place, or a typo here, fails the suite.
 */
export interface WireFieldCoverage {
  /** Names the entry in failures and in `nested`. */
  name: string;
  schema: z.ZodType;
  graph: Readonly<Record<string, string | readonly string[]>>;
  /** `at` is the graph field whose type is the nested entry's root type (checked too). */
  nested?: readonly { prefix: string; entry: string; at: string }[];
}
