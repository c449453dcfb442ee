import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Conversation } from '../../src/domain/types.ts';
import { AGENT_ID, phoneCalls } from '../fanout/fanoutHarness.ts';
import { postBatch } from '../fanout/batchGraphql.ts';
import { startLiveGateway, type LiveGateway } from '../sync/liveGateway.ts';
import { subscribe, wsClient } from './wsClient.ts';

interface Change {
  conversationChanged: { conversation: { id: string; status: string }; changes: string[]; version: number; droppedBefore: number };
}
interface Progress {
  batchProgress: { batch: { id: string; status: string; counts: { total: number; ended: number; failed: number } }; droppedBefore: number };
}

const CHANGES = /* GraphQL */ `
  subscription Changes($filter: ConversationChangeFilter) {
    conversationChanged(filter: $filter) { conversation { id status } changes version droppedBefore }
  }
`;
const PROGRESS = /* GraphQL */ `
  subscription Progress($id: ID!) { batchProgress(id: $id) { batch { id status counts { total ended failed } } droppedBefore } }
`;
const httpQuery = (gateway: LiveGateway) => async <T>(query: string, variables?: Record<string, unknown>) => ({
  status: 200,
  body: (await gateway.query<T>(query, variables)) as { data?: T },
});
const RANK: Record<string, number> = { QUEUED: 0, DIALING: 1, IN_PROGRESS: 2, ENDED: 3, FAILED: 3 };
const BUFFER = 20;

/** The errors a subscription was refused with, as `{ message, extensions }`. */
async function refusalOf(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const subscriber = subscribe<unknown>(client, query, variables);
  await expect(subscriber.until(() => false, 5_000)).rejects.toThrow('subscription error');
  return subscriber.errors.flat().map((error) => {
    const { message, extensions } = error as { message: string; extensions?: Record<string, unknown> };
    return { message, extensions };
  });
}

describe('subscriptions over graphql-ws', () => {
  let gateway: LiveGateway;

  beforeAll(async () => {
    gateway = await startLiveGateway({ env: { SWITCHBOARD_SUBSCRIPTION_BUFFER: String(BUFFER), SWITCHBOARD_DEMO_CALL_SECONDS: '1' } });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('refuses a connection whose connection_init carries no valid key, saying which it is', async () => {
    const closeOf = (payload: Record<string, unknown>) =>
      new Promise<{ code: number; reason: string }>((resolve) => {
        const socket = new WebSocket(`${gateway.origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers: { authorization: 'Bearer demo-key' } });
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
        socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      });
    expect(await closeOf({ authorization: 'Bearer wrong-key' })).toEqual({ code: 4403, reason: 'Forbidden: unknown API key' });
    // A key in the upgrade request's headers is not read: connection_init carries it.
    expect(await closeOf({})).toEqual({
      code: 4403,
      reason: 'Forbidden: no API key in connection_init payload (authorization: Bearer <key>, or x-api-key)',
    });
  });

  it('upgrades a request whose target is in absolute form, as the HTTP routes serve one (RFC 9112, 3.2.2)', async () => {
    // The upgrade skips the HTTP server's request listeners: `GET http://host/graphql` was dropped.
    const { host, port } = new URL(gateway.origin);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), new URL(gateway.origin).hostname, () => {
        socket.write(
          `GET http://${host}/graphql HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
        );
      });
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk.toString('latin1').split('\r\n')[0] ?? '');
        socket.destroy();
      });
      socket.once('error', reject);
      socket.once('close', () => resolve('closed without an answer'));
    });
    expect(answer).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it('refuses a connection_init carrying two different keys: closed 4400 with the reason', async () => {
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      const socket = new WebSocket(`${gateway.origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      socket.on('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer demo-key', 'x-api-key': 'acme-key' } })),
      );
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(closed).toEqual({
      code: 4400,
      reason: 'Two different API keys were sent (Authorization: Bearer and x-api-key, or one header twice); send one key',
    });
  });

  it('shows a demo batch\'s conversations go from dialing to ended, in order, and only to their workspace', async () => {
    const demo = wsClient(gateway.origin, 'demo-key');
    const acme = wsClient(gateway.origin, 'acme-key');
    const acmeChanges = subscribe<Change>(acme, CHANGES);
    // Subscribed (as the server counts it) before the batch exists, so no change can pass unseen:
    // the batch-filtered subscription below can only start once the batch's id is known, and its
    // calls may be dialing by then.
    const allDemo = subscribe<Change>(demo, CHANGES);
    await vi.waitFor(() => expect(gateway.runtime.live.subscriptions.stats().byWorkspace).toEqual({ demo: 1, acme: 1 }), { timeout: 10_000 });
    const batch = await postBatch(httpQuery(gateway), { conversations: phoneCalls(3, 'live') });
    const changes = subscribe<Change>(demo, CHANGES, { filter: { batchId: batch.id } });
    const progress = subscribe<Progress>(demo, PROGRESS, { id: batch.id });
    try {
      const finalOf = (events: Change[]) => {
        const last = new Map<string, string>();
        for (const event of events) last.set(event.conversationChanged.conversation.id, event.conversationChanged.conversation.status);
        return last;
      };
      const events = await changes.until((seen) => {
        const last = finalOf(seen);
        return last.size === 3 && [...last.values()].every((status) => RANK[status] === 3);
      }, 30_000);
      const byConversation = new Map<string, string[]>();
      for (const event of events) {
        const { id, status } = event.conversationChanged.conversation;
        byConversation.set(id, [...(byConversation.get(id) ?? []), status]);
      }
      for (const statuses of byConversation.values()) {
        const ranks = statuses.map((status) => RANK[status] ?? -1);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        expect(new Set(statuses).size).toBe(statuses.length); // one event per change, none repeated
      }
      const dialed = allDemo.events.filter((event) => byConversation.has(event.conversationChanged.conversation.id) && event.conversationChanged.conversation.status === 'DIALING');
      expect(dialed.length).toBeGreaterThan(0);

      const done = await progress.until((seen) => ['COMPLETED', 'COMPLETED_WITH_ERRORS'].includes(seen.at(-1)?.batchProgress.batch.status ?? ''), 30_000);
      expect(done[0]?.batchProgress.batch.id).toBe(batch.id);
      expect(done.at(-1)?.batchProgress.batch.counts.total).toBe(3);
      expect(done.every((event) => event.batchProgress.droppedBefore === 0)).toBe(true);
      // The finished batch's last progress completes the subscription; subscribing to a finished
      // batch gives its state once, then completes (it stayed open, holding a slot of the workspace's).
      await progress.until(() => progress.completed, 5_000);
      const late = subscribe<Progress>(demo, PROGRESS, { id: batch.id });
      try {
        const once = await late.until(() => late.completed, 5_000);
        expect(once.map((event) => event.batchProgress.batch.status)).toEqual([done.at(-1)?.batchProgress.batch.status]);
      } finally {
        await late.close();
      }

      // acme's subscriber, open the whole time, received none of demo's events.
      expect(acmeChanges.events).toEqual([]);
    } finally {
      // Closed however the test ends: a subscription left open would be counted by the next test.
      await Promise.all([changes.close(), progress.close(), acmeChanges.close(), allDemo.close()]);
      await Promise.all([demo.dispose(), acme.dispose()]);
    }
  }, 60_000);

  it('holds one event\'s work to the query cost limit, as an HTTP operation', async () => {
    const client = wsClient(gateway.origin, 'demo-key');
    const nested = /* GraphQL */ `
      subscription {
        conversationChanged {
          conversation { agent { conversations(first: 100) { nodes { agent { conversations(first: 100) { nodes { id } } } } } } }
        }
      }
    `;
    const refused = subscribe<Change>(client, nested);
    await expect(refused.until(() => false, 5_000)).rejects.toThrow('QUERY_TOO_COMPLEX');
    await client.dispose();
  });

  it('refuses another workspace\'s batch as not found', async () => {
    const batch = await postBatch(httpQuery(gateway), { conversations: phoneCalls(1, 'mine') });
    const acme = wsClient(gateway.origin, 'acme-key');
    const progress = subscribe<Progress>(acme, PROGRESS, { id: batch.id });
    await expect(progress.until(() => false, 5_000)).rejects.toThrow('NOT_FOUND');
    // In the words `batch(id:)` and `cancelBatch` use for it (it said "No ConversationBatch", an outside trial).
    expect(progress.errors.map((error) => (error as { message?: string }).message)).toEqual([`No batch with id "${batch.id}"`]);
    await acme.dispose();
  });

  it('suggests none of the schema\'s names in a refusal where introspection is off', async () => {
    // "Did you mean "conversationChanged"?" read the schema out over the WebSocket too (a security trial, over HTTP).
    const closed = await startLiveGateway({ introspection: false });
    const client = wsClient(closed.origin, 'demo-key');
    try {
      expect(await refusalOf(client, 'subscription { conversationChange { version } }')).toEqual([
        { message: 'Cannot query field "conversationChange" on type "Subscription".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      ]);
      expect(await refusalOf(client, CHANGES, { filter: { statuses: ['ENDE'] } })).toEqual([
        {
          message: 'Variable "$filter" got invalid value "ENDE" at "filter.statuses[0]"; Value "ENDE" does not exist in "ConversationStatus" enum.',
          extensions: { code: 'BAD_USER_INPUT', variable: 'filter', field: 'statuses[0]' },
        },
      ]);
      // Where introspection is on, the suggestion helps and stays.
      const open = wsClient(gateway.origin, 'demo-key');
      expect((await refusalOf(open, 'subscription { conversationChange { version } }'))[0]?.message).toContain('Did you mean "conversationChanged"?');
      await open.dispose();
    } finally {
      await client.dispose();
      await closed.close();
    }
  });

  it('gives every refusal a code, as over HTTP, and no internal http status', async () => {
    const client = wsClient(gateway.origin, 'demo-key');
    expect(await refusalOf(client, 'subscription { nope }')).toEqual([
      { message: 'Cannot query field "nope" on type "Subscription".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    ]);
    expect(await refusalOf(client, 'subscription { conversationChanged { version } batchProgress(id: "x") { droppedBefore } }')).toEqual([
      { message: 'Anonymous Subscription must select only one top level field.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    ]);
    expect(await refusalOf(client, CHANGES, { filter: { statuses: ['NOPE'] } })).toEqual([
      {
        message: 'Variable "$filter" got invalid value "NOPE" at "filter.statuses[0]"; Value "NOPE" does not exist in "ConversationStatus" enum.',
        extensions: { code: 'BAD_USER_INPUT', variable: 'filter', field: 'statuses[0]' },
      },
    ]);
    const nested = 'subscription { conversationChanged { conversation { agent { conversations(first: 100) { nodes { agent { conversations(first: 100) { nodes { id } } } } } } } } }';
    const [tooComplex] = await refusalOf(client, nested);
    expect(tooComplex?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 5000, actual: 12325 });
    await client.dispose();
  });

  it('refuses a root field chosen by a variable as invalid, and the socket carries on', async () => {
    // graphql-js 16's own rule threw out of validation here: the socket closed (4500) with its raw message.
    const client = wsClient(gateway.origin, 'demo-key');
    const chosen = 'subscription Chosen($on: Boolean!) { conversationChanged @include(if: $on) { version } }';
    expect(await refusalOf(client, chosen, { on: true })).toEqual([
      {
        message: 'Subscription "Chosen" must not choose its root field with a variable: @skip and @include at its root take a literal condition only.',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
    const throughFragment = 'subscription ($off: Boolean = false) { ...Root } fragment Root on Subscription { ... @skip(if: $off) { conversationChanged { version } } }';
    expect((await refusalOf(client, throughFragment, { off: null }))[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    // The same socket still answers: the next refusal is the ordinary one.
    expect(await refusalOf(client, 'subscription { nope }')).toEqual([
      { message: 'Cannot query field "nope" on type "Subscription".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    ]);
    await client.dispose();
  });

  it('refuses a subscription whose literal conditions leave it no root field, and the socket carries on', async () => {
    // graphql-js's rule counts only more than one root field; with none, its subscribe threw: 4500 for the whole socket.
    const client = wsClient(gateway.origin, 'demo-key');
    const NONE = 'Anonymous Subscription must select one top level field: its @skip and @include conditions leave it none.';
    for (const query of [
      'subscription { conversationChanged @include(if: false) { version } }',
      'subscription { conversationChanged @skip(if: true) { version } }',
      'subscription { ... @skip(if: true) { conversationChanged { version } } }',
      'subscription { ...Root @include(if: false) } fragment Root on Subscription { conversationChanged { version } }',
    ]) {
      expect(await refusalOf(client, query)).toEqual([{ message: NONE, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]);
    }
    // The same socket still answers: the next refusal is the ordinary one.
    expect(await refusalOf(client, 'subscription { nope }')).toEqual([
      { message: 'Cannot query field "nope" on type "Subscription".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    ]);
    await client.dispose();
  });

  it('refuses variables that do not coerce and an operation name that picks nothing with an `error` message, coded as over HTTP', async () => {
    // The variables were refused by graphql-js's subscribe: a `next` with errors, then `complete`, so a client's error handler never ran.
    const firstAnswer = (payload: Record<string, unknown>) =>
      new Promise<unknown>((resolve, reject) => {
        const socket = new WebSocket(`${gateway.origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer demo-key' } })));
        socket.on('message', (data) => {
          const message = JSON.parse(String(data)) as { type: string };
          if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload }));
          else {
            resolve(message);
            socket.close();
          }
        });
        socket.on('error', reject);
      });
    expect(await firstAnswer({ query: CHANGES, variables: { filter: { providers: 'NOPE' } } })).toEqual({
      id: '1',
      type: 'error',
      payload: [
        {
          message: 'Variable "$filter" got invalid value "NOPE" at "filter.providers"; Value "NOPE" does not exist in "Provider" enum.',
          locations: [{ line: 2, column: 24 }],
          extensions: { code: 'BAD_USER_INPUT', variable: 'filter', field: 'providers' },
        },
      ],
    });
    expect(await firstAnswer({ query: PROGRESS })).toMatchObject({
      type: 'error',
      payload: [{ message: 'Variable "$id" of required type "ID!" was not provided.', extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect(await firstAnswer({ query: CHANGES, operationName: 'Other' })).toEqual({
      id: '1',
      type: 'error',
      payload: [{ message: 'Unknown operation named "Other".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }],
    });
    expect(await firstAnswer({ query: `${CHANGES} ${PROGRESS}` })).toEqual({
      id: '1',
      type: 'error',
      payload: [{ message: 'Must provide operation name if query contains multiple operations.', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }],
    });
  });

  it('refuses a subscription sent over HTTP as BAD_REQUEST, before it runs', async () => {
    const OVER_HTTP = { errors: [{ message: 'Subscriptions are served over WebSocket (graphql-ws protocol, same /graphql path), not over HTTP', extensions: { code: 'BAD_REQUEST' } }] };
    for (const query of ['subscription { conversationChanged { version } }', 'subscription ($on: Boolean = true) { conversationChanged @include(if: $on) { version } }']) {
      const response = await fetch(`${gateway.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-key' },
        body: JSON.stringify({ query, variables: { on: null } }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(OVER_HTTP);
    }
    const get = await fetch(`${gateway.origin}/graphql?query=${encodeURIComponent('subscription { conversationChanged { version } }')}`, {
      headers: { authorization: 'Bearer demo-key', 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(400);
    expect(await get.json()).toEqual(OVER_HTTP);
  });

  it('refuses a malformed id or an id of another type in the filter at once, naming the field', async () => {
    const batch = await postBatch(httpQuery(gateway), { conversations: phoneCalls(1, 'filter-ids') });
    const client = wsClient(gateway.origin, 'demo-key');
    const refusal = (filter: Record<string, unknown>) => refusalOf(client, CHANGES, { filter });
    expect(await refusal({ conversationIds: ['bad'] })).toEqual([
      { message: 'conversationIds: "bad" is not a Conversation id', extensions: { code: 'BAD_USER_INPUT', field: 'conversationIds' } },
    ]);
    expect(await refusal({ conversationIds: [AGENT_ID, batch.id] })).toEqual([
      { message: `conversationIds: "${AGENT_ID}" is not a Conversation id`, extensions: { code: 'BAD_USER_INPUT', field: 'conversationIds' } },
    ]);
    expect(await refusal({ batchId: 'bogus' })).toEqual([
      { message: 'batchId: "bogus" is not a ConversationBatch id', extensions: { code: 'BAD_USER_INPUT', field: 'batchId' } },
    ]);
    expect(await refusal({ batchId: AGENT_ID })).toEqual([
      { message: `batchId: "${AGENT_ID}" is not a ConversationBatch id`, extensions: { code: 'BAD_USER_INPUT', field: 'batchId' } },
    ]);
    const acme = wsClient(gateway.origin, 'acme-key');
    const otherWorkspace = subscribe<Change>(acme, CHANGES, { filter: { batchId: batch.id } });
    await expect(otherWorkspace.until(() => false, 5_000)).rejects.toThrow('NOT_FOUND');
    await Promise.all([client.dispose(), acme.dispose()]);
  });

  it('a subscriber that stops reading holds at most its buffer; it is told what it missed', async () => {
    // A stored conversation with a transcript, so each event is a few kilobytes on the wire.
    const trata = gateway.runtime.registry.get('demo')?.connectors.get('TRATA');
    const page = (await trata?.listConversations({ filter: {}, limit: 100 }))?.items ?? [];
    const [conversation] = [...page].sort((a, b) => (b.transcript?.messages.length ?? 0) - (a.transcript?.messages.length ?? 0));
    if (!conversation) throw new Error('no Trata conversation');
    await gateway.runtime.live.writer.writeConversations('demo', 'TRATA', [conversation as Conversation]);

    const socket = new WebSocket(`${gateway.origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve) => socket.on('open', resolve));
    const acked = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer demo-key' } }));
    await acked;
    socket.send(JSON.stringify({
      id: '1',
      type: 'subscribe',
      payload: { query: 'subscription { conversationChanged { droppedBefore conversation { id transcript { text messages { speaker text } } } } }' },
    }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Stop reading: the kernel's buffers fill, the server's sends stop completing, events pile up in the subscription's buffer.
    const raw = (socket as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause();

    // Publish until the kernel's socket buffers are full and the subscription's own buffer is
    // (how much the kernel holds varies by machine); the bound must hold however many more come.
    let published = 0;
    const event = { type: 'conversation' as const, workspaceId: 'demo', provider: 'TRATA' as const, nativeId: conversation.nativeId, version: 1, changes: ['UPDATED' as const] };
    const stalled = async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return gateway.runtime.live.subscriptions.stats().largestBuffer === BUFFER;
    };
    do {
      for (let round = 0; round < 50; round += 1) {
        for (let i = 0; i < 20; i += 1) await gateway.runtime.live.feed.publish([event]);
        published += 20;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } while (!(await stalled()) && published < 50_000);
    const stats = gateway.runtime.live.subscriptions.stats();
    expect(stats.byWorkspace).toEqual({ demo: 1 });
    expect(stats.largestBuffer).toBe(BUFFER);
    expect(stats.dropped).toBeGreaterThan(0);

    // Reading again: a message says how many were dropped just before it.
    const dropped: number[] = [];
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: { data?: { conversationChanged?: { droppedBefore: number } } } };
      const count = message.payload?.data?.conversationChanged?.droppedBefore;
      if (count !== undefined && count > 0) dropped.push(count);
    });
    raw.resume();
    const deadline = Date.now() + 20_000;
    while (dropped.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(dropped.reduce((sum, each) => sum + each, 0)).toBe(stats.dropped);
    socket.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gateway.runtime.live.subscriptions.stats().open).toBe(0);
  }, 60_000);
});
