import { describe, expect, it } from 'vitest';
import { timestampBound } from '../../src/analytics/analyticsFilter.ts';
import { millisecondUpperBound, parseInstant } from '../../src/domain/preciseDate.ts';

const at = (text: string) => {
  const instant = parseInstant(text, { zoneless: 'reject' });
  if (!instant) throw new Error(text);
  return instant;
};

describe('filter bounds at the precision the comparison holds', () => {
  it('keeps a microsecond bound as it is, and moves a nanosecond one to the microsecond that keeps > and < exact', () => {
    expect(timestampBound(at('2026-11-19T22:07:59.304311Z'), 'floor')).toBe('2026-11-19T22:07:59.304311Z');
    expect(timestampBound(at('2026-11-19T22:07:59.304311Z'), 'ceil')).toBe('2026-11-19T22:07:59.304311Z');
    expect(timestampBound(at('2026-11-19T22:07:59.3043115Z'), 'floor')).toBe('2026-11-19T22:07:59.304311Z');
    expect(timestampBound(at('2026-11-19T22:07:59.3043115Z'), 'ceil')).toBe('2026-11-19T22:07:59.304312Z');
    expect(timestampBound(new Date('2026-11-19T22:07:59.304Z'), 'ceil')).toBe('2026-11-19T22:07:59.304000Z');
  });

  it('rounds an upper bound up to the millisecond for millisecond providers, only when it has a part below one', () => {
    expect(millisecondUpperBound(at('2026-11-19T22:07:59.304500Z'))?.toISOString()).toBe('2026-11-19T22:07:59.305Z');
    expect(millisecondUpperBound(at('2026-11-19T22:07:59.304000Z'))?.toISOString()).toBe('2026-11-19T22:07:59.304Z');
    expect(millisecondUpperBound(at('2026-11-19T22:07:59.999001Z'))?.toISOString()).toBe('2026-11-19T22:08:00.000Z');
  });

  it('has no upper bound where rounding up passes year 9999: every record a provider holds is before it', () => {
    expect(millisecondUpperBound(at('9999-12-31T23:59:59.999Z'))?.toISOString()).toBe('9999-12-31T23:59:59.999Z');
    expect(millisecondUpperBound(at('9999-12-31T23:59:59.999000001Z'))).toBeNull();
  });
});
