import { SeededRandom } from '../shared/random.ts';
import { priceConversation, type ConversationUsage } from './priceConversation.ts';
import {
  DEEPGRAM_MODELS,
  OPENAI_MODELS,
  PLAYHT_VOICES,
  type AgentConfig,
  type AgentEvent,
  type AgentRecord,
  type ConversationRecord,
  type ConversationStatus,
  type ConversationType,
  type EndReason,
  type TranscriberLanguage,
} from './wireTypes.ts';

/** One VoiceOS account's data, both lists newest first (`created_at` desc, then `id` desc). */
export interface VoiceOsAccountData {
  accountId: string;
  agents: AgentRecord[];
  conversations: ConversationRecord[];
}

export interface GenerateAccountDataOptions {
  seed: number;
  conversations: number;
  /** Everything happens before this instant; the newest conversations are still live at it. */
  anchor: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const HISTORY_MS = 30 * DAY_MS;
/** The newest conversations: two still queued, three in progress at the anchor. */
const QUEUED_COUNT = 2;
const LIVE_COUNT = 5;
/** Share of conversations created in the same millisecond as the previous one (a campaign burst). */
const SAME_INSTANT_SHARE = 0.08;
/** Share of conversations run with an inline configuration instead of a saved agent. */
const INLINE_AGENT_SHARE = 0.2;

interface Persona {
  name: string;
  prompt: string;
  initialMessage: string | null;
  keywords: string[];
  language: TranscriberLanguage;
  team: string;
  webhookHost: string;
}

const PERSONAS: readonly Persona[] = [
  {
    name: 'Appointment Reminder',
    prompt:
      "You call patients of Lakeside Dental to confirm tomorrow's appointment. Offer to reschedule when asked, never give medical advice, and keep the call under two minutes.",
    initialMessage: 'Hi, this is Lakeside Dental calling about your appointment tomorrow.',
    keywords: ['Lakeside', 'hygienist', 'Invisalign'],
    language: 'en',
    team: 'operations',
    webhookHost: 'ops.lakeside-dental.example',
  },
  {
    name: 'Support Line',
    prompt:
      'You answer support calls for Northwind Internet. Check the outage map first, walk the caller through restarting the router, then open a ticket with a short summary.',
    initialMessage: null,
    keywords: ['Northwind', 'router', 'fiber', 'ONT'],
    language: 'en',
    team: 'support',
    webhookHost: 'support.northwind.example',
  },
  {
    name: 'Lead Qualifier',
    prompt:
      'You call people who asked Brightpath Solar for a quote. Ask about roof type, home ownership and the monthly electricity bill, then book a site survey.',
    initialMessage: 'Hello! I am calling from Brightpath Solar about your quote request.',
    keywords: ['Brightpath', 'kilowatt', 'net metering'],
    language: 'en',
    team: 'sales',
    webhookHost: 'crm.brightpath.example',
  },
  {
    name: 'Enquête satisfaction',
    prompt:
      'Tu appelles les clients de Parcelly après une livraison pour une enquête de trois questions. Remercie le client et termine poliment.',
    initialMessage: 'Bonjour, ici Parcelly pour une enquête de trente secondes.',
    keywords: ['Parcelly', 'colis'],
    language: 'fr',
    team: 'customer-experience',
    webhookHost: 'cx.parcelly.example',
  },
  {
    name: 'Recepción',
    prompt:
      'Eres la recepcionista del Hotel Almera. Responde sobre habitaciones, horarios de entrada y aparcamiento; transfiere las reservas al equipo.',
    initialMessage: null,
    keywords: ['Almera', 'check-out'],
    language: 'es',
    team: 'hospitality',
    webhookHost: 'pms.hotel-almera.example',
  },
];

const HANG_UP_EVENTS: readonly AgentEvent[] = ['conversation:ended', 'phone_call:rejected', 'conversation:duration'];
const WEBHOOK_EVENTS: readonly AgentEvent[] = [
  'conversation:started',
  'conversation:ended',
  'phone_call:accepted',
  'function_call:triggered',
  'message:generated',
];

/** A phone line of the account; `imported` lines are the customer's own, billed at zero. */
interface Line {
  number: string;
  imported: boolean;
}

/**
 * Generates one account's agents and conversations from its seed, backwards from the anchor over
 * about thirty days. Same seed, same data: tests and the demo can name conversations.
 */
export function generateAccountData(options: GenerateAccountDataOptions): VoiceOsAccountData {
  const rng = new SeededRandom(options.seed);
  const anchor = options.anchor.getTime();
  const accountId = rng.uuid();

  const agents = PERSONAS.map((persona, index): AgentRecord => {
    const createdAt = anchor - HISTORY_MS - (index + 1) * 4 * DAY_MS - rng.int(0, DAY_MS);
    return { id: rng.uuid(), name: persona.name, ...agentConfig(rng, persona), created_at: iso(createdAt) };
  }).sort(newestFirst);

  const lines: Line[] = [
    { number: fictionalUsNumber(rng, '415'), imported: false },
    { number: fictionalUsNumber(rng, '628'), imported: false },
    { number: fictionalUsNumber(rng, '510'), imported: true },
  ];
  const customers = Array.from({ length: 40 }, () => customerNumber(rng));

  const conversations: ConversationRecord[] = [];
  let createdAt = anchor - rng.int(20_000, 60_000);
  const averageGap = HISTORY_MS / Math.max(1, options.conversations);
  for (let index = 0; index < options.conversations; index++) {
    if (index > 0) {
      const live = index < LIVE_COUNT;
      const sameInstant = !live && index > LIVE_COUNT && rng.chance(SAME_INSTANT_SHARE);
      createdAt -= live ? rng.int(20_000, 120_000) : sameInstant ? 0 : rng.int(1_000, 2 * averageGap);
    }
    const status: ConversationStatus = index < QUEUED_COUNT ? 'queued' : index < LIVE_COUNT ? 'started' : 'ended';
    conversations.push(conversation(rng, { accountId, agents, lines, customers, anchor }, createdAt, status));
  }
  conversations.sort(newestFirst);
  return { accountId, agents, conversations };
}

interface AccountContext {
  accountId: string;
  agents: readonly AgentRecord[];
  lines: readonly Line[];
  customers: readonly string[];
  anchor: number;
}

function conversation(
  rng: SeededRandom,
  account: AccountContext,
  createdAt: number,
  status: ConversationStatus,
): ConversationRecord {
  const id = rng.uuid();
  const saved = rng.chance(INLINE_AGENT_SHARE) ? null : rng.pick(account.agents);
  const agent = saved === null ? agentConfig(rng, rng.pick(PERSONAS)) : configOf(saved);
  const type = conversationType(rng, status);

  let phoneCall: ConversationRecord['phone_call'] = null;
  let line: Line | null = null;
  if (type !== 'web_call') {
    line = rng.pick(account.lines);
    const customer = rng.pick(account.customers);
    const inbound = type === 'inbound_phone_call';
    phoneCall = {
      from_number: inbound ? customer : line.number,
      to_number: inbound ? line.number : customer,
      direction: inbound ? 'inbound' : 'outbound',
      provider_call_id: status === 'queued' ? null : `CA${rng.token(32, '0123456789abcdef')}`,
    };
  }

  // Outbound calls ring before anyone speaks; inbound and web calls start almost at once.
  const startTime = status === 'queued' ? null : createdAt + (type === 'outbound_phone_call' ? rng.int(3_000, 9_000) : rng.int(200, 900));
  let seconds = 0;
  let endReason: EndReason | null = null;
  if (status === 'ended') {
    ({ seconds, endReason } = endedCall(rng, type, agent.max_duration));
  } else if (status === 'started' && startTime !== null) {
    seconds = Math.floor((account.anchor - startTime) / 1000);
  }

  const usage = status === 'queued' ? null : conversationUsage(rng, agent, seconds, phoneCall, line);
  return {
    account_id: account.accountId,
    agent,
    id,
    status,
    type,
    uri: `wss://rt.voiceos.ai/v1/conversations/${id}`,
    agent_id: saved?.id ?? null,
    cost: usage === null ? null : priceConversation(usage, agent),
    end_time: status === 'ended' && startTime !== null ? iso(startTime + seconds * 1000) : null,
    end_reason: endReason,
    phone_call: phoneCall,
    start_time: startTime === null ? null : iso(startTime),
    created_at: iso(createdAt),
  };
}

function conversationType(rng: SeededRandom, status: ConversationStatus): ConversationType {
  // Nobody queues an inbound call: it is placed by the caller.
  if (status === 'queued') return rng.chance(0.7) ? 'outbound_phone_call' : 'web_call';
  const draw = rng.next();
  return draw < 0.45 ? 'outbound_phone_call' : draw < 0.8 ? 'inbound_phone_call' : 'web_call';
}

function endedCall(
  rng: SeededRandom,
  type: ConversationType,
  maxDuration: number | null,
): { seconds: number; endReason: EndReason } {
  // Some outbound calls reach voicemail or nobody and end within seconds, for no stated reason.
  if (type === 'outbound_phone_call' && rng.chance(0.12)) return { seconds: rng.int(3, 25), endReason: 'unknown' };
  const wanted = rng.int(25, 720);
  if (maxDuration !== null && wanted >= maxDuration) return { seconds: maxDuration, endReason: 'agent_ended' };
  const draw = rng.next();
  return { seconds: wanted, endReason: draw < 0.5 ? 'agent_ended' : draw < 0.95 ? 'user_ended' : 'unknown' };
}

function conversationUsage(
  rng: SeededRandom,
  agent: AgentConfig,
  seconds: number,
  phoneCall: ConversationRecord['phone_call'],
  line: Line | null,
): ConversationUsage {
  const turns = Math.max(1, Math.round(seconds / rng.int(6, 12)));
  // Every turn resends the prompt and the conversation so far.
  const promptTokens = Math.ceil(agent.prompt.length / 4) + 80;
  const inputTokens = turns * promptTokens + 30 * turns * (turns - 1);
  const outputTokens = turns * rng.int(18, 55);
  return {
    seconds,
    inputTokens,
    outputTokens,
    characters: outputTokens * 4 + (agent.initial_message?.length ?? 0),
    telephony: phoneCall === null || line === null ? null : { direction: phoneCall.direction, imported: line.imported },
  };
}

function agentConfig(rng: SeededRandom, persona: Persona): AgentConfig {
  const credential = (share: number): string | null => (rng.chance(share) ? rng.uuid() : null);
  return {
    hooks: rng.chance(0.7) ? [{ type: 'hang_up', events: someOf(rng, HANG_UP_EVENTS) }] : [],
    initial_message: persona.initialMessage,
    llm: {
      provider: 'openai',
      credential_id: credential(0.2),
      max_tokens: rng.pick([300, 300, 300, 150, 500]),
      model: rng.pick(OPENAI_MODELS),
      temperature: round(rng.int(1, 12) / 10, 1),
    },
    max_duration: rng.pick([600, 600, 600, 300, 900, null]),
    metadata: { team: persona.team, revision: rng.int(1, 9) },
    prompt: persona.prompt,
    transcriber: {
      provider: 'deepgram',
      credential_id: credential(0.15),
      keywords: persona.keywords,
      language: persona.language,
      model: rng.pick(DEEPGRAM_MODELS),
    },
    voice: {
      provider: 'playht',
      credential_id: credential(0.1),
      voice: rng.pick(PLAYHT_VOICES),
      speed: round(0.8 + rng.next() * 0.6, 2),
      emotion: rng.int(1, 30),
      temperature: round(rng.next() * 2, 2),
      text_guidance: round(1 + rng.next(), 2),
    },
    webhooks: rng.chance(0.6)
      ? [{ method: rng.pick(['POST', 'POST', 'GET'] as const), url: `https://${persona.webhookHost}/voiceos/events`, events: someOf(rng, WEBHOOK_EVENTS) }]
      : [],
  };
}

/** The configuration a conversation embeds when it ran a saved agent: a snapshot, not a reference. */
function configOf(agent: AgentRecord): AgentConfig {
  const { id: _id, name: _name, created_at: _createdAt, ...config } = agent;
  return structuredClone(config);
}

/** A non-empty subset, in the given order. */
function someOf<T>(rng: SeededRandom, items: readonly T[]): T[] {
  const chosen = items.filter(() => rng.chance(0.5));
  return chosen.length > 0 ? chosen : [rng.pick(items)];
}

/** 555-0100 to 555-0199: the North American numbers reserved for fiction. */
function fictionalUsNumber(rng: SeededRandom, areaCode: string): string {
  return `+1${areaCode}55501${String(rng.int(0, 99)).padStart(2, '0')}`;
}

function customerNumber(rng: SeededRandom): string {
  const draw = rng.next();
  if (draw < 0.6) return fictionalUsNumber(rng, rng.pick(['212', '312', '646', '718', '503', '737']));
  // Ofcom's range for drama: 07700 900000 to 900999.
  if (draw < 0.8) return `+447700900${String(rng.int(0, 999)).padStart(3, '0')}`;
  if (draw < 0.9) return `+336${rng.token(8, '0123456789')}`;
  return `+4930${rng.token(8, '0123456789')}`;
}

function newestFirst(a: { created_at: string; id: string }, b: { created_at: string; id: string }): number {
  const byTime = Date.parse(b.created_at) - Date.parse(a.created_at);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
