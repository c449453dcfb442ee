import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/globalId.ts';
import { ORATION_DOCUMENTED_IDS } from '../../src/simulators/oration/samples.ts';
import { DOCUMENTED_CONVERSATION_ID, DOCUMENTED_CONVERSATION_RESPONSE } from '../../src/simulators/trata/samples.ts';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/**
 * The provider documents' own response samples, served verbatim by the simulators, read back
 * through the whole gateway and compared field by field with what the documents say. Every field
 * of Conversation is selected, so a documented value that is dropped, bent or newly added shows here.
 */
const CONVERSATION_QUERY = /* GraphQL */ `
  query Sample($id: ID!) {
    conversation(id: $id) {
      id provider nativeId channel rawChannel status rawStatus
      createdAt updatedAt startedAt endedAt durationSeconds endReason rawEndReason
      fromNumber { raw e164 } toNumber { raw e164 } sipTrunkAddress
      providerAccountId uri summary dynamicVariables
      agent { id nativeId }
      prospect { id nativeId }
      recording { url status rawStatus }
      analytics {
        summary sentiment rawSentiment actionItems callerName callerPhone { raw e164 }
        callerEmail callerAddress audioConsentGiven prospectStatus
      }
      postCall { notes categories categoriesByPosition metadata }
      adminComments { comment rating }
      transcript { duplicatesRemoved messages { id speaker rawSpeaker text at } }
      cost { totalUsd }
      oration { customerId phoneId llmUrl telephonyType telephonyStatus userJoinTime userLeaveTime }
      trata { source createdBy updatedBy }
      voiceos { phoneCallDirection providerCallId }
    }
  }
`;

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});

afterAll(async () => {
  await gateway.close();
});

async function readConversation(provider: 'ORATION' | 'TRATA', nativeId: string) {
  const response = await gateway.query(CONVERSATION_QUERY, { id: toGlobalId({ provider, type: 'Conversation', nativeId }) });
  expect(response.body.errors).toBeUndefined();
  return response.body.data;
}

const id = (provider: string, type: string, nativeId: string) => toGlobalId({ provider: provider as 'TRATA', type: type as 'Agent', nativeId });

/** A zoneless Trata time as the graph shows it: UTC, to the millisecond. */
/** Trata's zoneless times are UTC, kept to the microsecond the document gives. */
const trataTime = (zoneless: string) => `${zoneless}Z`;

interface TrataSampleMessage {
  speaker: string;
  message: string;
  timestamp: string;
  message_id: string;
}

/**
 * The document's transcript as the graph shows it: exact repeats (same speaker, text and time)
 * once, AI as AGENT and USER as CUSTOMER, and no id where the provider put the text in its place.
 */
function expectedTrataMessages(messages: TrataSampleMessage[]) {
  const seen = new Set<string>();
  const kept = messages.filter((message) => {
    const key = JSON.stringify([message.speaker, message.message, message.timestamp]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    duplicatesRemoved: messages.length - kept.length,
    messages: kept.map((message) => ({
      id: message.message_id === message.message ? null : message.message_id,
      speaker: message.speaker === 'AI' ? 'AGENT' : 'CUSTOMER',
      rawSpeaker: message.speaker,
      text: message.message,
      at: trataTime(message.timestamp),
    })),
  };
}

describe('document samples through GraphQL', () => {
  it('Oration: the Create Conversation response sample, every field', async () => {
    const sampleId = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
    const time = '2023-11-07T05:31:56.000Z';
    expect(await readConversation('ORATION', ORATION_DOCUMENTED_IDS.sampleConversation)).toEqual({
      conversation: {
        id: id('ORATION', 'Conversation', sampleId),
        provider: 'ORATION',
        nativeId: sampleId,
        // A chat that also names a telephony type: conversationType decides the channel.
        channel: 'CHAT',
        rawChannel: 'chat',
        status: 'QUEUED',
        rawStatus: 'queued',
        createdAt: time,
        updatedAt: time,
        startedAt: time,
        endedAt: time,
        durationSeconds: 0,
        endReason: 'CUSTOMER_DID_NOT_ANSWER',
        rawEndReason: 'user_did_not_answer',
        fromNumber: { raw: '<string>', e164: null },
        toNumber: { raw: '<string>', e164: null },
        sipTrunkAddress: null,
        providerAccountId: sampleId,
        uri: '<string>',
        summary: '<string>',
        // Not a JSON object: kept whole.
        dynamicVariables: { value: '<string>' },
        agent: { id: id('ORATION', 'Agent', sampleId), nativeId: sampleId },
        prospect: null,
        recording: { url: null, status: 'IN_PROGRESS', rawStatus: 'in_progress' },
        analytics: null,
        postCall: {
          notes: '<string>',
          categories: ['<string>', '<string>', '<string>'],
          categoriesByPosition: ['<string>', '<string>', '<string>'],
          metadata: {},
        },
        adminComments: [],
        transcript: null,
        cost: null,
        oration: {
          customerId: sampleId,
          phoneId: sampleId,
          llmUrl: '<string>',
          telephonyType: 'inbound',
          telephonyStatus: '<string>',
          userJoinTime: time,
          userLeaveTime: time,
        },
        trata: null,
        voiceos: null,
      },
    });
  });

  it('Trata: the POST /v1/conversations response sample, every field', async () => {
    const sample = JSON.parse(DOCUMENTED_CONVERSATION_RESPONSE) as { transcriptText: TrataSampleMessage[] };
    const summary =
      'The caller, Hari, called to place an order at Cote Korean Steak House. He requested recommendations for spicy menu items and chose the Spicy Korean Chicken Wings for pick-up. His phone number is 96260-12778. The order is confirmed for pickup within 30-45 minutes.';
    const transcript = expectedTrataMessages(sample.transcriptText);
    expect(transcript.duplicatesRemoved).toBe(3);
    expect(await readConversation('TRATA', DOCUMENTED_CONVERSATION_ID)).toEqual({
      conversation: {
        id: id('TRATA', 'Conversation', DOCUMENTED_CONVERSATION_ID),
        provider: 'TRATA',
        nativeId: DOCUMENTED_CONVERSATION_ID,
        channel: 'WEB',
        rawChannel: 'BROWSER',
        // An active record with an end time: the call has ended.
        status: 'ENDED',
        rawStatus: 'active',
        createdAt: trataTime('2024-12-06T19:23:38.618331'),
        updatedAt: trataTime('2024-12-06T19:23:38.618332'),
        startedAt: trataTime('2024-11-11T05:06:20.733912'),
        endedAt: trataTime('2024-11-11T05:08:41.585099'),
        durationSeconds: 140.851187,
        endReason: null,
        rawEndReason: null,
        fromNumber: null,
        toNumber: null,
        sipTrunkAddress: null,
        providerAccountId: 'org.1726902940.GZChqlpU',
        uri: null,
        summary,
        dynamicVariables: null,
        agent: { id: id('TRATA', 'Agent', 'aia.1726903132.obUuT7vM'), nativeId: 'aia.1726903132.obUuT7vM' },
        prospect: { id: id('TRATA', 'Prospect', 'pro.1731301754.OZSMSU1S'), nativeId: 'pro.1731301754.OZSMSU1S' },
        recording: {
          url: 'https://storage.googleapis.com/trata-staging-recordings-storage/org.1726902940.GZChqlpU/fil.1731301754.8FQUmNBJ.mp3',
          status: 'AVAILABLE',
          rawStatus: null,
        },
        analytics: {
          summary,
          sentiment: 'POSITIVE',
          rawSentiment: 'positive',
          actionItems: [
            'Confirm the order for Hari and prepare the Spicy Korean Chicken Wings for pickup.',
            'Send a confirmation text to Hari about his order.',
          ],
          callerName: 'Hari',
          callerPhone: { raw: '96260-12778', e164: null },
          callerEmail: 'hari@gmail.com',
          callerAddress: '123, Main Street, New York, NY, 10001',
          audioConsentGiven: false,
          prospectStatus: 'SERVICE_ORDER_PLACED',
        },
        postCall: null,
        adminComments: [],
        transcript,
        cost: null,
        oration: null,
        trata: { source: '35.191.28.74', createdBy: 'trata-system', updatedBy: 'trata-system' },
        voiceos: null,
      },
    });
  });
});
