import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.ts';
import { formatInstant, parseInstant } from '../../src/domain/preciseDate.ts';
import { decodeRecord, encodeRecord } from '../../src/sync/recordCodec.ts';

describe('the synced store\'s record codec', () => {
  it('gives back a client\'s object that looks like a tag as that object, beside real instants and decimals', () => {
    // dynamicVariables {"$instant": "2026-01-01T00:00:00Z"} came back from the store as a date, and
    // {"$decimal": "0.10"} as a Decimal: subscriptions then answered strings where the JSONObject was (a data trial).
    const record = {
      createdAt: parseInstant('2024-12-06T19:23:38.618331Z', { zoneless: 'reject' })!,
      total: Decimal.parse('0.0352')!,
      dynamicVariables: { $instant: '2026-01-01T00:00:00Z' },
      postCall: { metadata: { $decimal: '0.10' } },
      nested: [{ $escaped: { $instant: 'x' } }, { $instant: 'not one key', other: 1 }],
    };
    const decoded = decodeRecord<typeof record>(encodeRecord(record));
    expect(decoded.dynamicVariables).toEqual({ $instant: '2026-01-01T00:00:00Z' });
    expect(decoded.postCall).toEqual({ metadata: { $decimal: '0.10' } });
    expect(decoded.nested).toEqual([{ $escaped: { $instant: 'x' } }, { $instant: 'not one key', other: 1 }]);
    expect(formatInstant(decoded.createdAt)).toBe('2024-12-06T19:23:38.618331Z');
    expect(decoded.total).toBeInstanceOf(Decimal);
    expect(decoded.total.toString()).toBe('0.0352');
    // The columns' SQL reads real instants and decimals at their tag, as before.
    expect(JSON.parse(encodeRecord(record))).toMatchObject({ createdAt: { $instant: '2024-12-06T19:23:38.618331Z' }, total: { $decimal: '0.0352' } });
  });
});
