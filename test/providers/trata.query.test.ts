import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/domain/types.ts';
import { planTrataConversationQuery } from '../../src/providers/trata/conversationQuery.ts';
import { planOffsetWindow, readOffsetWindow } from '../../src/providers/kit/offsetWindow.ts';

describe('planTrataConversationQuery', () => {
  it('pushes down one agent, one prospect, one mappable channel and the lower time bound', () => {
    const plan = planTrataConversationQuery({
      agentNativeIds: ['aia.1.a'],
      prospectNativeIds: ['pro.1.p'],
      channels: ['WEB'],
      createdAfter: new Date('2026-11-01T00:00:00.000Z'),
      createdBefore: new Date('2026-11-02T00:00:00.000Z'),
    });
    expect(plan.query).toEqual({
      agentId: 'aia.1.a',
      prospectId: 'pro.1.p',
      sourceType: 'BROWSER',
      // Trata's bound is inclusive, the gateway's strict: one microsecond later.
      createdAfter: '2026-11-01T00:00:00.000001',
    });
    expect(plan.localFilter).toBeNull();
  });

  it('filters locally what one query parameter cannot say', () => {
    const plan = planTrataConversationQuery({
      agentNativeIds: ['aia.1.a', 'aia.2.b'],
      channels: ['WEB', 'CHAT'],
      statuses: ['IN_PROGRESS'],
    });
    expect(plan.query).toEqual({});
    const conversation = (agent: string, channel: Conversation['channel']['value'], status: Conversation['status']['value']) =>
      ({
        agentRef: { provider: 'TRATA', nativeId: agent },
        prospectRef: null,
        channel: { value: channel, raw: null },
        status: { value: status, raw: 'active' },
      }) as Conversation;
    expect(plan.localFilter?.(conversation('aia.2.b', 'CHAT', 'IN_PROGRESS'))).toBe(true);
    expect(plan.localFilter?.(conversation('aia.3.c', 'CHAT', 'IN_PROGRESS'))).toBe(false);
    expect(plan.localFilter?.(conversation('aia.1.a', 'PHONE_INBOUND', 'IN_PROGRESS'))).toBe(false);
    expect(plan.localFilter?.(conversation('aia.1.a', 'WEB', 'ENDED'))).toBe(false);
  });

  it('checks a channel no source type means exactly (PHONE) locally, and treats empty lists as no filter', () => {
    expect(planTrataConversationQuery({ channels: ['PHONE'] }).localFilter).not.toBeNull();
    expect(planTrataConversationQuery({ channels: ['PHONE'] }).query).toEqual({});
    expect(planTrataConversationQuery({ channels: [], statuses: [], agentNativeIds: [] })).toEqual({ query: {}, localFilter: null, matchesNothing: false });
  });
});

describe('planOffsetWindow', () => {
  it('reads an aligned window as one page of its own size', () => {
    expect(planOffsetWindow({ offset: 20, limit: 10 }, 100)).toEqual({ pageSize: 10, firstPageIndex: 2, pageCount: 1, skip: 0 });
  });

  it('finds one larger page that holds an unaligned window', () => {
    expect(planOffsetWindow({ offset: 5, limit: 10 }, 100)).toEqual({ pageSize: 15, firstPageIndex: 0, pageCount: 1, skip: 5 });
  });

  it('falls back to consecutive pages when no page up to the maximum holds the window', () => {
    const plan = planOffsetWindow({ offset: 150, limit: 80 }, 100);
    expect(plan).toEqual({ pageSize: 80, firstPageIndex: 1, pageCount: 2, skip: 70 });
    expect(planOffsetWindow({ offset: 0, limit: 250 }, 100)).toEqual({ pageSize: 100, firstPageIndex: 0, pageCount: 3, skip: 0 });
  });

  it('returns exactly the window from a paged source, whatever the offset', async () => {
    const source = Array.from({ length: 57 }, (_, i) => i);
    for (const [offset, limit] of [[0, 10], [5, 10], [13, 44], [50, 20], [57, 5], [0, 0], [99, 3]] as const) {
      const requests: [number, number][] = [];
      const page = await readOffsetWindow({ offset, limit }, 25, async (pageIndex, pageSize) => {
        requests.push([pageIndex, pageSize]);
        return { items: source.slice(pageIndex * pageSize, (pageIndex + 1) * pageSize), total: source.length };
      });
      expect(page).toEqual({ items: source.slice(offset, offset + limit), totalCount: 57 });
      expect(requests.every(([, size]) => size <= 25)).toBe(true);
    }
  });
});
