import { SeededRandom } from '../shared/random.ts';
import { BILLING_AGENT, PERSONA_POOL, SOPHIA, type AgentPersona } from './agentPersonas.ts';
import { makeCallerIdentity } from './callerIdentities.ts';
import { writeDialogue, type Sentiment, type SourceType, type Turn } from './dialogueScripts.ts';
import { formatNaiveTimestamp, microsFromDate } from './naiveTimestamp.ts';
import { documentedConversationRecord } from './samples.ts';
import type {
  TrataAdminCommentRecord,
  TrataAgentRecord,
  TrataConversationRecord,
  TrataMessageRecord,
  TrataProspectRecord,
} from './trataRecords.ts';

/** One simulated Trata account (one bearer token, one organisation). */
export interface TrataSimulatorAccount {
  token: string;
  seed: number;
  /** Whether the document's samples (the Hari order, its agent, prospect and org) are in it. */
  withDocumentSamples: boolean;
}

export interface TrataAccountData {
  orgId: string;
  agents: TrataAgentRecord[];
  prospects: TrataProspectRecord[];
  /** Newest first, as generated; the store sorts anyway. */
  conversations: TrataConversationRecord[];
}

export interface SeedOptions {
  /** Conversations in the account, the documented one included. */
  conversations: number;
  /** The newest conversation is a few minutes older than this instant. */
  anchor: Date;
}

const SECOND = 1_000_000; // microseconds
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/** Identifiers the document shows; the demo account uses them so the samples hang together. */
const DOCUMENTED = {
  orgId: 'org.1726902940.GZChqlpU',
  sophiaId: 'aia.1726903132.obUuT7vM',
  billingAgentId: 'aia.1719914136.zl2fxvXB',
  prospect: {
    id: 'pro.1731301754.OZSMSU1S',
    name: 'Hari',
    phoneNumber: '96260-12778',
    email: 'hari@gmail.com',
    address: '123, Main Street, New York, NY, 10001',
    prospectStatus: 'SERVICE_ORDER_PLACED',
    createdAt: '2024-11-11T05:09:14.402117',
  },
  /** The greeting of the documented transcript, word for word. */
  sophiaGreeting:
    'Hi, thanks for calling the Restaurant. I am Sophia, the Restaurant manager powered by AI, how may I assist you today?',
} as const;

const ADMIN_COMMENTS: readonly TrataAdminCommentRecord[] = [
  { comment: 'good', rating: 5 },
  { comment: 'Handled the order smoothly.', rating: 5 },
  { comment: 'Should have offered the dessert menu.', rating: 3 },
  { comment: 'Caller was confused about pricing; follow up.', rating: 2 },
  { comment: 'Escalation was the right call.', rating: 4 },
  { comment: 'Too many repeated questions.', rating: 2 },
  { comment: 'Great tone with an upset caller.', rating: 4 },
];

/**
 * Generates one account's data, the same for the same seed on every run: six agents, about a
 * third as many prospects as conversations, and conversations spread backwards over about 30 days
 * from the anchor. A few share their `createdAt` exactly (stored in one backfill), the two newest
 * are still in progress, and some repeat messages the way the documented transcript does.
 */
export function seedTrataAccount(account: TrataSimulatorAccount, options: SeedOptions): TrataAccountData {
  const random = new SeededRandom(account.seed);
  const anchor = microsFromDate(options.anchor);
  const withSamples = account.withDocumentSamples;
  const orgId = withSamples ? DOCUMENTED.orgId : `org.${unixSeconds(anchor - 400 * DAY)}.${random.token(8)}`;
  const adminUserId = `usr.${unixSeconds(anchor - 380 * DAY)}.${random.token(8)}`;

  const agents = seedAgents(random, orgId, anchor, withSamples);
  const prospects = seedProspects(random, orgId, anchor, Math.max(8, Math.round(options.conversations / 3)), withSamples);
  // The documented prospect keeps its one documented conversation and status.
  const callers = withSamples ? prospects.slice(1) : prospects;

  const generated = Math.max(0, options.conversations - (withSamples ? 1 : 0));
  const conversations: TrataConversationRecord[] = [];
  let createdAt = anchor - random.int(5, 15) * MINUTE - random.int(0, SECOND);
  for (let index = 0; index < generated; index++) {
    const backfilled = index > 2 && random.chance(0.06); // never beside the in-progress two
    if (index > 0 && !backfilled) createdAt -= random.int(20, 700) * MINUTE + random.int(0, SECOND);
    const { agent, persona } = random.pick(agents);
    conversations.push(
      seedConversation(random, {
        orgId,
        adminUserId,
        agent,
        persona,
        prospect: random.pick(callers),
        createdAt,
        inProgress: index < 2,
        backfilled,
      }),
    );
  }
  if (withSamples) conversations.push(documentedConversationRecord());

  // A prospect's status is where its latest conversation left it.
  for (const prospect of prospects) {
    const latest = conversations.find((c) => c.prospectId === prospect.id && c.conversationAnalytics !== null);
    const status = latest?.conversationAnalytics?.prospectStatus;
    if (latest && status && prospect.id !== DOCUMENTED.prospect.id) {
      prospect.prospectStatus = status;
      prospect.updatedAt = latest.createdAt;
    }
  }
  return { orgId, agents: agents.map(({ agent }) => agent), prospects, conversations };
}

interface SeededAgent {
  agent: TrataAgentRecord;
  /** What the agent's conversations are about. */
  persona: AgentPersona;
}

function seedAgents(random: SeededRandom, orgId: string, anchor: number, withSamples: boolean): SeededAgent[] {
  const pool = shuffled(PERSONA_POOL, random);
  const chosen: { persona: AgentPersona; id: string | null }[] = withSamples
    ? [
        { persona: SOPHIA, id: DOCUMENTED.sophiaId },
        { persona: BILLING_AGENT, id: DOCUMENTED.billingAgentId },
        ...pool.slice(0, 4).map((persona) => ({ persona, id: null })),
      ]
    : pool.slice(0, 6).map((persona) => ({ persona, id: null }));

  return chosen.map(({ persona, id }) => {
    const created = id === null ? anchor - random.int(60, 300) * DAY - random.int(0, DAY) : unixMicrosOfId(id) + random.int(0, SECOND);
    const agent: TrataAgentRecord = {
      id: id ?? `aia.${unixSeconds(created)}.${random.token(8)}`,
      orgId,
      name: persona.name,
      description: `${persona.business}: ${persona.role}, powered by AI.`,
      prompt:
        `You are ${persona.name}, ${persona.role} at ${persona.business}. Be warm and brief. ` +
        `Help callers with ${persona.offerings.join(', ')}. Always confirm the caller's name and phone number.`,
      initialMessage:
        persona === SOPHIA
          ? DOCUMENTED.sophiaGreeting
          : `Hi, thanks for calling ${persona.business}. I am ${persona.name}, ${persona.role} powered by AI, how may I assist you today?`,
      voiceModelId: `vom.${unixSeconds(created - 7 * DAY)}.${random.token(8)}`,
      language: persona.language,
      status: 'active',
      createdAt: formatNaiveTimestamp(created),
      updatedAt: formatNaiveTimestamp(created + random.int(0, 20) * DAY),
    };
    return { agent, persona };
  });
}

function seedProspects(
  random: SeededRandom,
  orgId: string,
  anchor: number,
  count: number,
  withSamples: boolean,
): TrataProspectRecord[] {
  const prospects: TrataProspectRecord[] = [];
  if (withSamples) {
    const { createdAt, ...documented } = DOCUMENTED.prospect;
    prospects.push({ ...documented, orgId, createdAt, updatedAt: createdAt });
  }
  while (prospects.length < count) {
    const created = anchor - random.int(31, 120) * DAY - random.int(0, DAY);
    const identity = makeCallerIdentity(random);
    const timestamp = formatNaiveTimestamp(created);
    prospects.push({
      id: `pro.${unixSeconds(created)}.${random.token(8)}`,
      orgId,
      ...identity,
      prospectStatus: 'NEW',
      createdAt: timestamp,
      updatedAt: timestamp,
    });
  }
  return prospects;
}

interface ConversationSeed {
  orgId: string;
  adminUserId: string;
  agent: TrataAgentRecord;
  persona: AgentPersona;
  prospect: TrataProspectRecord;
  /** Epoch microseconds. */
  createdAt: number;
  /** Stored when the call began, so no end, summary or analytics yet. */
  inProgress: boolean;
  /** Stored in a batch long after the call, sharing its `createdAt` with its neighbours. */
  backfilled: boolean;
}

function seedConversation(random: SeededRandom, seed: ConversationSeed): TrataConversationRecord {
  const { persona, prospect, inProgress } = seed;
  const sourceType = pickSourceType(random, persona);
  const sentiment = pickWeighted<Sentiment>(random, [
    ['positive', 45],
    ['neutral', 25],
    ['negative', 15],
    ['mixed', 15],
  ]);
  const dialogue = writeDialogue(
    { persona, sourceType, sentiment, caller: { name: prospect.name, phoneNumber: prospect.phoneNumber, address: prospect.address } },
    random,
  );

  let turns = speakInFragments(dialogue.turns, random);
  if (inProgress) turns = turns.slice(0, random.int(3, Math.max(3, turns.length - 2)));

  // Message times: the agent answers after 4–12 s, a caller after 5–12 s, or 1–3 s when still talking.
  const gaps = turns.map((turn, i) =>
    (i === 0 ? random.int(200, 600) : random.int(...gapRange(turns[i - 1]?.speaker, turn.speaker))) * 1000 + random.int(0, 999),
  );
  const talk = gaps.reduce((a, b) => a + b, 0);
  const hangUp = random.int(1, 13) * SECOND + random.int(0, SECOND);
  let start: number;
  let end: number | null;
  if (inProgress) {
    start = seed.createdAt - random.int(1, 3) * SECOND;
    end = null;
  } else {
    end = seed.createdAt - (seed.backfilled ? random.int(10, 3 * 24 * 60) * MINUTE : random.int(3, 90) * SECOND);
    start = end - talk - hangUp;
  }

  let at = start;
  const messages: TrataMessageRecord[] = turns.map((turn, i) => {
    at += gaps[i] ?? 0;
    return {
      speaker: turn.speaker,
      message: turn.text,
      timestamp: formatNaiveTimestamp(at),
      // The agent's messages carry dialogue ids minted a moment before they are spoken; a
      // caller's message_id is its own text, as in the document.
      message_id: turn.speaker === 'AI' ? `dia.${unixSeconds(at) - random.int(0, 12)}.${random.token(8)}` : turn.text,
    };
  });
  repeatLikeTheDocument(messages, random);

  const identified = dialogue.callerIdentified;
  const commented = !inProgress && random.chance(0.25);
  const adminComments = commented ? pickSome(random, ADMIN_COMMENTS, random.int(1, 2)) : [];
  const updatedAt = commented ? seed.createdAt + random.int(1, 48 * 60) * MINUTE : inProgress ? at : seed.createdAt + 1;

  return {
    id: `con.${unixSeconds(seed.createdAt)}.${random.token(8)}`,
    orgId: seed.orgId,
    prospectId: identified ? prospect.id : null,
    source: sourceType === 'CHAT' ? `widget-${random.token(10)}` : `35.191.${random.int(0, 255)}.${random.int(1, 254)}`,
    sourceType,
    aiAgentId: seed.agent.id,
    transcriptText: messages,
    transcriptSummary: inProgress ? null : dialogue.summary,
    transcriptRecordingUrl:
      inProgress || sourceType === 'CHAT' || end === null
        ? null
        : `https://storage.googleapis.com/trata-staging-recordings-storage/${seed.orgId}/fil.${unixSeconds(end) + random.int(5, 40)}.${random.token(8)}.mp3`,
    timestampStart: formatNaiveTimestamp(start),
    timestampEnd: end === null ? null : formatNaiveTimestamp(end),
    conversationAnalytics: inProgress
      ? null
      : {
          summary: dialogue.summary,
          action_items: dialogue.actionItems,
          is_audio_consent_given: sourceType !== 'CHAT' && random.chance(0.6),
          email_address_of_caller: identified && random.chance(0.7) ? prospect.email : null,
          name_of_caller: identified ? prospect.name : null,
          phone_number_of_caller: identified ? prospect.phoneNumber : null,
          address_of_caller: identified && random.chance(0.5) ? prospect.address : null,
          sentiment_of_caller: sentiment,
          prospectStatus: dialogue.prospectStatus,
        },
    adminComments,
    status: 'active',
    createdBy: 'trata-system',
    createdAt: formatNaiveTimestamp(seed.createdAt),
    updatedBy: commented ? seed.adminUserId : 'trata-system',
    updatedAt: formatNaiveTimestamp(updatedAt),
  };
}

function pickSourceType(random: SeededRandom, persona: AgentPersona): SourceType {
  return persona.kind === 'restaurant'
    ? pickWeighted<SourceType>(random, [
        ['BROWSER', 45],
        ['PHONE', 40],
        ['CHAT', 15],
      ])
    : pickWeighted<SourceType>(random, [
        ['BROWSER', 30],
        ['PHONE', 35],
        ['PHONE_OUTBOUND', 20],
        ['CHAT', 15],
      ]);
}

function gapRange(previous: Turn['speaker'] | undefined, current: Turn['speaker']): [number, number] {
  if (current === 'AI') return [4000, 12000];
  return previous === 'USER' ? [900, 3000] : [5000, 12000];
}

/**
 * Callers pause mid-sentence and Trata then stores two messages (`Okay. Can you tell me, like,`
 * and `are the menu options you have?`): some caller turns are cut after a comma.
 */
function speakInFragments(turns: Turn[], random: SeededRandom): Turn[] {
  const out: Turn[] = [];
  for (const [i, turn] of turns.entries()) {
    const room = out.length + (turns.length - i) < 19;
    const comma = turn.text.indexOf(', ', 6);
    const canCut = turn.speaker === 'USER' && comma > 0 && turn.text.slice(comma + 2).split(' ').length >= 2;
    if (canCut && room && random.chance(0.4)) {
      out.push({ speaker: 'USER', text: turn.text.slice(0, comma + 1) });
      out.push({ speaker: 'USER', text: turn.text.slice(comma + 2) });
    } else {
      out.push(turn);
    }
  }
  return out;
}

/**
 * The document's transcript holds exact repeats: one caller message twice in a row, and an
 * agent-caller exchange sent again. Some generated transcripts repeat the same way (at most 20
 * messages in all), so the connector's de-duplication meets them outside the sample too.
 */
function repeatLikeTheDocument(messages: TrataMessageRecord[], random: SeededRandom): void {
  if (messages.length <= 18 && random.chance(0.1)) {
    const exchanges = messages.flatMap((m, i) => (i > 0 && m.speaker === 'AI' && messages[i + 1]?.speaker === 'USER' ? [i] : []));
    const exchange = exchanges.length > 0 ? random.pick(exchanges) : -1;
    const pair = exchange > 0 ? messages.slice(exchange, exchange + 2) : [];
    if (pair.length === 2) messages.splice(exchange + 2, 0, ...pair.map((m) => ({ ...m })));
  }
  if (messages.length <= 19 && random.chance(0.15)) {
    const users = messages.flatMap((m, i) => (m.speaker === 'USER' ? [i] : []));
    const index = users.length > 0 ? random.pick(users) : -1;
    const message = messages[index];
    if (message) messages.splice(index + 1, 0, { ...message });
  }
}

function pickWeighted<T>(random: SeededRandom, choices: readonly [T, number][]): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random.next() * total;
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll < 0) return value;
  }
  const last = choices[choices.length - 1];
  if (!last) throw new Error('pickWeighted needs choices');
  return last[0];
}

function pickSome<T>(random: SeededRandom, items: readonly T[], count: number): T[] {
  return shuffled(items, random).slice(0, count);
}

function shuffled<T>(items: readonly T[], random: SeededRandom): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

function unixSeconds(epochMicros: number): number {
  return Math.floor(epochMicros / SECOND);
}

/** Trata ids carry their creation second: `aia.1726903132.obUuT7vM` was made at 1726903132. */
function unixMicrosOfId(id: string): number {
  return Number(id.split('.')[1]) * SECOND;
}
