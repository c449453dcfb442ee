import { SeededRandom } from '../shared/random.ts';
import { drawPostCall } from './drawPostCall.ts';
import { formatOrationTime, type OrationAgentRecord, type OrationConversationRecord } from './orationRecords.ts';
import { sampleDurationMs, type DurationDistribution } from './sampleDurationMs.ts';
import { ORATION_CREATE_RESPONSE_SAMPLE, ORATION_DOCUMENTED_IDS } from './samples.ts';

export interface OrationSeedAccount {
  workspaceId: string;
  seed: number;
  withDocumentSamples: boolean;
}

export interface OrationSeededData {
  agents: OrationAgentRecord[];
  /** Ended or failed conversations of the past; they never hold concurrency slots. */
  conversations: OrationConversationRecord[];
  /** The workspace's phone line for telephony conversations. */
  phone: { id: string; number: string };
}

type AgentKind = 'chat' | 'inbound' | 'outbound';

interface AgentTemplate {
  kind: AgentKind;
  name: string;
  prompt: string;
  initialMessage: string;
  /** Dynamic variables this agent's prompt uses, with the values to draw from. */
  variables: Record<string, readonly string[]>;
}

const CUSTOMER_NAMES = [
  'Alice Smith', 'Bob Johnson', 'Carmen Diaz', 'Deepak Rao', 'Emma Müller', 'Farah Khan', 'George Liu',
  'Hana Sato', 'Ivan Petrov', 'Julia Rossi', 'Kwame Mensah', 'Lena Novak', 'Miguel Santos', 'Nora Berg',
  'Omar Haddad', 'Priya Nair', 'Quinn Walsh', 'Rosa Flores', 'Sven Larsen', 'Tara Singh',
] as const;

const AGENT_TEMPLATES: readonly AgentTemplate[] = [
  {
    kind: 'chat',
    name: 'Website Chat Assistant',
    prompt: 'You answer questions from visitors of {{pageUrl}} about plans, billing and opening hours.',
    initialMessage: 'Hi! How can I help you today?',
    variables: { pageUrl: ['https://example.com/pricing', 'https://example.com/help', 'https://example.com/'] },
  },
  {
    kind: 'outbound',
    name: 'Membership Concierge',
    prompt: 'You call {{customerName}} about their {{productName}} and answer questions about its benefits.',
    initialMessage: 'Hello {{customerName}}, this is Ava calling about your {{productName}}.',
    variables: { customerName: CUSTOMER_NAMES, productName: ['Gold Membership', 'Silver Membership', 'Platinum Plan'] },
  },
  {
    kind: 'outbound',
    name: 'Appointment Reminder',
    prompt: 'You remind {{customerName}} of their {{serviceType}} at {{appointmentTime}} and offer to reschedule.',
    initialMessage: 'Hi {{customerName}}, I am calling to confirm your {{serviceType}} at {{appointmentTime}}.',
    variables: {
      customerName: CUSTOMER_NAMES,
      appointmentTime: ['9:30 AM', '11:00 AM', '1:15 PM', '3:00 PM', '4:45 PM'],
      serviceType: ['Annual Check-up', 'Dental Cleaning', 'Eye Exam', 'Vaccination'],
    },
  },
  {
    kind: 'inbound',
    name: 'Support Line',
    prompt: 'You answer incoming support calls, identify the caller and resolve or escalate their issue.',
    initialMessage: 'Thank you for calling support, how can I help?',
    variables: {},
  },
  {
    kind: 'outbound',
    name: 'Renewal Outreach',
    prompt: 'You call {{customerName}} whose {{plan}} renews on {{renewalDate}} and offer the annual discount.',
    initialMessage: 'Hello {{customerName}}, your {{plan}} renews soon and I have an offer for you.',
    variables: {
      customerName: CUSTOMER_NAMES,
      plan: ['Basic plan', 'Family plan', 'Business plan'],
      renewalDate: ['December 1', 'December 15', 'January 5'],
    },
  },
  {
    kind: 'outbound',
    name: 'Customer Survey',
    prompt: 'You ask {{customerName}} three short questions about order {{orderId}} and thank them.',
    initialMessage: 'Hi {{customerName}}, do you have two minutes for a short survey about your order?',
    variables: { customerName: CUSTOMER_NAMES, orderId: ['A-10023', 'A-10418', 'B-20077', 'C-30512'] },
  },
];

const LANGUAGES = ['en-US', 'en-US', 'en-GB', 'en-IN', 'es-ES'] as const;
const VOICES = ['ava-warm', 'leo-calm', 'mia-bright', 'raj-clear'] as const;
const LLM_MODELS = ['gpt-4o-mini', 'gpt-4o', 'llama-3.1-70b'] as const;
const DAY_MS = 86_400_000;
/** Past calls are real-length (minutes), unlike the demo's few-second live calls. */
const HISTORIC_TALK: DurationDistribution = { kind: 'lognormal', medianMs: 90_000, sigma: 0.7, maxMs: 1_200_000 };

/**
 * Generates one account's agents and 30 days of past conversations, deterministically from the
 * account's seed and backwards from `anchor`. The demo account also gets the document's ids and
 * its response sample verbatim.
 */
export function seedOrationAccount(
  account: OrationSeedAccount,
  options: { anchor: Date; historicConversations: number },
): OrationSeededData {
  const random = new SeededRandom(account.seed);
  const anchorMs = Math.floor(options.anchor.getTime() / 1000) * 1000;
  const phone = { id: random.uuid(), number: usNumber(random) };

  const agents = AGENT_TEMPLATES.map((template, index) => {
    const documentedId = account.withDocumentSamples ? documentedAgentId(index) : null;
    const createdAtMs = anchorMs - random.int(60, 120) * DAY_MS - random.int(0, DAY_MS / 1000) * 1000;
    const record: OrationAgentRecord = {
      id: documentedId ?? random.uuid(),
      workspaceId: account.workspaceId,
      name: template.name,
      prompt: template.prompt,
      initialMessage: template.initialMessage,
      maxDurationSeconds: random.pick([300, 600, 900]),
      language: random.pick(LANGUAGES),
      voiceId: random.pick(VOICES),
      llmModel: random.pick(LLM_MODELS),
      createdAt: formatOrationTime(createdAtMs),
      updatedAt: formatOrationTime(createdAtMs + random.int(0, 20) * DAY_MS),
    };
    return { record, template };
  });

  const conversations: OrationConversationRecord[] = [];
  for (let i = 0; i < options.historicConversations; i++) {
    const createdAtMs = anchorMs - random.int(60, 30 * 86_400) * 1000;
    const kind = random.pick<AgentKind>(['chat', 'inbound', 'inbound', 'outbound', 'outbound', 'outbound', 'outbound']);
    const agent = random.pick(agents.filter((a) => a.template.kind === kind));
    conversations.push(historicConversation(random, { account, phone, agent, createdAtMs }));
  }
  if (account.withDocumentSamples) {
    const sample = JSON.parse(ORATION_CREATE_RESPONSE_SAMPLE) as { results: OrationConversationRecord[] };
    conversations.push(...sample.results);
  }
  return { agents: agents.map((a) => a.record), conversations, phone };
}

function documentedAgentId(templateIndex: number): string | null {
  // The response sample is a chat; the document's telephony examples use the other id.
  if (templateIndex === 0) return ORATION_DOCUMENTED_IDS.sampleAgent;
  if (templateIndex === 1) return ORATION_DOCUMENTED_IDS.exampleAgent;
  return null;
}

function historicConversation(
  random: SeededRandom,
  context: {
    account: OrationSeedAccount;
    phone: { id: string; number: string };
    agent: { record: OrationAgentRecord; template: AgentTemplate };
    createdAtMs: number;
  },
): OrationConversationRecord {
  const { account, phone, agent, createdAtMs } = context;
  const { kind } = agent.template;
  const id = random.uuid();
  const variables = Object.fromEntries(
    Object.entries(agent.template.variables).map(([name, values]) => [name, random.pick(values)]),
  );
  const customerName = typeof variables.customerName === 'string' ? variables.customerName : null;

  const dialStartMs = kind === 'outbound' ? createdAtMs + random.int(1, 15) * 1000 : createdAtMs;
  const ringMs = kind === 'outbound' ? random.int(5, 30) * 1000 : 0;
  const failed = random.chance(0.06);
  const unanswered = !failed && kind === 'outbound' && random.chance(0.2);
  const answered = !failed && !unanswered;
  const maxTalkMs = agent.record.maxDurationSeconds * 1000;
  // Whole seconds, so past timestamps look like the document's (`2023-11-07T05:31:56Z`).
  const talkMs = Math.min(Math.round(sampleDurationMs(HISTORIC_TALK, random) / 1000) * 1000, maxTalkMs);
  const joinMs = answered ? dialStartMs + ringMs : null;
  const endMs = (joinMs ?? dialStartMs + ringMs) + (answered ? talkMs : 0);
  const endReason = failed
    ? 'error'
    : unanswered
      ? 'user_did_not_answer'
      : talkMs >= maxTalkMs
        ? 'max_duration_reached'
        : random.chance(0.55)
          ? 'agent_ended'
          : 'user_ended';
  const postCall = answered ? drawPostCall(random, customerName) : null;
  const isTelephony = kind !== 'chat';
  const customer = kind === 'inbound' ? usNumber(random) : kind === 'outbound' ? customerNumber(random) : null;
  const time = (ms: number | null) => (ms === null ? null : formatOrationTime(ms));

  return {
    id,
    phoneId: isTelephony ? phone.id : null,
    agentId: agent.record.id,
    workspaceId: account.workspaceId,
    wsUrl: isTelephony ? null : `wss://www.oration.ai/api/v2/conversations/${id}/ws`,
    llmUrl: null,
    callStartTime: time(dialStartMs),
    callEndTime: time(endMs),
    userJoinTime: time(joinMs),
    userLeaveTime: answered ? time(endMs) : null,
    customerId: random.chance(0.4) ? random.uuid() : null,
    toPhoneNumber: kind === 'inbound' ? phone.number : customer,
    fromPhoneNumber: kind === 'inbound' ? customer : isTelephony ? phone.number : null,
    conversationStatus: failed ? 'failed' : 'ended',
    telephonyType: isTelephony ? kind : null,
    telephonyStatus: isTelephony ? (failed ? 'failed' : unanswered ? 'no-answer' : 'completed') : null,
    endReason,
    recordingStatus: answered && isTelephony ? (random.chance(0.03) ? 'failed' : 'completed') : null,
    postCallNotes: postCall?.postCallNotes ?? null,
    postCallCategory1: postCall?.postCallCategory1 ?? null,
    postCallCategory2: postCall?.postCallCategory2 ?? null,
    postCallCategory3: postCall?.postCallCategory3 ?? null,
    postCallMetadata: postCall?.postCallMetadata ?? null,
    conversationType: isTelephony ? 'telephony' : 'chat',
    dynamicVariables: JSON.stringify(variables),
    summary: postCall?.summary ?? null,
    createdAt: formatOrationTime(createdAtMs),
    updatedAt: formatOrationTime(endMs + (answered ? random.int(2, 30) * 1000 : 0)),
  };
}

/** A US number in the 555-01xx range reserved for fiction. */
function usNumber(random: SeededRandom): string {
  return `+1${random.pick(['212', '415', '646', '312', '617'])}55501${random.token(2, '0123456789')}`;
}

/** Outbound customers are in the US or India. */
function customerNumber(random: SeededRandom): string {
  return random.chance(0.7) ? usNumber(random) : `+919${random.token(9, '0123456789')}`;
}
