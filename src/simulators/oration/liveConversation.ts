import type { SeededRandom } from '../shared/random.ts';
import { drawPostCall, type PostCallRecord } from './drawPostCall.ts';
import { formatOrationTime, type OrationConversationRecord } from './orationRecords.ts';
import { sampleDurationMs, type DurationDistribution } from './sampleDurationMs.ts';

/** How conversations created through the API progress. */
export interface OrationLifecycle {
  /** From the create until dialing starts (a chat goes straight to active). */
  queueMs: DurationDistribution;
  /** Ringing time of a telephony conversation, answered or not. */
  dialMs: DurationDistribution;
  /** From the user joining until the end (capped by the agent's `maxDurationSeconds`). */
  talkMs: DurationDistribution;
  /** Share of telephony conversations nobody answers. */
  unansweredRate: number;
  /** Share of conversations that fail (at the end of dialing). */
  failRate: number;
}

/** Demo defaults: calls of a few seconds, so a burst of hundreds finishes while one watches. */
export const DEFAULT_ORATION_LIFECYCLE: OrationLifecycle = {
  queueMs: { kind: 'fixed', ms: 250 },
  dialMs: { kind: 'uniform', minMs: 800, maxMs: 2_500 },
  talkMs: { kind: 'lognormal', medianMs: 4_000, sigma: 0.5, maxMs: 15_000 },
  unansweredRate: 0.15,
  failRate: 0.03,
};

export interface LiveConversationInput {
  id: string;
  workspaceId: string;
  agentId: string;
  agentMaxDurationSeconds: number;
  conversationType: 'chat' | 'telephony';
  toPhoneNumber: string | null;
  /** The workspace's phone line used for telephony. */
  phone: { id: string; number: string };
  dynamicVariables: Record<string, unknown>;
  createdAtMs: number;
}

type Outcome = 'answered' | 'unanswered' | 'failed';

export interface Timeline {
  /** When dialing starts (for a chat: when it becomes active). */
  dialStartMs: number;
  /** When the user joins; null when they never do. */
  joinMs: number | null;
  endMs: number;
  outcome: Outcome;
  endReason: string;
}

/** Everything a live conversation is: what it was created with and its whole drawn future. */
export interface LiveConversationSnapshot {
  input: LiveConversationInput;
  timeline: Timeline;
  postCall: PostCallRecord | null;
}

/**
 * A conversation created through the API. Its whole timeline is drawn at creation, and every read
 * derives the status and timestamps from the clock, so no timer runs and a test may drive time.
 */
export class LiveConversation {
  readonly input: LiveConversationInput;
  readonly #timeline: Timeline;
  readonly #postCall: PostCallRecord | null;

  private constructor(input: LiveConversationInput, timeline: Timeline, postCall: PostCallRecord | null) {
    this.input = input;
    this.#timeline = timeline;
    this.#postCall = postCall;
  }

  /** Draws the timeline of a new conversation from `lifecycle`. */
  static plan(input: LiveConversationInput, lifecycle: OrationLifecycle, random: SeededRandom): LiveConversation {
    const isChat = input.conversationType === 'chat';
    const dialStartMs = input.createdAtMs + sampleDurationMs(lifecycle.queueMs, random);
    const ringEndMs = isChat ? dialStartMs : dialStartMs + sampleDurationMs(lifecycle.dialMs, random);
    const draw = random.next();
    let timeline: Timeline;
    if (draw < lifecycle.failRate) {
      timeline = { dialStartMs, joinMs: null, endMs: ringEndMs, outcome: 'failed', endReason: 'error' };
    } else if (!isChat && draw < lifecycle.failRate + lifecycle.unansweredRate) {
      timeline = { dialStartMs, joinMs: null, endMs: ringEndMs, outcome: 'unanswered', endReason: 'user_did_not_answer' };
    } else {
      const maxTalkMs = input.agentMaxDurationSeconds * 1000;
      const talkMs = sampleDurationMs(lifecycle.talkMs, random);
      const endReason =
        talkMs >= maxTalkMs ? 'max_duration_reached' : random.chance(0.6) ? 'agent_ended' : 'user_ended';
      timeline = {
        dialStartMs,
        joinMs: ringEndMs,
        endMs: ringEndMs + Math.min(talkMs, maxTalkMs),
        outcome: 'answered',
        endReason,
      };
    }
    const customerName = input.dynamicVariables.customerName;
    const postCall =
      timeline.outcome === 'answered' ? drawPostCall(random, typeof customerName === 'string' ? customerName : null) : null;
    return new LiveConversation(input, timeline, postCall);
  }

  /** The conversation as it was planned; its timeline is in epoch milliseconds, so it holds across restarts. */
  snapshot(): LiveConversationSnapshot {
    return { input: this.input, timeline: this.#timeline, postCall: this.#postCall };
  }

  /** The conversation a snapshot describes, its status again derived from the clock. */
  static fromSnapshot(snapshot: LiveConversationSnapshot): LiveConversation {
    return new LiveConversation(snapshot.input, snapshot.timeline, snapshot.postCall);
  }

  get id(): string {
    return this.input.id;
  }

  get createdAtMs(): number {
    return this.input.createdAtMs;
  }

  /** When the conversation ends (or fails) and frees its concurrency slot. */
  get endsAtMs(): number {
    return this.#timeline.endMs;
  }

  statusAt(nowMs: number): 'queued' | 'dialing' | 'active' | 'ended' | 'failed' {
    const { dialStartMs, joinMs, endMs, outcome } = this.#timeline;
    if (nowMs >= endMs) return outcome === 'failed' ? 'failed' : 'ended';
    if (joinMs !== null && nowMs >= joinMs) return 'active';
    if (nowMs >= dialStartMs) return 'dialing';
    return 'queued';
  }

  /** The conversation as the API shows it at `nowMs`. */
  recordAt(nowMs: number): OrationConversationRecord {
    const { input } = this;
    const { dialStartMs, joinMs, endMs, outcome, endReason } = this.#timeline;
    const status = this.statusAt(nowMs);
    const isTelephony = input.conversationType === 'telephony';
    const ended = status === 'ended' || status === 'failed';
    const joined = joinMs !== null && nowMs >= joinMs;
    const dialed = nowMs >= dialStartMs;
    const postCall = ended ? this.#postCall : null;
    const lastChangeMs = ended ? endMs : joined ? (joinMs ?? dialStartMs) : dialed ? dialStartMs : input.createdAtMs;
    const at = (ms: number | null, reached: boolean) => (ms !== null && reached ? formatOrationTime(ms) : null);

    return {
      id: input.id,
      phoneId: isTelephony ? input.phone.id : null,
      agentId: input.agentId,
      workspaceId: input.workspaceId,
      wsUrl: isTelephony ? null : `wss://www.oration.ai/api/v2/conversations/${input.id}/ws`,
      llmUrl: null,
      callStartTime: at(dialStartMs, dialed),
      callEndTime: at(endMs, ended),
      userJoinTime: at(joinMs, joined),
      userLeaveTime: at(endMs, joined && ended),
      customerId: null,
      toPhoneNumber: input.toPhoneNumber,
      fromPhoneNumber: isTelephony ? input.phone.number : null,
      conversationStatus: status,
      telephonyType: isTelephony ? 'outbound' : null,
      telephonyStatus: isTelephony ? telephonyStatus(status, outcome) : null,
      endReason: ended ? endReason : null,
      recordingStatus: joined ? (ended ? 'completed' : 'in_progress') : null,
      postCallNotes: postCall?.postCallNotes ?? null,
      postCallCategory1: postCall?.postCallCategory1 ?? null,
      postCallCategory2: postCall?.postCallCategory2 ?? null,
      postCallCategory3: postCall?.postCallCategory3 ?? null,
      postCallMetadata: postCall?.postCallMetadata ?? null,
      conversationType: input.conversationType,
      dynamicVariables: JSON.stringify(input.dynamicVariables),
      summary: postCall?.summary ?? null,
      createdAt: formatOrationTime(input.createdAtMs),
      updatedAt: formatOrationTime(lastChangeMs),
    };
  }
}

/** Oration does not document `telephonyStatus`; SIP-like words are assumed. */
function telephonyStatus(status: ReturnType<LiveConversation['statusAt']>, outcome: Outcome): string {
  switch (status) {
    case 'queued':
      return 'queued';
    case 'dialing':
      return 'ringing';
    case 'active':
      return 'in-progress';
    case 'failed':
      return 'failed';
    case 'ended':
      return outcome === 'unanswered' ? 'no-answer' : 'completed';
  }
}
