import type { SeededRandom } from '../shared/random.ts';

/** What Oration fills in after an answered conversation: notes, three categories, metadata, summary. */
export interface PostCallRecord {
  postCallNotes: string;
  postCallCategory1: string;
  postCallCategory2: string;
  postCallCategory3: string | null;
  postCallMetadata: Record<string, unknown>;
  summary: string;
}

const OUTCOMES = [
  { category: 'Appointment confirmed', summary: 'confirmed the appointment', sentiment: 0.8 },
  { category: 'Callback requested', summary: 'asked to be called back later in the week', sentiment: 0.5 },
  { category: 'Not interested', summary: 'said they were not interested', sentiment: 0.2 },
  { category: 'Information provided', summary: 'asked for details, which the agent provided', sentiment: 0.6 },
  { category: 'Escalated to human', summary: 'asked to speak to a person and was transferred', sentiment: 0.35 },
  { category: 'Renewed', summary: 'agreed to renew', sentiment: 0.9 },
] as const;
const INTENTS = ['High intent', 'Medium intent', 'Low intent'] as const;
const FOLLOW_UPS = [null, null, 'Follow-up needed', 'Do not call'] as const;

/** Draws a plausible post-call analysis for a conversation with `customerName` (or an anonymous user). */
export function drawPostCall(random: SeededRandom, customerName: string | null): PostCallRecord {
  const outcome = random.pick(OUTCOMES);
  const who = customerName ?? 'The user';
  const followUp = random.pick(FOLLOW_UPS);
  return {
    postCallNotes: `${who} ${outcome.summary}.${followUp === 'Follow-up needed' ? ' Schedule a follow-up.' : ''}`,
    postCallCategory1: outcome.category,
    postCallCategory2: random.pick(INTENTS),
    postCallCategory3: followUp,
    postCallMetadata: {
      sentimentScore: Math.round((outcome.sentiment + (random.next() - 0.5) * 0.2) * 100) / 100,
      followUpRequired: followUp === 'Follow-up needed',
    },
    summary: `The agent spoke with ${customerName ?? 'the user'}, who ${outcome.summary}.`,
  };
}
