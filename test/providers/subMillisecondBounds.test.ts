import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/domain/preciseDate.ts';
import type { Conversation } from '../../src/domain/types.ts';
import type { ConversationFilter } from '../../src/providers/connector.ts';
import { pushDownFilter } from '../../src/providers/oration/pushDownFilter.ts';
import { planConversationQuery } from '../../src/providers/voiceos/planConversationQuery.ts';

const at = (text: string) => parseInstant(text, { zoneless: 'reject' })!;
// The bounds read only the creation time.
const createdAt = (text: string) => ({ createdAt: at(text) }) as unknown as Conversation;

/**
 * Oration and VoiceOS filter on milliseconds, but may write finer times (their documents fix no
 * precision, and the gateway keeps every digit): a bound finer than a millisecond goes upstream
 * widened to its millisecond, and the records of that millisecond on the wrong side of it are
 * dropped by the connector.
 */
describe.each([
  ['Oration', (filter: ConversationFilter) => pushDownFilter(filter)],
  ['VoiceOS', (filter: ConversationFilter) => planConversationQuery(filter)],
] as const)('%s: creation bounds finer than a millisecond', (_provider, plan) => {
  it('are checked exactly here; whole milliseconds are left to the provider', () => {
    const bounds = { createdAfter: at('2026-11-20T11:59:30.123456Z'), createdBefore: at('2026-11-20T11:59:31.500250Z') };
    const check = plan(bounds).localFilter;
    expect(check).not.toBeNull();
    const verdicts = ['2026-11-20T11:59:30.123400Z', '2026-11-20T11:59:30.123456Z', '2026-11-20T11:59:30.123457Z', '2026-11-20T11:59:31.500249Z', '2026-11-20T11:59:31.500250Z'].map(
      (time) => check!(createdAt(time)),
    );
    expect(verdicts).toEqual([false, false, true, true, false]);
    expect(plan({ createdAfter: at('2026-11-20T11:59:30.123Z'), createdBefore: at('2026-11-20T11:59:31Z') }).localFilter).toBeNull();
  });
});
