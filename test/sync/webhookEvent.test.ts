import { describe, expect, it } from 'vitest';
import { parseWebhookEvent } from '../../src/sync/webhookEvent.ts';

describe('parseWebhookEvent', () => {
  it('reads the event and the conversation from any of the assumed places', () => {
    expect(parseWebhookEvent('{"type":"conversation:ended","conversationId":"c-1"}')).toEqual({
      ok: true,
      event: { type: 'conversation:ended', conversationNativeId: 'c-1' },
    });
    expect(parseWebhookEvent('{"event":"ended","data":{"conversationId":"c-2"}}')).toEqual({
      ok: true,
      event: { type: 'ended', conversationNativeId: 'c-2' },
    });
  });

  it('prefers `type` to `event`, and `conversationId` to the nested ids; other fields are ignored', () => {
    expect(parseWebhookEvent('{"type":"t","event":"e","conversationId":"c-1","conversation":{"id":"c-2"},"data":{"conversationId":"c-3"},"extra":[1]}')).toEqual({
      ok: true,
      event: { type: 't', conversationNativeId: 'c-1' },
    });
    expect(parseWebhookEvent('{"type":"t","conversation":{"id":"c-2"},"data":{"conversationId":"c-3"}}')).toEqual({
      ok: true,
      event: { type: 't', conversationNativeId: 'c-2' },
    });
    expect(parseWebhookEvent('{"conversationId":"c-1"}')).toEqual({ ok: false, reason: 'body names no event: expected "type"' });
  });

  it('names the field that has the wrong type, not "not a JSON object"', () => {
    expect(parseWebhookEvent('{"type":"conversation:ended","conversationId":12345}')).toEqual({
      ok: false,
      reason: '"conversationId" must be a non-empty string',
    });
    expect(parseWebhookEvent('{"type":7,"conversation":"c-1","data":{"conversationId":""}}')).toEqual({
      ok: false,
      reason: '"type" must be a non-empty string; "conversation" must be an object; "data.conversationId" must be a non-empty string',
    });
  });

  it('says the body is not a JSON object only when it is not one', () => {
    for (const body of ['[]', 'null', '42', '"text"']) expect(parseWebhookEvent(body)).toEqual({ ok: false, reason: 'body is not a JSON object' });
    expect(parseWebhookEvent('{')).toEqual({ ok: false, reason: 'body is not JSON' });
  });
});
