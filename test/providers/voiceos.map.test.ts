import { Decimal } from '../../src/domain/decimal.ts';
import { describe, expect, it, vi } from 'vitest';
import { mapAgent, mapConversation } from '../../src/providers/voiceos/map.ts';
import { voiceOsAgentSchema, voiceOsConversationSchema } from '../../src/providers/voiceos/wire.ts';

/** A conversation written from the document's field list, in its order, with our assumed names. */
function documentedConversation(): Record<string, unknown> {
  return {
    account_id: 'acc_7f3c',
    agent: {
      hooks: [
        { type: 'hang_up', events: ['conversation:ended', 'phone_call:rejected'] },
        { type: 'hang_up', events: ['conversation:ended', 'conversation:duration'] },
      ],
      initial_message: 'Hi, this is Lakeside Dental calling about your appointment tomorrow.',
      llm: { provider: 'openai', credential_id: null, max_tokens: 300, model: 'gpt-4o', temperature: 0.7 },
      max_duration: 600,
      metadata: { team: 'operations', revision: 3 },
      prompt: "Confirm tomorrow's appointment.",
      transcriber: {
        provider: 'deepgram',
        credential_id: 'cred_dg_1',
        keywords: ['Lakeside', 'Invisalign'],
        language: 'en',
        model: 'nova-2-phonecall',
      },
      voice: {
        provider: 'playht',
        credential_id: null,
        voice: 'susan',
        speed: 1.1,
        emotion: 12,
        temperature: 0.5,
        text_guidance: 1.5,
      },
      webhooks: [{ method: 'POST', url: 'https://ops.example/voiceos', events: ['conversation:started', 'conversation:ended'] }],
    },
    id: 'conv_42',
    status: 'ended',
    type: 'outbound_phone_call',
    uri: 'wss://rt.voiceos.ai/v1/conversations/conv_42',
    agent_id: 'agent_9',
    cost: {
      agent: { cost: 0.1, provider: 'voiceos', seconds: 120 },
      llm: { cost: 0.0352, input_tokens: 12000, output_tokens: 520, provider: 'openai' },
      total: 0.1784,
      transcriber: { cost: 0, provider: 'deepgram', seconds: 120 },
      voice: { characters: 2100, cost: 0.0152, provider: 'playht' },
      telephony: { cost: 0.028, provider: 'twilio', seconds: 120 },
    },
    end_time: '2026-11-19T10:02:05.500Z',
    end_reason: 'user_ended',
    phone_call: { from_number: '+14155550123', to_number: '+447700900123', direction: 'outbound', provider_call_id: 'CA123' },
    start_time: '2026-11-19T10:00:05.000Z',
    created_at: '2026-11-19T10:00:00.000Z',
  };
}

function map(wire: Record<string, unknown>) {
  return mapConversation(voiceOsConversationSchema.parse(wire));
}

describe('mapConversation', () => {
  it('maps every documented field of an ended outbound phone call', () => {
    const conversation = map(documentedConversation());
    const agent = { provider: 'VOICEOS', nativeId: 'agent_9' } as const;
    expect(conversation).toEqual({
      kind: 'Conversation',
      provider: 'VOICEOS',
      nativeId: 'conv_42',
      channel: { value: 'PHONE_OUTBOUND', raw: 'outbound_phone_call' },
      status: { value: 'ENDED', raw: 'ended' },
      createdAt: new Date('2026-11-19T10:00:00.000Z'),
      startedAt: new Date('2026-11-19T10:00:05.000Z'),
      endedAt: new Date('2026-11-19T10:02:05.500Z'),
      durationSeconds: 120.5,
      talkSeconds: 120.5,
      ringSeconds: null,
      endReason: { value: 'CUSTOMER_ENDED', raw: 'user_ended' },
      fromNumber: { raw: '+14155550123', e164: '+14155550123' },
      toNumber: { raw: '+447700900123', e164: '+447700900123' },
      sipTrunkAddress: null,
      // The saved agent is referenced; the embedded copy has an id of its own (the conversation's).
      agentRef: agent,
      embeddedAgent: {
        kind: 'Agent',
        provider: 'VOICEOS',
        nativeId: 'conversation:conv_42',
        name: null,
        prompt: "Confirm tomorrow's appointment.",
        initialMessage: 'Hi, this is Lakeside Dental calling about your appointment tomorrow.',
        maxDurationSeconds: 600,
        llm: { provider: 'openai', model: 'gpt-4o', temperature: 0.7, maxTokens: 300, credentialId: null },
        // A credential id says the account pays the transcriber itself: its zero cost line below is not a free transcriber.
        transcriber: {
          provider: 'deepgram',
          model: 'nova-2-phonecall',
          language: 'en',
          keywords: ['Lakeside', 'Invisalign'],
          credentialId: 'cred_dg_1',
        },
        voice: { provider: 'playht', voice: 'susan', speed: 1.1, emotion: 12, temperature: 0.5, textGuidance: 1.5, credentialId: null },
        webhooks: [{ method: 'POST', url: 'https://ops.example/voiceos', events: ['conversation:started', 'conversation:ended'] }],
        hookEvents: ['conversation:ended', 'phone_call:rejected', 'conversation:duration'],
        metadata: { team: 'operations', revision: 3 },
        createdAt: null,
        updatedAt: null,
        providerAccountId: null,
        maxDurationUnlimited: false,
        // Which hook fires on which events: the union in hookEvents cannot say.
        hooks: [
          { type: 'hang_up', events: ['conversation:ended', 'phone_call:rejected'] },
          { type: 'hang_up', events: ['conversation:ended', 'conversation:duration'] },
        ],
        trata: null,
      },
      prospectRef: null,
      transcript: null,
      summary: null,
      recording: null,
      analytics: null,
      postCall: null,
      dynamicVariables: null,
      gatewayRequestId: null,
      adminComments: [],
      cost: {
        currency: 'USD',
        total: Decimal.parse('0.1784'),
        components: [
          { kind: 'AGENT', provider: 'voiceos', amount: Decimal.parse('0.1'), quantities: [{ unit: 'SECONDS', amount: 120 }] },
          {
            kind: 'LLM',
            provider: 'openai',
            amount: Decimal.parse('0.0352'),
            quantities: [
              { unit: 'INPUT_TOKENS', amount: 12000 },
              { unit: 'OUTPUT_TOKENS', amount: 520 },
            ],
          },
          { kind: 'TRANSCRIBER', provider: 'deepgram', amount: Decimal.parse('0'), quantities: [{ unit: 'SECONDS', amount: 120 }] },
          { kind: 'VOICE', provider: 'playht', amount: Decimal.parse('0.0152'), quantities: [{ unit: 'CHARACTERS', amount: 2100 }] },
          { kind: 'TELEPHONY', provider: 'twilio', amount: Decimal.parse('0.028'), quantities: [{ unit: 'SECONDS', amount: 120 }] },
        ],
      },
      uri: 'wss://rt.voiceos.ai/v1/conversations/conv_42',
      updatedAt: null,
      providerAccountId: 'acc_7f3c',
      oration: null,
      trata: null,
      voiceos: { phoneCallDirection: 'outbound', providerCallId: 'CA123' },
    });
  });

  it('tells "any duration" (max_duration: null) from a limit, and applies the documented defaults to a configuration that leaves them out', () => {
    const wire = documentedConversation();
    const agent = wire.agent as Record<string, unknown>;
    const anyDuration = map({ ...wire, agent: { ...agent, max_duration: null } }).embeddedAgent;
    expect([anyDuration?.maxDurationSeconds, anyDuration?.maxDurationUnlimited]).toEqual([null, true]);
    // The document: "The default value is 10 min", max tokens "Default is 300", temperature "Default is 0".
    // Left out, they were reported as unknown (null) although the document says what they are (a data trial).
    const { max_duration: _limit, ...withoutLimit } = agent;
    const llm = agent.llm as Record<string, unknown>;
    const { max_tokens: _tokens, temperature: _temperature, ...llmWithoutDefaults } = llm;
    const defaulted = map({ ...wire, agent: { ...withoutLimit, llm: llmWithoutDefaults } }).embeddedAgent;
    expect([defaulted?.maxDurationSeconds, defaulted?.maxDurationUnlimited]).toEqual([600, false]);
    expect([defaulted?.llm?.maxTokens, defaulted?.llm?.temperature]).toEqual([300, 0]);
    // An explicit null token limit or temperature is the same: the provider's default is in force.
    const nulls = map({ ...wire, agent: { ...agent, llm: { ...llm, max_tokens: null, temperature: null } } }).embeddedAgent;
    expect([nulls?.llm?.maxTokens, nulls?.llm?.temperature]).toEqual([300, 0]);
    // The saved agent reads the same.
    expect(mapAgent(voiceOsAgentSchema.parse({ id: 'agent-1', name: 'A', created_at: '2026-11-01T00:00:00Z', ...withoutLimit, llm: llmWithoutDefaults })).maxDurationSeconds).toBe(600);
  });

  it('keeps the phone call details of a web call null', () => {
    const web = map({ ...documentedConversation(), type: 'web_call', phone_call: null });
    expect(web.voiceos).toBeNull();
  });

  it('keeps a queued conversation without cost, times or end reason as null, not zero', () => {
    const conversation = map({
      ...documentedConversation(),
      status: 'queued',
      cost: null,
      start_time: null,
      end_time: null,
      end_reason: null,
    });
    expect(conversation.status).toEqual({ value: 'QUEUED', raw: 'queued' });
    expect(conversation.cost).toBeNull();
    expect(conversation.startedAt).toBeNull();
    expect(conversation.endedAt).toBeNull();
    expect(conversation.durationSeconds).toBeNull();
    expect(conversation.endReason).toBeNull();
  });

  it('maps a web call: no phone numbers, no telephony component', () => {
    const wire = documentedConversation();
    const cost = wire.cost as Record<string, unknown>;
    const conversation = map({ ...wire, type: 'web_call', phone_call: null, cost: { ...cost, telephony: null } });
    expect(conversation.channel).toEqual({ value: 'WEB', raw: 'web_call' });
    expect(conversation.fromNumber).toBeNull();
    expect(conversation.toNumber).toBeNull();
    expect(conversation.cost?.components.map((component) => component.kind)).toEqual(['AGENT', 'LLM', 'TRANSCRIBER', 'VOICE']);
    expect(conversation.cost?.total?.toString()).toBe('0.1784');
  });

  it('takes amounts written as decimal strings too, exactly (the document gives them no type)', () => {
    // Refused before: the list answered cost null with PROVIDER_BAD_RESPONSE, conversation(id) nothing at all (a data trial).
    const wire = documentedConversation();
    const conversation = map({
      ...wire,
      cost: {
        agent: { cost: '0.10', provider: 'voiceos', seconds: 120 },
        llm: { cost: 0.0352, input_tokens: 12000, output_tokens: 520, provider: 'openai' },
        total: '0.1352',
      },
    });
    expect(conversation.cost?.total?.toString()).toBe('0.1352');
    expect(conversation.cost?.components.map((component) => [component.kind, component.amount?.toString()])).toEqual([
      ['AGENT', '0.10'],
      ['LLM', '0.0352'],
    ]);
    expect(() => map({ ...wire, cost: { total: 'a dollar' } })).toThrow();
  });

  it('refuses a quantity below zero, or tokens and characters in fractions: what was used is a count', () => {
    // -120 seconds was answered as a quantity (an outside trial).
    const wire = documentedConversation();
    const cost = wire.cost as Record<string, Record<string, unknown>>;
    const withPart = (part: string, fields: Record<string, unknown>) => ({ ...wire, cost: { ...cost, [part]: { ...cost[part], ...fields } } });
    const refused = [
      withPart('agent', { seconds: -120 }),
      withPart('transcriber', { seconds: -0.5 }),
      withPart('telephony', { seconds: -1 }),
      withPart('llm', { input_tokens: -12000 }),
      withPart('llm', { output_tokens: 1.5 }),
      withPart('voice', { characters: -3 }),
    ].map((refusedWire) => {
      try {
        map(refusedWire);
        return 'taken';
      } catch {
        return 'refused';
      }
    });
    expect(refused).toEqual(['refused', 'refused', 'refused', 'refused', 'refused', 'refused']);
    expect(map(withPart('agent', { seconds: 0.25 })).cost?.components[0]?.quantities).toEqual([{ unit: 'SECONDS', amount: 0.25 }]);
  });

  it('maps values no document lists to UNKNOWN and keeps them raw', () => {
    const conversation = map({ ...documentedConversation(), status: 'transferring', type: 'sip_call', end_reason: 'voicemail' });
    expect(conversation.status).toEqual({ value: 'UNKNOWN', raw: 'transferring' });
    expect(conversation.channel).toEqual({ value: 'UNKNOWN', raw: 'sip_call' });
    expect(conversation.endReason).toEqual({ value: 'UNKNOWN', raw: 'voicemail' });
  });

  it('maps the documented end reason "unknown" to UNKNOWN with its raw value', () => {
    expect(map({ ...documentedConversation(), end_reason: 'unknown' }).endReason).toEqual({ value: 'UNKNOWN', raw: 'unknown' });
    expect(map({ ...documentedConversation(), end_reason: 'agent_ended' }).endReason).toEqual({
      value: 'AGENT_ENDED',
      raw: 'agent_ended',
    });
  });

  it('gives an inline agent (agent_id null) the native id conversation:<id>, in both the ref and the agent', () => {
    expect(map(documentedConversation()).embeddedAgent?.nativeId).toBe('conversation:conv_42');
    const conversation = map({ ...documentedConversation(), agent_id: null });
    expect(conversation.agentRef).toEqual({ provider: 'VOICEOS', nativeId: 'conversation:conv_42', embedded: true });
    expect(conversation.embeddedAgent?.nativeId).toBe('conversation:conv_42');
    // A saved agent's conversation refers to the saved agent, never to what it embeds.
    expect(map(documentedConversation()).agentRef).toEqual({ provider: 'VOICEOS', nativeId: documentedConversation().agent_id });
  });

  it('maps each embedded agent without listing the configuration\'s fields again', () => {
    const wire = voiceOsConversationSchema.parse(documentedConversation());
    const entries = vi.spyOn(Object, 'entries');
    try {
      const agents = [mapConversation(wire).embeddedAgent, mapConversation({ ...wire, id: 'conv_43' }).embeddedAgent];
      expect(agents.map((agent) => agent?.nativeId)).toEqual(['conversation:conv_42', 'conversation:conv_43']);
      // The configuration field table (it maps hookEvents) is listed once, when the module loads.
      expect(entries.mock.calls.filter(([table]) => typeof table === 'object' && table !== null && 'hookEvents' in table)).toEqual([]);
    } finally {
      entries.mockRestore();
    }
  });

  it('reads the voice under the other plausible names and survives a sparse configuration', () => {
    const wire = documentedConversation();
    const agent = wire.agent as Record<string, unknown>;
    const voiceId = map({ ...wire, agent: { ...agent, voice: { provider: 'playht', voice_id: 'william' } } });
    expect(voiceId.embeddedAgent?.voice?.voice).toBe('william');
    const model = map({ ...wire, agent: { ...agent, voice: { model: 'oliver' } } });
    expect(model.embeddedAgent?.voice).toEqual({
      provider: null,
      voice: 'oliver',
      speed: null,
      emotion: null,
      temperature: null,
      textGuidance: null,
      credentialId: null,
    });

    const sparse = map({ ...wire, agent: { prompt: 'Hello' }, cost: { total: 0.5 }, uri: undefined });
    expect(sparse.embeddedAgent).toMatchObject({ prompt: 'Hello', llm: null, webhooks: [], hookEvents: [], metadata: null });
    expect(sparse.cost).toEqual({ currency: 'USD', total: Decimal.parse('0.5'), components: [] });
    expect(sparse.uri).toBeNull();
  });

  it('refers a conversation without an agent id to the configuration it embeds, and has no agent when that is missing too', () => {
    // The document: agent_id "returns null if the conversation did not use an existing agent",
    // i.e. it ran the configuration it embeds. The reference says so without reading that
    // configuration; a conversation that breaks the document by lacking both has no agent to give.
    const conversation = map({ ...documentedConversation(), agent: null, agent_id: null });
    expect(conversation.agentRef).toEqual({ provider: 'VOICEOS', nativeId: 'conversation:conv_42', embedded: true });
    expect(conversation.embeddedAgent).toBeNull();
  });

  it('refuses a conversation without the fields it cannot do without', () => {
    const { created_at: _createdAt, ...withoutCreatedAt } = documentedConversation();
    expect(voiceOsConversationSchema.safeParse(withoutCreatedAt).success).toBe(false);
    expect(voiceOsConversationSchema.safeParse({ ...documentedConversation(), created_at: 'last tuesday' }).success).toBe(false);
  });
});

describe('mapAgent', () => {
  it('maps a saved agent with its name and creation time', () => {
    const wire = documentedConversation();
    const agent = mapAgent(
      voiceOsAgentSchema.parse({
        id: 'agent_9',
        name: 'Appointment Reminder',
        ...(wire.agent as Record<string, unknown>),
        created_at: '2026-10-01T08:00:00.000Z',
      }),
    );
    expect(agent).toMatchObject({
      provider: 'VOICEOS',
      nativeId: 'agent_9',
      name: 'Appointment Reminder',
      createdAt: new Date('2026-10-01T08:00:00.000Z'),
      llm: { model: 'gpt-4o' },
      hookEvents: ['conversation:ended', 'phone_call:rejected', 'conversation:duration'],
    });
  });
});
