import { describe, expect, it } from 'vitest';
import { ExportRequestError, parseExportRequest } from '../../src/analytics/exports/exportRequest.ts';

const parse = (query: string) => parseExportRequest('/exports/conversations.csv', new URLSearchParams(query), undefined);
const refusal = (query: string) => {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof ExportRequestError) return { status: error.status, parameter: error.parameter };
    throw error;
  }
  return null;
};

describe('export query parameters', () => {
  it('refuses a single-valued parameter given twice, naming it, rather than picking one', () => {
    expect(refusal('hasCost=true&hasCost=false')).toEqual({ status: 400, parameter: 'hasCost' });
    expect(refusal('hasCost=true&hasCost=true')).toEqual({ status: 400, parameter: 'hasCost' });
    expect(refusal('createdAfter=2026-01-01T00:00:00Z&createdAfter=2026-02-01T00:00:00Z')).toEqual({ status: 400, parameter: 'createdAfter' });
    expect(refusal('costMin=1&costMin=2')).toEqual({ status: 400, parameter: 'costMin' });
    expect(refusal('talkSecondsMax=1&talkSecondsMax=2')).toEqual({ status: 400, parameter: 'talkSecondsMax' });
    expect(refusal('updatedSince=1&updatedSince=2')).toEqual({ status: 400, parameter: 'updatedSince' });
    expect(refusal('format=csv&format=csv')).toEqual({ status: 400, parameter: 'format' });
  });

  it('takes a repeated list parameter as the union of its values, as one comma-separated value', () => {
    expect(parse('providers=VOICEOS&providers=TRATA').filter).toEqual({ providers: ['VOICEOS', 'TRATA'] });
    expect(parse('providers=VOICEOS,TRATA').filter).toEqual({ providers: ['VOICEOS', 'TRATA'] });
    expect(parse('statuses=ENDED&statuses=FAILED,QUEUED&hasCost=true').filter).toEqual({ statuses: ['ENDED', 'FAILED', 'QUEUED'], hasCost: true });
  });
});
