import { describe, expect, it } from 'vitest';
import { mapChannel, mapOrationAgent, mapOrationConversation, parseDynamicVariables } from '../../src/providers/oration/map.ts';
import { orationConversationSchema, orationCreateResponseSchema, type OrationConversationWire } from '../../src/providers/oration/wire.ts';
import { ORATION_CREATE_RESPONSE_SAMPLE } from '../../src/simulators/oration/samples.ts';

function documentedSample(): OrationConversationWire {
  const parsed = orationCreateResponseSchema.parse(JSON.parse(ORATION_CREATE_RESPONSE_SAMPLE));
  const first = parsed.results?.[0];
  if (!first) throw new Error('the documented sample has a result');
  return first;
}

function wire(overrides: Partial<OrationConversationWire>): OrationConversationWire {
  return orationConversationSchema.parse({ id: 'c-1', createdAt: '2026-11-01T10:00:00Z', ...overrides });
}

describe('Oration mapping of the documented response sample', () => {
  it('parses the verbatim sample, errors included', () => {
    const parsed = orationCreateResponseSchema.parse(JSON.parse(ORATION_CREATE_RESPONSE_SAMPLE));
    expect(parsed.results).toHaveLength(1);
    expect(parsed.errors).toEqual([{ error: '<string>' }]);
  });

  it('maps every documented field, keeping placeholders as data', () => {
    const conversation = mapOrationConversation(documentedSample());
    expect(conversation).toEqual({
      kind: 'Conversation',
      provider: 'ORATION',
      nativeId: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
      // The sample is a chat that also names a telephony type; conversationType decides.
      channel: { value: 'CHAT', raw: 'chat' },
      status: { value: 'QUEUED', raw: 'queued' },
      createdAt: new Date('2023-11-07T05:31:56Z'),
      startedAt: new Date('2023-11-07T05:31:56Z'),
      endedAt: new Date('2023-11-07T05:31:56Z'),
      durationSeconds: 0,
      talkSeconds: 0,
      ringSeconds: 0,
      endReason: { value: 'CUSTOMER_DID_NOT_ANSWER', raw: 'user_did_not_answer' },
      fromNumber: { raw: '<string>', e164: null },
      toNumber: { raw: '<string>', e164: null },
      sipTrunkAddress: null,
      agentRef: { provider: 'ORATION', nativeId: '3c90c3cc-0d44-4b50-8888-8dd25736052a' },
      embeddedAgent: null,
      prospectRef: null,
      transcript: null,
      summary: '<string>',
      recording: { url: null, status: { value: 'IN_PROGRESS', raw: 'in_progress' } },
      analytics: null,
      postCall: {
        notes: '<string>',
        categories: ['<string>', '<string>', '<string>'],
        metadata: {},
        categoriesByPosition: ['<string>', '<string>', '<string>'],
      },
      dynamicVariables: { value: '<string>' },
      gatewayRequestId: null,
      adminComments: [],
      cost: null,
      uri: '<string>',
      updatedAt: new Date('2023-11-07T05:31:56Z'),
      providerAccountId: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
      oration: {
        customerId: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
        phoneId: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
        llmUrl: '<string>',
        // A chat that names a telephony type: the channel cannot show it, the details keep it.
        telephonyType: 'inbound',
        telephonyStatus: '<string>',
        userJoinTime: new Date('2023-11-07T05:31:56Z'),
        userLeaveTime: new Date('2023-11-07T05:31:56Z'),
      },
      trata: null,
      voiceos: null,
    });
  });
});


describe('Oration mapping edge cases', () => {
  it('maps unknown status, end reason and recording status to UNKNOWN with the raw value', () => {
    const conversation = mapOrationConversation(
      wire({ conversationStatus: 'transferring', endReason: 'voicemail_detected', recordingStatus: 'archived' }),
    );
    expect(conversation.status).toEqual({ value: 'UNKNOWN', raw: 'transferring' });
    expect(conversation.endReason).toEqual({ value: 'UNKNOWN', raw: 'voicemail_detected' });
    expect(conversation.recording?.status).toEqual({ value: 'UNKNOWN', raw: 'archived' });
  });

  it('maps the assumed lifecycle statuses and end reasons', () => {
    const statuses = ['queued', 'dialing', 'active', 'ended', 'failed'].map(
      (status) => mapOrationConversation(wire({ conversationStatus: status })).status.value,
    );
    expect(statuses).toEqual(['QUEUED', 'DIALING', 'IN_PROGRESS', 'ENDED', 'FAILED']);
    const reasons = ['agent_ended', 'user_ended', 'max_duration_reached', 'error'].map(
      (endReason) => mapOrationConversation(wire({ endReason })).endReason?.value,
    );
    expect(reasons).toEqual(['AGENT_ENDED', 'CUSTOMER_ENDED', 'MAX_DURATION_REACHED', 'ERROR']);
  });

  it('reports a missing status as UNKNOWN without a raw value, and missing optional fields as null', () => {
    const conversation = mapOrationConversation(wire({}));
    expect(conversation.status).toEqual({ value: 'UNKNOWN', raw: null });
    expect(conversation.channel).toEqual({ value: 'UNKNOWN', raw: null });
    expect(conversation.endReason).toBeNull();
    expect(conversation.recording).toBeNull();
    expect(conversation.postCall).toBeNull();
    expect(conversation.dynamicVariables).toBeNull();
    expect(conversation.durationSeconds).toBeNull();
    expect(conversation.agentRef).toBeNull();
  });

  it('never invents a transcript or a cost', () => {
    const conversation = mapOrationConversation(wire({ conversationStatus: 'ended', summary: 'Talked.' }));
    expect(conversation.transcript).toBeNull();
    expect(conversation.cost).toBeNull();
  });

  it('derives the channel from conversationType and telephonyType', () => {
    expect(mapChannel('telephony', 'inbound')).toEqual({ value: 'PHONE_INBOUND', raw: 'telephony:inbound' });
    expect(mapChannel('telephony', 'outbound')).toEqual({ value: 'PHONE_OUTBOUND', raw: 'telephony:outbound' });
    expect(mapChannel('telephony', null)).toEqual({ value: 'PHONE', raw: 'telephony' });
    expect(mapChannel('telephony', 'transfer')).toEqual({ value: 'PHONE', raw: 'telephony:transfer' });
    expect(mapChannel('video', null)).toEqual({ value: 'UNKNOWN', raw: 'video' });
  });

  it('decodes dynamicVariables strings that hold an object and keeps any other string whole', () => {
    expect(parseDynamicVariables('{"customerName":"Alice Smith","switchboardRequestId":"r-1"}')).toEqual({
      customerName: 'Alice Smith',
      switchboardRequestId: 'r-1',
    });
    expect(parseDynamicVariables('{}')).toEqual({});
    expect(parseDynamicVariables('[1,2]')).toEqual({ value: '[1,2]' });
    expect(parseDynamicVariables('{"broken"')).toEqual({ value: '{"broken"' });
    expect(parseDynamicVariables({ customerName: 'Bob' })).toEqual({ customerName: 'Bob' });
    expect(parseDynamicVariables('')).toBeNull();
    // A number a double cannot hold keeps its digits, as text; every other number stays a number.
    expect(parseDynamicVariables('{"account":12345678901234567890,"huge":1e400,"list":[-9007199254740993],"largest":9007199254740991,"rate":0.125}')).toEqual({
      account: '12345678901234567890',
      huge: '1e400',
      list: ['-9007199254740993'],
      largest: 9007199254740991,
      rate: 0.125,
    });
    expect(parseDynamicVariables(null)).toBeNull();
  });

  it('moves the gateway\'s own tag out of dynamicVariables, keeping exactly what the conversation was started with', () => {
    const tagged = mapOrationConversation(wire({ dynamicVariables: '{"customerName":"Alice Smith","switchboardRequestId":"r-1"}' }));
    expect({ variables: tagged.dynamicVariables, tag: tagged.gatewayRequestId }).toEqual({ variables: { customerName: 'Alice Smith' }, tag: 'r-1' });
    const onlyTag = mapOrationConversation(wire({ dynamicVariables: '{"switchboardRequestId":"r-2"}' }));
    expect({ variables: onlyTag.dynamicVariables, tag: onlyTag.gatewayRequestId }).toEqual({ variables: {}, tag: 'r-2' });
    // Not a tag this gateway writes (not a string): left where it is, as data.
    const odd = mapOrationConversation(wire({ dynamicVariables: '{"switchboardRequestId":7}' }));
    expect({ variables: odd.dynamicVariables, tag: odd.gatewayRequestId }).toEqual({ variables: { switchboardRequestId: 7 }, tag: null });
  });

  it('splits a call into ringing (callStart..userJoin) and talk (userJoin..userLeave)', () => {
    const answered = mapOrationConversation(
      wire({
        callStartTime: '2026-11-01T10:00:05Z',
        userJoinTime: '2026-11-01T10:00:12.250Z',
        userLeaveTime: '2026-11-01T10:02:30Z',
        callEndTime: '2026-11-01T10:02:35.500Z',
      }),
    );
    expect([answered.durationSeconds, answered.ringSeconds, answered.talkSeconds]).toEqual([150.5, 7.25, 137.75]);
    const unanswered = mapOrationConversation(wire({ callStartTime: '2026-11-01T10:00:05Z', callEndTime: '2026-11-01T10:00:35Z' }));
    expect([unanswered.durationSeconds, unanswered.ringSeconds, unanswered.talkSeconds]).toEqual([30, 30, 0]);
    const ringing = mapOrationConversation(wire({ callStartTime: '2026-11-01T10:00:05Z' }));
    expect([ringing.durationSeconds, ringing.ringSeconds, ringing.talkSeconds]).toEqual([null, null, null]);
  });

  it('keeps the post-call categories that are present, in order, and the slot of each', () => {
    const conversation = mapOrationConversation(
      wire({ postCallCategory1: 'Renewed', postCallCategory2: null, postCallCategory3: 'Follow-up needed' }),
    );
    expect(conversation.postCall).toEqual({
      notes: null,
      categories: ['Renewed', 'Follow-up needed'],
      metadata: null,
      // The slots: `categories` alone cannot say that the second one was empty.
      categoriesByPosition: ['Renewed', null, 'Follow-up needed'],
    });
  });

  it('derives the duration and E.164 numbers of a phone call', () => {
    const conversation = mapOrationConversation(
      wire({
        conversationType: 'telephony',
        telephonyType: 'outbound',
        callStartTime: '2026-11-01T10:00:05Z',
        callEndTime: '2026-11-01T10:02:35.500Z',
        toPhoneNumber: '+1234567890',
        fromPhoneNumber: '+14155550100',
      }),
    );
    expect(conversation.durationSeconds).toBe(150.5);
    expect(conversation.toNumber).toEqual({ raw: '+1234567890', e164: '+1234567890' });
    expect(conversation.fromNumber?.e164).toBe('+14155550100');
  });

  it('rejects a conversation whose createdAt is not a date-time', () => {
    expect(orationConversationSchema.safeParse({ id: 'c-1', createdAt: '<string>' }).success).toBe(false);
  });

  it('maps an agent, leaving what Oration does not report null', () => {
    const agent = mapOrationAgent({
      id: 'a-1',
      workspaceId: 'w',
      name: 'Support Line',
      prompt: 'Help callers.',
      initialMessage: 'Hello',
      maxDurationSeconds: 600,
      language: 'en-US',
      voiceId: 'ava-warm',
      llmModel: 'gpt-4o',
      createdAt: '2026-09-01T00:00:00Z',
      updatedAt: null,
    });
    expect(agent).toMatchObject({
      provider: 'ORATION',
      nativeId: 'a-1',
      name: 'Support Line',
      maxDurationSeconds: 600,
      llm: { provider: null, model: 'gpt-4o', temperature: null, maxTokens: null },
      transcriber: { language: 'en-US' },
      voice: { voice: 'ava-warm' },
      createdAt: new Date('2026-09-01T00:00:00Z'),
    });
  });
});
