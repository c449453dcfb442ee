import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/feed/changeEvent.ts';
import { signWebhook } from '../../src/sync/standardWebhooks.ts';
import type { Conversation } from '../../src/domain/types.ts';
import { GATEWAY_HOOK_EVENTS } from '../../src/providers/voiceos/hookRegistration.ts';
import { DEMO_ACCOUNTS, DEMO_ANCHOR } from '../../src/simulators/demoAccounts.ts';
import { generateAccountData } from '../../src/simulators/voiceos/generateAccountData.ts';
import { startLiveGateway, type LiveGateway } from './liveGateway.ts';

const SECRET = `whsec_${Buffer.from('a signing key of thirty-two bytes!').toString('base64')}`;
const VOICEOS_TOKEN = DEMO_ACCOUNTS.voiceos[0].token;

async function count(gateway: LiveGateway, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await gateway.runtime.database.query<{ n: number }>(sql, params);
  return rows[0]?.n ?? -1;
}

async function get(url: string) {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as { ok: boolean; duplicate?: boolean; error?: { code: string; message: string } } };
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as { ok: boolean; duplicate?: boolean; error?: { code: string } } };
}

function signed(id: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(SECRET, id, timestamp, body) };
}

describe('webhooks in', () => {
  let gateway: LiveGateway;
  let voiceosIds: string[];
  let voiceosConversations: Conversation[];
  const events: ChangeEvent[] = [];

  beforeAll(async () => {
    gateway = await startLiveGateway({
      // acme's VoiceOS deliveries must be signed; demo's are authenticated by the endpoint token alone.
      configure: (workspaces) => {
        const acme = workspaces.find((workspace) => workspace.id === 'acme');
        if (acme) acme.webhooks = { signingSecrets: { voiceos: SECRET } };
      },
    });
    gateway.runtime.live.feed.subscribe((event) => events.push(event));
    const page = await gateway.runtime.registry.get('demo')?.connectors.get('VOICEOS')?.listConversations({ filter: {}, limit: 5 });
    voiceosConversations = page?.items ?? [];
    voiceosIds = voiceosConversations.map((item) => item.nativeId);
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('lists each workspace\'s endpoint in the graph', async () => {
    const { data } = await gateway.query<{ webhookEndpoints: { provider: string; path: string; signatureRequired: boolean }[] }>(
      '{ webhookEndpoints { provider path signatureRequired } }',
    );
    const token = await gateway.runtime.live.webhookToken('demo');
    expect(token.length).toBe(43); // 32 random bytes, base64url
    expect(data?.webhookEndpoints).toEqual([
      { provider: 'ORATION', path: `/webhooks/oration/${token}`, signatureRequired: false },
      { provider: 'TRATA', path: `/webhooks/trata/${token}`, signatureRequired: false },
      { provider: 'VOICEOS', path: `/webhooks/voiceos/${token}`, signatureRequired: false },
    ]);
    expect(await gateway.runtime.live.webhookToken('acme')).not.toBe(token);
  });

  it('fetches a conversation the store has not seen, from a documented VoiceOS hook event of the agent demo mode registered on', async () => {
    const id = voiceosIds[0] ?? '';
    expect(await count(gateway, `SELECT count(*)::int AS n FROM synced_records WHERE native_id = $1`, [id])).toBe(0);
    const registered = await gateway.demo.sendWebhooksTo(gateway.origin, (workspaceId) => gateway.runtime.live.webhookToken(workspaceId));
    expect(registered).toEqual(['demo/oration', 'demo/voiceos', 'acme/oration', 'acme/voiceos']);
    await gateway.demo.simulators.voiceos?.sendHookEvent(VOICEOS_TOKEN, { type: 'conversation:ended', conversationId: id });
    const { rows } = await gateway.runtime.database.query<{ workspace_id: string; provider: string; version: number; status: string }>(
      `SELECT workspace_id, provider, version, status FROM synced_records WHERE native_id = $1`,
      [id],
    );
    const [atProvider] = (await gateway.runtime.registry.get('demo')?.connectors.get('VOICEOS')?.getConversations([id])) ?? [];
    expect(rows).toEqual([{ workspace_id: 'demo', provider: 'VOICEOS', version: 1, status: atProvider?.status.value }]);
  });

  it('registers the gateway on every VoiceOS agent as a POST webhook beside the owner\'s own, once however often', async () => {
    await gateway.demo.sendWebhooksTo(gateway.origin, (workspaceId) => gateway.runtime.live.webhookToken(workspaceId));
    const url = await gateway.webhookUrl('demo', 'voiceos');
    const seeded = generateAccountData({ seed: DEMO_ACCOUNTS.voiceos[0].seed, conversations: 150, anchor: DEMO_ANCHOR }).agents;
    expect(gateway.demo.simulators.voiceos?.agents(VOICEOS_TOKEN).map((agent) => [agent.id, agent.webhooks])).toEqual(
      seeded.map((agent) => [agent.id, [...agent.webhooks, { method: 'POST', url, events: [...GATEWAY_HOOK_EVENTS] }]]),
    );
  });

  it('takes a VoiceOS hook an agent sends by GET, its fields in the query', async () => {
    const voiceos = gateway.demo.simulators.voiceos;
    const conversation = voiceosConversations[3];
    const id = conversation?.nativeId ?? '';
    voiceos?.setAgentWebhooks(VOICEOS_TOKEN, conversation?.agentRef?.nativeId ?? '', [
      { method: 'GET', url: await gateway.webhookUrl('demo', 'voiceos'), events: ['conversation:started'] },
    ]);
    const before = voiceos?.hookStats();
    expect(await voiceos?.sendHookEvent(VOICEOS_TOKEN, { type: 'conversation:started', conversationId: id })).toBe(1);
    expect(voiceos?.hookStats()).toEqual({ delivered: (before?.delivered ?? 0) + 1, failed: before?.failed });
    const { rows } = await gateway.runtime.database.query<{ event_type: string; version: number }>(
      `SELECT d.event_type, r.version FROM webhook_deliveries d JOIN synced_records r ON r.native_id = d.conversation_native_id WHERE d.conversation_native_id = $1`,
      [id],
    );
    expect(rows).toEqual([{ event_type: 'conversation:started', version: 1 }]);
  });

  it('reads a GET delivery from its query: once per query, refused without an event, refused where signatures are required', async () => {
    const id = voiceosIds[4] ?? '';
    const query = `?event=conversation%3Aended&conversation_id=${encodeURIComponent(id)}&status=ended&occurred_at=2026-11-20T12%3A00%3A00.000Z`;
    const url = await gateway.webhookUrl('demo', 'voiceos');
    expect([await get(`${url}${query}`), await get(`${url}${query}`)]).toEqual([
      { status: 200, body: { ok: true } },
      { status: 200, body: { ok: true, duplicate: true } },
    ]);
    expect(await count(gateway, `SELECT count(*)::int AS n FROM synced_records WHERE native_id = $1`, [id])).toBe(1);
    expect(await get(`${url}?conversation_id=${encodeURIComponent(id)}`)).toEqual({
      status: 400,
      body: { ok: false, error: { code: 'BAD_USER_INPUT', message: 'Webhook query refused: query names no event: expected "event"' } },
    });
    expect(await get(`${await gateway.webhookUrl('acme', 'voiceos')}${query}`)).toEqual({
      status: 401,
      body: { ok: false, error: { code: 'UNAUTHENTICATED', message: 'Webhook signature refused: signed deliveries must be POSTed (a GET has no body to sign)' } },
    });
  });

  it('refuses a NUL character in the event or the conversation id with 400, on every provider and in a GET', async () => {
    // It reached PostgreSQL, which refused it: a 500 that a provider retrying on 5xx would send forever (a security trial).
    for (const provider of ['oration', 'trata', 'voiceos'] as const) {
      const url = await gateway.webhookUrl('demo', provider);
      for (const body of [{ type: 'conversation:ended\u0000', conversationId: 'c-1' }, { type: 'conversation:ended', conversationId: 'x\u0000y' }]) {
        const answer = await post(url, JSON.stringify(body));
        expect([provider, answer.status, (answer.body as { error?: { code?: string } }).error?.code]).toEqual([provider, 400, 'BAD_USER_INPUT']);
      }
    }
    const voiceos = await get(`${await gateway.webhookUrl('demo', 'voiceos')}?event=e%00&conversation_id=x%00y`);
    expect([voiceos.status, (voiceos.body as { error?: { message?: string } }).error?.message]).toEqual([
      400,
      'Webhook query refused: "event" must not contain the NUL character; "conversation_id" must not contain the NUL character',
    ]);
  });

  it('takes a delivery about a conversation whose end time breaks the contract: 200, the record refused, never a 500', async () => {
    // Its status and end were read unguarded: a garbled end answered 500 and the delivery was lost (an outside trial).
    const page = await gateway.runtime.registry.get('demo')?.connectors.get('VOICEOS')?.listConversations({ filter: { statuses: ['ENDED'] }, limit: 1 });
    const ended = page?.items[0];
    if (!ended) throw new Error('the demo has an ended VoiceOS conversation');
    const id = ended.nativeId;
    const voiceos = gateway.demo.simulators.voiceos!.server;
    voiceos.setFault('*', { kind: 'drift', field: 'end_time', to: { value: 'not-a-date' } });
    try {
      const url = await gateway.webhookUrl('demo', 'voiceos');
      const body = JSON.stringify({ type: 'message:generated', conversationId: id });
      expect(await post(url, body, { 'webhook-id': 'msg_broken_end' })).toEqual({ status: 200, body: { ok: true } });
      expect(await count(gateway, `SELECT count(*)::int AS n FROM webhook_deliveries WHERE delivery_id = 'msg_broken_end'`)).toBe(1);
    } finally {
      voiceos.clearFaults();
    }
  });

  it('processes a delivery sent twice once: one change', async () => {
    const id = voiceosIds[1] ?? '';
    const body = JSON.stringify({ type: 'message:generated', conversationId: id });
    const url = await gateway.webhookUrl('demo', 'voiceos');
    const before = events.length;
    const first = await post(url, body, { 'webhook-id': 'msg_twice' });
    const second = await post(url, body, { 'webhook-id': 'msg_twice' });
    expect([first, second]).toEqual([
      { status: 200, body: { ok: true } },
      { status: 200, body: { ok: true, duplicate: true } },
    ]);
    // A new delivery about the same, unchanged conversation is processed but changes nothing.
    expect(await post(url, body, { 'webhook-id': 'msg_again' })).toEqual({ status: 200, body: { ok: true } });
    expect(events.slice(before).map((event) => (event.type === 'conversation' ? [event.nativeId, event.version, event.changes] : event))).toEqual([
      [id, 1, ['CREATED']],
    ]);
    expect(await count(gateway, `SELECT count(*)::int AS n FROM webhook_deliveries WHERE delivery_id IN ('msg_twice', 'msg_again')`)).toBe(2);
  });

  it('refuses a bad token, a bad signature and a replayed one with 401, logging neither secret nor token', async () => {
    const id = voiceosIds[2] ?? '';
    const body = JSON.stringify({ type: 'conversation:ended', conversationId: id });
    const acmeUrl = await gateway.webhookUrl('acme', 'voiceos');
    const token = await gateway.runtime.live.webhookToken('acme');
    const logStart = gateway.logLines.length;

    const badToken = await post(`${gateway.origin}/webhooks/voiceos/not-a-token`, body, signed('msg_a', body));
    const unsigned = await post(acmeUrl, body, { 'webhook-id': 'msg_b' });
    const tampered = await post(acmeUrl, body.replace('ended', 'started'), signed('msg_c', body));
    const replayed = await post(acmeUrl, body, signed('msg_d', body, Math.floor(Date.now() / 1000) - 10 * 60));
    expect([badToken, unsigned, tampered, replayed].map((answer) => [answer.status, answer.body.error?.code])).toEqual([
      [401, 'UNAUTHENTICATED'],
      [401, 'UNAUTHENTICATED'],
      [401, 'UNAUTHENTICATED'],
      [401, 'UNAUTHENTICATED'],
    ]);
    expect(await count(gateway, `SELECT count(*)::int AS n FROM synced_records WHERE workspace_id = 'acme'`)).toBe(0);

    const good = await post(acmeUrl, body, signed('msg_e', body));
    expect(good).toEqual({ status: 200, body: { ok: true } });
    // acme's own account: the demo's conversation id is unknown there, so nothing is stored, and nothing leaks across.
    expect(await count(gateway, `SELECT count(*)::int AS n FROM synced_records WHERE workspace_id = 'acme'`)).toBe(0);

    const refusals = gateway.logLines.slice(logStart).filter((line) => line.includes('webhook refused'));
    // Each names the workspace as the access lines do (`workspace`), when its token named one.
    expect(refusals.map((line) => JSON.parse(line) as Record<string, unknown>).map((line) => [line.message, line.workspace ?? null, line.workspaceId ?? null])).toEqual([
      ['webhook refused: unknown endpoint token', null, null],
      ['webhook refused: bad signature', 'acme', null],
      ['webhook refused: bad signature', 'acme', null],
      ['webhook refused: bad signature', 'acme', null],
    ]);
    // Each delivery's access line names the workspace its token named, and the code it was answered with.
    const accessLines = () =>
      gateway.logLines
        .slice(logStart)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.message === 'http request' && line.route === '/webhooks/:provider/:token')
        .map((line) => [line.status, line.workspace ?? null, line.errorCodes ?? null]);
    for (let i = 0; i < 100 && accessLines().length < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(accessLines()).toEqual([
      [401, null, ['UNAUTHENTICATED']],
      [401, 'acme', ['UNAUTHENTICATED']],
      [401, 'acme', ['UNAUTHENTICATED']],
      [401, 'acme', ['UNAUTHENTICATED']],
      [200, 'acme', null],
    ]);
    const secretKey = SECRET.slice('whsec_'.length);
    expect(gateway.logLines.some((line) => line.includes(secretKey) || line.includes(token))).toBe(false);
  });

  it('Oration deliveries, duplicated and out of order, end with the newest state and one version per real change', async () => {
    const url = await gateway.webhookUrl('demo', 'oration');
    gateway.demo.simulators.oration?.setWebhookTarget(DEMO_ACCOUNTS.oration[0].workspaceId, { url, duplicates: true, outOfOrder: true });
    const creator = gateway.runtime.registry.get('demo')?.connectors.get('ORATION')?.creator;
    const agent = (await gateway.runtime.registry.get('demo')?.connectors.get('ORATION')?.listAgents({ offset: 0, limit: 1 }))?.items[0];
    const created = await creator?.createConversations([
      { requestId: '11111111-1111-4111-8111-111111111111', agentNativeId: agent?.nativeId ?? '', channel: 'PHONE_OUTBOUND', toNumber: '+14155550100', sipTrunkAddress: null, dynamicVariables: {} },
    ]);
    const outcome = created?.outcomes[0];
    const nativeId = outcome?.ok ? outcome.conversation.nativeId : '';
    const deadline = Date.now() + 15_000;
    while ((await count(gateway, `SELECT count(*)::int AS n FROM webhook_deliveries WHERE conversation_native_id = $1`, [nativeId])) < 2) {
      if (Date.now() > deadline) throw new Error('webhooks did not arrive');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // the duplicates of the last event
    const { rows } = await gateway.runtime.database.query<{ status: string; version: number }>(
      `SELECT status, version FROM synced_records WHERE provider = 'ORATION' AND native_id = $1`,
      [nativeId],
    );
    // Every delivery came after the end (newest first): the first read stored it ended, the rest changed nothing.
    expect(rows).toEqual([{ status: rows[0]?.status === 'FAILED' ? 'FAILED' : 'ENDED', version: 1 }]);
    const deliveries = await count(gateway, `SELECT count(*)::int AS n FROM webhook_deliveries WHERE conversation_native_id = $1`, [nativeId]);
    expect(deliveries === 2 || deliveries === 3).toBe(true); // started, (accepted when answered), ended: each once
    expect(gateway.demo.simulators.oration?.webhookStats().delivered).toBe(deliveries * 2);
  });
});
