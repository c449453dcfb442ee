import { describe, expect, it } from 'vitest';
import { readVoiceOsHookDelivery } from '../../src/providers/voiceos/hookDelivery.ts';

const get = (query: string) => readVoiceOsHookDelivery({ method: 'GET', query, body: '' });
const post = (body: string) => readVoiceOsHookDelivery({ method: 'POST', query: '', body });

describe('readVoiceOsHookDelivery', () => {
  it('reads a GET from its query and a POST from its JSON body, in the assumed snake_case names', () => {
    expect(get('event=conversation%3Aended&conversation_id=c-1&status=ended&occurred_at=2026-11-20T12%3A00%3A05.000Z')).toEqual({
      ok: true,
      event: 'conversation:ended',
      conversationId: 'c-1',
    });
    expect(post('{"event":"conversation:started","conversation_id":"c-2","status":"started","occurred_at":"2026-11-20T12:00:05.000Z"}')).toEqual({
      ok: true,
      event: 'conversation:started',
      conversationId: 'c-2',
    });
  });

  it('accepts the other plausible names, and any status: the conversation is read, not the delivery', () => {
    expect(post('{"type":"conversation:ended","conversationId":"c-3","status":"unknown"}')).toEqual({ ok: true, event: 'conversation:ended', conversationId: 'c-3' });
    expect(post('{"event":"message:generated","conversation":{"id":"c-4"},"status":7}')).toEqual({ ok: true, event: 'message:generated', conversationId: 'c-4' });
    expect(get('type=conversation%3Aended&conversationId=c-5&conversation=c-5')).toEqual({ ok: true, event: 'conversation:ended', conversationId: 'c-5' });
    expect(get('event=speech%3Astarted')).toEqual({ ok: true, event: 'speech:started', conversationId: null });
    // A parameter given twice counts once, its first value.
    expect(get('event=conversation%3Aended&conversation_id=c-6&conversation_id=c-7')).toEqual({ ok: true, event: 'conversation:ended', conversationId: 'c-6' });
  });

  it("prefers VoiceOS's own names (`event`, `conversation_id`) to the others; other fields are ignored", () => {
    expect(post('{"type":"t","event":"e","conversationId":"c-2","conversation_id":"c-1","conversation":{"id":"c-3"},"extra":[1]}')).toEqual({
      ok: true,
      event: 'e',
      conversationId: 'c-1',
    });
    expect(post('{"event":"e","conversation":{"id":"c-3"},"conversationId":"c-2"}')).toEqual({ ok: true, event: 'e', conversationId: 'c-2' });
    expect(get('type=t&event=e&conversationId=c-2&conversation_id=c-1&extra=1')).toEqual({ ok: true, event: 'e', conversationId: 'c-1' });
  });

  it('refuses a delivery without an event, or with a field of the wrong type, naming the field and where it was looked for', () => {
    expect(get('conversation_id=c-1')).toEqual({ ok: false, reason: 'query names no event: expected "event"' });
    expect(get('event=&conversation_id=c-1')).toEqual({ ok: false, reason: '"event" must be a non-empty string' });
    expect(post('{"conversation_id":"c-1"}')).toEqual({ ok: false, reason: 'body names no event: expected "event"' });
    expect(post('{"event":"conversation:ended","conversation_id":12,"conversation":"c-1"}')).toEqual({
      ok: false,
      reason: '"conversation_id" must be a non-empty string; "conversation" must be an object',
    });
    expect(post('[]')).toEqual({ ok: false, reason: 'body is not a JSON object' });
    expect(post('')).toEqual({ ok: false, reason: 'body is not JSON' });
  });
});
