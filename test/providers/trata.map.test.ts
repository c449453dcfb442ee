import { describe, expect, it } from 'vitest';
import { mapTrataAgent, mapTrataConversation, mapTrataProspect } from '../../src/providers/trata/map.ts';
import { compareInstants, formatInstant, parseInstant } from '../../src/domain/preciseDate.ts';
import { parseTrataTimestamp, trataCreatedAfterBound, trataCreatedBeforeBound } from '../../src/providers/trata/timestamps.ts';
import { mapTrataTranscript } from '../../src/providers/trata/transcript.ts';
import { trataConversationSchema, type TrataConversation } from '../../src/providers/trata/wire.ts';
import {
  DOCUMENTED_CONVERSATION_ID,
  DOCUMENTED_CONVERSATION_RESPONSE,
  documentedConversationRecord,
} from '../../src/simulators/trata/samples.ts';

const documented = trataConversationSchema.parse(documentedConversationRecord());
const utc = (iso: string) => new Date(`${iso}Z`);

function record(overrides: Partial<TrataConversation>): TrataConversation {
  return trataConversationSchema.parse({ id: 'con.1.x', createdAt: '2024-12-06T19:23:38.618331', ...overrides });
}

describe('mapTrataConversation on the documented response', () => {
  const conversation = mapTrataConversation(documented);

  it('keeps identity, references, channel and status', () => {
    expect(conversation).toMatchObject({
      provider: 'TRATA',
      nativeId: DOCUMENTED_CONVERSATION_ID,
      channel: { value: 'WEB', raw: 'BROWSER' },
      status: { value: 'ENDED', raw: 'active' },
      agentRef: { provider: 'TRATA', nativeId: 'aia.1726903132.obUuT7vM' },
      prospectRef: { provider: 'TRATA', nativeId: 'pro.1731301754.OZSMSU1S' },
      endReason: null,
      fromNumber: null,
      toNumber: null,
      sipTrunkAddress: null,
      embeddedAgent: null,
      postCall: null,
      dynamicVariables: null,
      adminComments: [],
      cost: null,
      uri: null,
      providerAccountId: 'org.1726902940.GZChqlpU',
      oration: null,
      trata: { source: '35.191.28.74', createdBy: 'trata-system', updatedBy: 'trata-system' },
      voiceos: null,
    });
    expect(conversation.updatedAt).toEqual(utc('2024-12-06T19:23:38.618'));
  });

  it('reads the zoneless times as UTC, keeping their microseconds', () => {
    expect(formatInstant(conversation.createdAt)).toBe('2024-12-06T19:23:38.618331Z');
    expect(formatInstant(conversation.startedAt!)).toBe('2024-11-11T05:06:20.733912Z');
    expect(formatInstant(conversation.endedAt!)).toBe('2024-11-11T05:08:41.585099Z');
    expect(conversation.durationSeconds).toBe(140.851187);
    // Trata's start..end is the conversation itself; it reports no ringing.
    expect({ talk: conversation.talkSeconds, ring: conversation.ringSeconds }).toEqual({ talk: 140.851187, ring: null });
  });

  it('maps summary, recording and every analytics field', () => {
    const summary =
      'The caller, Hari, called to place an order at Cote Korean Steak House. He requested recommendations for spicy menu items and chose the Spicy Korean Chicken Wings for pick-up. His phone number is 96260-12778. The order is confirmed for pickup within 30-45 minutes.';
    expect(conversation.summary).toBe(summary);
    expect(conversation.recording).toEqual({
      url: 'https://storage.googleapis.com/trata-staging-recordings-storage/org.1726902940.GZChqlpU/fil.1731301754.8FQUmNBJ.mp3',
      status: { value: 'AVAILABLE', raw: null },
    });
    expect(conversation.analytics).toEqual({
      summary,
      sentiment: { value: 'POSITIVE', raw: 'positive' },
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
    });
  });

  it('removes the three exact repeats: 27 messages become 24', () => {
    const raw = JSON.parse(DOCUMENTED_CONVERSATION_RESPONSE) as { transcriptText: unknown[] };
    expect(raw.transcriptText).toHaveLength(27);
    const transcript = conversation.transcript;
    expect(transcript?.duplicatesRemoved).toBe(3);
    expect(transcript?.messages).toHaveLength(24);
    const texts = transcript?.messages.map((m) => m.text) ?? [];
    expect(texts.filter((t) => t.startsWith('Certainly! At Cote Korean'))).toHaveLength(1);
    expect(texts.filter((t) => t === 'And my name is Hari.')).toHaveLength(1);
    // The repeated exchange sat between "…it has to be, like," and "spicy."; the order stays.
    const like = texts.indexOf('Yeah. So recommendation would be helpful, and it has to be, like,');
    expect(texts[like + 1]).toBe('spicy.');
  });

  it('removes repeats among messages without a time, keeping same-text messages of other speakers or times', () => {
    const transcript = mapTrataTranscript([
      { speaker: 'USER', message: 'Yes.', timestamp: null },
      { speaker: 'AI', message: 'Yes.', timestamp: null },
      { speaker: 'USER', message: 'Yes.', timestamp: null },
      { speaker: 'USER', message: 'Yes!', timestamp: null },
      { speaker: 'USER', message: 'Yes.', timestamp: '2024-11-11T05:06:21' },
    ] as never);
    expect(transcript?.duplicatesRemoved).toBe(1);
    expect(transcript?.messages.map((m) => [m.speaker.raw, m.text, m.at === null])).toEqual([
      ['USER', 'Yes.', true],
      ['AI', 'Yes.', true],
      ['USER', 'Yes!', true],
      ['USER', 'Yes.', false],
    ]);
  });

  it('keeps AI message ids, drops USER "ids" that are only the text, and times every message', () => {
    const messages = conversation.transcript?.messages ?? [];
    expect(messages[0]).toEqual({
      id: 'dia.1731301581.gTtTGu8J',
      speaker: { value: 'AGENT', raw: 'AI' },
      text: 'Hi, thanks for calling the Restaurant. I am Sophia, the Restaurant manager powered by AI, how may I assist you today?',
      at: utc('2024-11-11T05:06:21.049'),
    });
    expect(messages[1]).toEqual({ id: null, speaker: { value: 'CUSTOMER', raw: 'USER' }, text: 'Hey.', at: utc('2024-11-11T05:06:31.737') });
    const agentIds = messages.filter((m) => m.speaker.value === 'AGENT').map((m) => m.id);
    expect(agentIds).toHaveLength(9); // 10 AI messages in the sample, one of them a repeat
    expect(agentIds.every((id) => id !== null && id.startsWith('dia.'))).toBe(true);
    expect(new Set(agentIds).size).toBe(agentIds.length);
    expect(messages.filter((m) => m.speaker.value === 'CUSTOMER').every((m) => m.id === null)).toBe(true);
    expect(messages.every((m) => m.at instanceof Date)).toBe(true);
  });
});

describe('tolerance to values the document does not list', () => {
  it('maps unknown speaker, sentiment and source type to UNKNOWN and keeps the raw value', () => {
    const conversation = mapTrataConversation(
      record({
        sourceType: 'WHATSAPP',
        transcriptText: [{ speaker: 'SUPERVISOR', message: 'Joining the call.', timestamp: '2024-11-11T05:06:21', message_id: 'x.1' }],
        conversationAnalytics: { sentiment_of_caller: 'ecstatic' },
      }),
    );
    expect(conversation.channel).toEqual({ value: 'UNKNOWN', raw: 'WHATSAPP' });
    expect(conversation.transcript?.messages[0]?.speaker).toEqual({ value: 'UNKNOWN', raw: 'SUPERVISOR' });
    expect(conversation.transcript?.messages[0]?.id).toBe('x.1');
    expect(conversation.analytics?.sentiment).toEqual({ value: 'UNKNOWN', raw: 'ecstatic' });
  });

  it('maps the assumed source types and sentiments', () => {
    const channel = (sourceType: string) => mapTrataConversation(record({ sourceType })).channel.value;
    expect(['BROWSER', 'PHONE', 'PHONE_OUTBOUND', 'CHAT'].map(channel)).toEqual(['WEB', 'PHONE_INBOUND', 'PHONE_OUTBOUND', 'CHAT']);
    const sentiment = (value: string) =>
      mapTrataConversation(record({ conversationAnalytics: { sentiment_of_caller: value } })).analytics?.sentiment?.value;
    expect(['positive', 'negative', 'neutral', 'mixed'].map(sentiment)).toEqual(['POSITIVE', 'NEGATIVE', 'NEUTRAL', 'MIXED']);
  });

  it('derives the call state from an active record and refuses to guess for other record states', () => {
    const status = (overrides: Partial<TrataConversation>) => mapTrataConversation(record(overrides)).status;
    expect(status({ status: 'active', timestampEnd: '2024-11-11T05:08:41.585099' })).toEqual({ value: 'ENDED', raw: 'active' });
    expect(status({ status: 'active', timestampEnd: null })).toEqual({ value: 'IN_PROGRESS', raw: 'active' });
    expect(status({ status: 'archived', timestampEnd: '2024-11-11T05:08:41.585099' })).toEqual({ value: 'UNKNOWN', raw: 'archived' });
    expect(status({})).toEqual({ value: 'UNKNOWN', raw: null });
  });

  it('reads a minimal record with nulls, never defaults', () => {
    const conversation = mapTrataConversation(record({}));
    expect(conversation).toMatchObject({
      agentRef: null,
      prospectRef: null,
      startedAt: null,
      endedAt: null,
      durationSeconds: null,
      transcript: null,
      summary: null,
      recording: null,
      analytics: null,
      adminComments: [],
      cost: null,
    });
  });

  it('reads the request spelling agentId, admin comments, and a transcript given as a URL', () => {
    const conversation = mapTrataConversation(
      record({
        agentId: 'aia.1719914136.zl2fxvXB',
        transcriptText: 'http://example.com/transcript',
        adminComments: [{ comment: 'good', rating: 5 }, { comment: null }],
      }),
    );
    expect(conversation.agentRef).toEqual({ provider: 'TRATA', nativeId: 'aia.1719914136.zl2fxvXB' });
    // The transcript is at that address: a data trial found the address dropped, leaving an empty
    // transcript that looked like a conversation without messages.
    expect(conversation.transcript).toEqual({ messages: [], duplicatesRemoved: 0, url: 'http://example.com/transcript' });
    expect(conversation.adminComments).toEqual([
      { comment: 'good', rating: 5 },
      { comment: null, rating: null },
    ]);
  });

  it('keeps messages that share text but not time', () => {
    const transcript = mapTrataTranscript([
      { speaker: 'USER', message: 'Yes.', timestamp: '2024-11-11T05:06:21.000001', message_id: 'Yes.' },
      { speaker: 'USER', message: 'Yes.', timestamp: '2024-11-11T05:06:25.000001', message_id: 'Yes.' },
      { speaker: 'AI', message: 'Yes.', timestamp: '2024-11-11T05:06:25.000001', message_id: 'dia.1.a' },
    ]);
    expect(transcript?.messages).toHaveLength(3);
    expect(transcript?.duplicatesRemoved).toBe(0);
  });

  it('maps a transcript written in order whole, and still finds a repeat written after a later message', () => {
    const inOrder = [
      { speaker: 'AI', message: 'Yes.', timestamp: '2024-11-11T05:06:21.000001', message_id: 'dia.1.a' },
      { speaker: 'USER', message: 'Yes.', timestamp: '2024-11-11T05:06:21.000002', message_id: 'Yes.' },
      { speaker: ' ai ', message: 'Yes.', timestamp: '2024-11-11T05:06:22' },
    ];
    expect(mapTrataTranscript(inOrder)).toEqual({
      messages: [
        { id: 'dia.1.a', speaker: { value: 'AGENT', raw: 'AI' }, text: 'Yes.', at: new Date(Date.UTC(2024, 10, 11, 5, 6, 21)) },
        { id: null, speaker: { value: 'CUSTOMER', raw: 'USER' }, text: 'Yes.', at: new Date(Date.UTC(2024, 10, 11, 5, 6, 21)) },
        { id: null, speaker: { value: 'AGENT', raw: ' ai ' }, text: 'Yes.', at: new Date(Date.UTC(2024, 10, 11, 5, 6, 22)) },
      ],
      duplicatesRemoved: 0,
    });
    const repeatedAfter = mapTrataTranscript([...inOrder, inOrder[0]!]);
    expect(repeatedAfter?.messages.map((m) => m.speaker.raw)).toEqual(['AI', 'USER', ' ai ']);
    expect(repeatedAfter?.duplicatesRemoved).toBe(1);
  });

  it('removes a repeat among several messages of one instant, and repeats without a time, and nothing else', () => {
    const transcript = mapTrataTranscript([
      { speaker: 'AI', message: 'Hello.', timestamp: '2024-11-11T05:06:21.000001' },
      { speaker: 'USER', message: 'Hi.', timestamp: '2024-11-11T05:06:21.000001' },
      { speaker: 'USER', message: 'Hi.', timestamp: '2024-11-11T05:06:21.000001' },
      { speaker: null, message: 'Hi.', timestamp: '2024-11-11T05:06:21.000001' },
      { speaker: 'USER', message: 'Bye.' },
      { speaker: 'USER', message: 'Bye.', timestamp: null },
      { speaker: 'USER', message: null },
      { speaker: 'USER', message: '' },
    ]);
    expect(transcript?.messages.map((m) => [m.speaker.raw, m.text])).toEqual([
      ['AI', 'Hello.'],
      ['USER', 'Hi.'],
      [null, 'Hi.'],
      ['USER', 'Bye.'],
      ['USER', ''],
      ['USER', ''],
    ]);
    expect(transcript?.duplicatesRemoved).toBe(2);
  });

  it('refuses a record without an id or a readable createdAt, naming the field', () => {
    const missingId = trataConversationSchema.safeParse({ createdAt: '2024-12-06T19:23:38.618331' });
    expect(missingId.error?.issues.map((i) => i.path.join('.'))).toEqual(['id']);
    const badTime = trataConversationSchema.safeParse({ id: 'con.1.x', createdAt: 'yesterday' });
    expect(badTime.error?.issues.map((i) => i.path.join('.'))).toEqual(['createdAt']);
  });
});

describe('parseTrataTimestamp', () => {
  const precise = (text: string) => formatInstant(parseTrataTimestamp(text)!);

  it('reads zoneless times as UTC and honours a zone when there is one', () => {
    expect(precise('2024-11-11T05:06:21.049339')).toBe('2024-11-11T05:06:21.049339Z');
    expect(precise('2023-11-07T05:31:56Z')).toBe('2023-11-07T05:31:56.000Z');
    expect(precise('2023-11-07T07:31:56.5+02:00')).toBe('2023-11-07T05:31:56.500Z');
  });

  it('keeps every fraction digit Trata wrote, and orders by them', () => {
    expect(precise('2024-12-06T19:23:38.618999')).toBe('2024-12-06T19:23:38.618999Z');
    expect(precise('2024-12-06T19:23:38.618300')).toBe('2024-12-06T19:23:38.618300Z');
    const [a, b] = [parseTrataTimestamp('2024-12-06T19:23:38.618331')!, parseTrataTimestamp('2024-12-06T19:23:38.618332')!];
    expect(a.getTime()).toBe(b.getTime());
    expect(compareInstants(a, b)).toBeLessThan(0);
    expect(compareInstants(a, parseTrataTimestamp('2024-12-06T19:23:38.618331Z')!)).toBe(0);
  });

  it('makes the inclusive Trata bounds strict at the microsecond', () => {
    const own = parseTrataTimestamp('2024-12-06T19:23:38.618331')!;
    expect(trataCreatedAfterBound(own)).toBe('2024-12-06T19:23:38.618332');
    expect(trataCreatedBeforeBound(own)).toBe('2024-12-06T19:23:38.618331');
    expect(trataCreatedAfterBound(parseTrataTimestamp('2024-12-06T19:23:38.999999')!)).toBe('2024-12-06T19:23:39.000000');
    // A client bound in nanoseconds: the microsecond below it is before it, the one above after it.
    const nanos = parseInstant('2024-12-06T19:23:38.618331500Z', { zoneless: 'reject' })!;
    expect(trataCreatedAfterBound(nanos)).toBe('2024-12-06T19:23:38.618332');
    expect(trataCreatedBeforeBound(nanos)).toBe('2024-12-06T19:23:38.618332');
  });

  it('has no bound where the next microsecond is past year 9999, the last a Trata timestamp can write', () => {
    const last = parseInstant('9999-12-31T23:59:59.999999Z', { zoneless: 'reject' })!;
    expect(trataCreatedAfterBound(last)).toBeNull(); // nothing is after it
    expect(trataCreatedBeforeBound(last)).toBe('9999-12-31T23:59:59.999999');
    expect(trataCreatedBeforeBound(parseInstant('9999-12-31T23:59:59.999999001Z', { zoneless: 'reject' })!)).toBeNull(); // everything is before it
    expect(trataCreatedAfterBound(parseInstant('9999-12-31T23:59:59.999998Z', { zoneless: 'reject' })!)).toBe('9999-12-31T23:59:59.999999');
  });

  it('returns null for what is not a date-time', () => {
    expect(parseTrataTimestamp('2024-02-30T00:00:00')).toBeNull();
    expect(parseTrataTimestamp('2024-11-11')).toBeNull();
    expect(parseTrataTimestamp('')).toBeNull();
    expect(parseTrataTimestamp(null)).toBeNull();
  });
});

describe('mapTrataAgent and mapTrataProspect', () => {
  it('maps the assumed agent shape, every field in its own place', () => {
    const agent = mapTrataAgent({
      id: 'aia.1726903132.obUuT7vM',
      orgId: 'org.1726902940.GZChqlpU',
      name: 'Sophia',
      description: 'Restaurant manager',
      prompt: 'You are Sophia.',
      initialMessage: 'Hi, thanks for calling the Restaurant.',
      voiceModelId: 'vom.1726000000.AbCdEfGh',
      language: 'en-US',
      status: 'active',
      createdAt: '2024-09-21T07:18:52.348501',
      updatedAt: '2024-09-22T08:00:00.5',
    });
    expect(agent).toEqual({
      kind: 'Agent',
      provider: 'TRATA',
      nativeId: 'aia.1726903132.obUuT7vM',
      name: 'Sophia',
      prompt: 'You are Sophia.',
      initialMessage: 'Hi, thanks for calling the Restaurant.',
      maxDurationSeconds: null,
      voice: { voice: 'vom.1726000000.AbCdEfGh', provider: null, speed: null, emotion: null, temperature: null, textGuidance: null, credentialId: null },
      llm: null,
      transcriber: { provider: null, model: null, language: 'en-US', keywords: [], credentialId: null },
      webhooks: [],
      hookEvents: [],
      metadata: null,
      createdAt: utc('2024-09-21T07:18:52.348'),
      updatedAt: utc('2024-09-22T08:00:00.500'),
      providerAccountId: 'org.1726902940.GZChqlpU',
      maxDurationUnlimited: null,
      hooks: [],
      trata: { description: 'Restaurant manager', status: 'active' },
    });
  });

  it('keeps a national phone number raw and derives E.164 only from an international one', () => {
    const hari = mapTrataProspect({ id: 'pro.1731301754.OZSMSU1S', name: 'Hari', phoneNumber: '96260-12778', prospectStatus: 'NEW' });
    expect(hari).toMatchObject({ name: 'Hari', phone: { raw: '96260-12778', e164: null }, status: 'NEW', email: null, createdAt: null });
    const london = mapTrataProspect({ id: 'pro.1.x', phoneNumber: '+44 20 7946 0365' });
    expect(london.phone).toEqual({ raw: '+44 20 7946 0365', e164: '+442079460365' });
  });
});
