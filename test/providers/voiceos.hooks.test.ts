import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/simulators/demoAccounts.ts';
import { createVoiceOsSimulator, type VoiceOsSimulator } from '../../src/simulators/voiceos/voiceOsSimulator.ts';
import { CONVERSATION_STATUSES, type AgentRecord, type ConversationRecord } from '../../src/simulators/voiceos/wireTypes.ts';

const [DEMO] = DEMO_ACCOUNTS.voiceos;
const NOW = Date.parse('2026-11-20T12:00:05.000Z');

interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | null;
  /** Headers a Standard Webhooks sender would add; the VoiceOS document defines none. */
  webhookHeaders: string[];
  body: string;
}

let simulator: VoiceOsSimulator;
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
let conversations: ConversationRecord[];
let agents: AgentRecord[];

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${simulator.url}${path}`, { headers: { authorization: `Bearer ${DEMO.token}` } });
  return (await response.json()) as T;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A conversation of `status` that ran the saved agent `agentId`. */
function conversationOf(agentId: string, status: string): ConversationRecord {
  const found = conversations.find((each) => each.agent_id === agentId && each.status === status);
  if (!found) throw new Error(`no ${status} conversation of agent ${agentId}`);
  return found;
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      received.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        contentType: req.headers['content-type'] ?? null,
        webhookHeaders: Object.keys(req.headers).filter((name) => name.startsWith('webhook-')),
        body,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  simulator = createVoiceOsSimulator({ now: () => NOW });
  await simulator.listen(0);
  conversations = [];
  for (let page = 0; page < 2; page++) {
    conversations.push(...(await get<{ conversations: ConversationRecord[] }>(`/v1/conversations?limit=100&page=${page}`)).conversations);
  }
  agents = simulator.agents(DEMO.token);
});

afterEach(() => {
  received = [];
});

afterAll(async () => {
  await simulator.close();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('VoiceOS simulator hooks: configured on the agent, sent with its method', () => {
  it('sends an event to each webhook of the configuration the conversation ran that lists it, GET as query parameters, POST as a JSON body', async () => {
    const agent = agents[1];
    if (!agent) throw new Error('no agent');
    const conversation = conversationOf(agent.id, 'ended');
    simulator.setAgentWebhooks(DEMO.token, agent.id, [
      { method: 'GET', url: `${receiverUrl}/get-hook?team=ops`, events: ['conversation:ended'] },
      { method: 'POST', url: `${receiverUrl}/post-hook`, events: ['conversation:started', 'conversation:ended'] },
      { method: 'POST', url: `${receiverUrl}/messages`, events: ['message:generated'] },
      { method: 'POST', url: 'https://crm.brightpath.example/voiceos/events', events: ['conversation:ended'] },
    ]);
    const before = simulator.hookStats();

    expect(await simulator.sendHookEvent(DEMO.token, { type: 'conversation:ended', conversationId: conversation.id })).toBe(3);

    const fields = { event: 'conversation:ended', conversation_id: conversation.id, status: 'ended', occurred_at: '2026-11-20T12:00:05.000Z' };
    expect([...received].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { method: 'GET', path: '/get-hook', query: { team: 'ops', ...fields }, contentType: null, webhookHeaders: [], body: '' },
      { method: 'POST', path: '/post-hook', query: {}, contentType: 'application/json', webhookHeaders: [], body: JSON.stringify(fields) },
    ]);
    // The reserved `.example` host is never reached: one failure, no DNS lookup.
    const after = simulator.hookStats();
    expect({ delivered: after.delivered - before.delivered, failed: after.failed - before.failed }).toEqual({ delivered: 2, failed: 1 });
  });

  it('shows the webhooks where the document puts them: on the agent and in the configuration its conversations embed', async () => {
    const agent = agents[2];
    if (!agent) throw new Error('no agent');
    const webhooks = [{ method: 'GET' as const, url: `${receiverUrl}/shown`, events: ['conversation:started' as const] }];
    simulator.setAgentWebhooks(DEMO.token, agent.id, webhooks);
    const inline = conversations.find((each) => each.agent_id === null);

    expect((await get<AgentRecord>(`/v1/agents/${agent.id}`)).webhooks).toEqual(webhooks);
    expect((await get<ConversationRecord>(`/v1/conversations/${conversationOf(agent.id, 'ended').id}`)).agent.webhooks).toEqual(webhooks);
    expect((await get<ConversationRecord>(`/v1/conversations/${inline?.id ?? ''}`)).agent.webhooks).toEqual(inline?.agent.webhooks);
  });

  it('sends nothing for a conversation whose configuration has no webhook for the event, whatever the API token', async () => {
    const [withHook, withoutHook] = agents;
    if (!withHook || !withoutHook) throw new Error('no agents');
    simulator.setAgentWebhooks(DEMO.token, withHook.id, [{ method: 'POST', url: `${receiverUrl}/hook`, events: ['conversation:ended'] }]);
    simulator.setAgentWebhooks(DEMO.token, withoutHook.id, []);
    const ended = conversationOf(withHook.id, 'ended');

    expect(await simulator.sendHookEvent(DEMO.token, { type: 'conversation:ended', conversationId: conversationOf(withoutHook.id, 'ended').id })).toBe(0);
    expect(await simulator.sendHookEvent(DEMO.token, { type: 'message:generated', conversationId: ended.id })).toBe(0);
    expect(received).toEqual([]);
  });

  it('sends only the documented statuses, and nothing about a conversation the account does not have', async () => {
    const url = `${receiverUrl}/every-agent`;
    for (const agent of agents) simulator.setAgentWebhooks(DEMO.token, agent.id, [{ method: 'GET', url, events: ['conversation:started'] }]);
    const saved = conversations.filter((each) => each.agent_id !== null);
    const sample = ['queued', 'started', 'ended'].map((status) => saved.find((each) => each.status === status));

    expect(await simulator.sendHookEvent(DEMO.token, { type: 'conversation:started', conversationId: 'no-such-conversation' })).toBe(0);
    for (const conversation of sample) {
      await simulator.sendHookEvent(DEMO.token, { type: 'conversation:started', conversationId: conversation?.id ?? '' });
    }

    expect(received.map((each) => [each.query.conversation_id, each.query.status])).toEqual(sample.map((each) => [each?.id, each?.status]));
    expect(received.map((each) => each.query.status)).toEqual(['queued', 'started', 'ended']);
    expect(received.every((each) => (CONVERSATION_STATUSES as readonly string[]).includes(each.query.status ?? ''))).toBe(true);
  });
});
