import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/globalId.ts';
import type { ConversationRecord } from '../../src/simulators/voiceos/wireTypes.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/**
 * VoiceOS's document shows no sample, so the simulator's raw answer is the reference: the fields
 * the graph used to lose (account id, credential ids, which hook fires on which events, "any
 * duration", the phone call's direction and carrier id) are read from the simulator directly and
 * through the gateway, and must agree exactly.
 */
const QUERY = /* GraphQL */ `
  query Raw($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Conversation {
        nativeId providerAccountId
        voiceos { phoneCallDirection providerCallId }
        agentSnapshot {
          maxDurationSeconds maxDurationUnlimited
          hooks { type events }
          llm { credentialId } transcriber { credentialId } voice { credentialId }
        }
      }
    }
  }
`;

let gateway: TestGateway;
let raw: ConversationRecord[];

beforeAll(async () => {
  gateway = await startTestGateway();
  const response = await fetch(`${gateway.demo.simulatorUrls.voiceos}/v1/conversations?limit=100`, {
    headers: { authorization: 'Bearer demo-voiceos-token' },
  });
  expect(response.status).toBe(200);
  raw = ((await response.json()) as { conversations: ConversationRecord[] }).conversations;
});

afterAll(async () => {
  await gateway.close();
});

function expectedFor(record: ConversationRecord) {
  return {
    nativeId: record.id,
    providerAccountId: record.account_id,
    voiceos: record.phone_call
      ? { phoneCallDirection: record.phone_call.direction, providerCallId: record.phone_call.provider_call_id }
      : null,
    agentSnapshot: {
      maxDurationSeconds: record.agent.max_duration,
      maxDurationUnlimited: record.agent.max_duration === null,
      hooks: record.agent.hooks.map((hook) => ({ type: hook.type, events: hook.events })),
      llm: { credentialId: record.agent.llm.credential_id },
      transcriber: { credentialId: record.agent.transcriber.credential_id },
      voice: { credentialId: record.agent.voice.credential_id },
    },
  };
}

/** The first conversation of the page that shows each case, so every case is exercised. */
function pickCases(): ConversationRecord[] {
  const cases: ((record: ConversationRecord) => boolean)[] = [
    (record) => record.agent.max_duration === null,
    (record) => record.agent.max_duration !== null,
    (record) => record.agent.llm.credential_id !== null,
    (record) => record.agent.transcriber.credential_id !== null,
    (record) => record.agent.voice.credential_id !== null,
    (record) => record.agent.hooks.length > 0,
    (record) => record.phone_call === null,
    (record) => record.phone_call?.provider_call_id === null,
    (record) => typeof record.phone_call?.provider_call_id === 'string',
  ];
  return cases.map((matches, index) => {
    const found = raw.find(matches);
    if (!found) throw new Error(`the demo page has no conversation for case ${index}`);
    return found;
  });
}

describe('VoiceOS fields through GraphQL match the raw answer', () => {
  it('keeps account, credentials, hooks, unlimited duration and phone call details', async () => {
    const records = pickCases();
    const ids = records.map((record) => toGlobalId({ provider: 'VOICEOS', type: 'Conversation', nativeId: record.id }));
    const response = await gateway.query(QUERY, { ids });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({ nodes: records.map(expectedFor) });
  });
});
