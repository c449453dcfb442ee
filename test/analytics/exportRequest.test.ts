import { describe, expect, it } from 'vitest';
import { ExportRequestError, parseExportRequest } from '../../src/analytics/exports/exportRequest.ts';
import { CONVERSATION_CHANNELS, CONVERSATION_STATUSES, END_REASONS, PROVIDERS, SENTIMENTS } from '../../src/domain/types.ts';

const parse = (query: string) => parseExportRequest('/exports/conversations.csv', new URLSearchParams(query), undefined);
const refusalWithMessage = (query: string) => {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof ExportRequestError) return { status: error.status, parameter: error.parameter, message: error.message };
    throw error;
  }
  return null;
};
const refusal = (query: string) => {
  const refused = refusalWithMessage(query);
  return refused && { status: refused.status, parameter: refused.parameter };
};

/** The format an export answers `accept` with, or the status it refuses it with. */
function formatFor(accept: string | undefined): string | number {
  try {
    return parseExportRequest('/exports/conversations', new URLSearchParams(), accept).format;
  } catch (error) {
    if (error instanceof ExportRequestError) return error.status;
    throw error;
  }
}

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

  it('refuses a format parameter that contradicts the path or is not a format, even beside an extension', () => {
    const withPath = (path: string, query: string) => {
      try {
        return parseExportRequest(path, new URLSearchParams(query), undefined).format;
      } catch (error) {
        if (error instanceof ExportRequestError) return { status: error.status, parameter: error.parameter, message: error.message };
        throw error;
      }
    };
    expect(withPath('/exports/conversations.csv', 'format=ndjson')).toEqual({
      status: 400,
      parameter: 'format',
      message: "format: ndjson contradicts the path's .csv; give one of them",
    });
    expect(withPath('/exports/conversations.ndjson', 'format=xml')).toEqual({ status: 400, parameter: 'format', message: 'format: expected csv or ndjson' });
    expect(withPath('/exports/conversations.csv', 'format=csv')).toBe('csv');
    expect(withPath('/exports/conversations', 'format=ndjson')).toBe('ndjson');
  });

  it('picks the format an Accept header prefers by q-value, and refuses one that admits neither', () => {
    // Found trying the exports as a BI tool would: Accept was read by substring, so `text/csv;q=0`
    // answered CSV and `application/x-ndjson;q=0.5, text/csv;q=0.9` answered NDJSON.
    expect(
      [
        undefined,
        '',
        '*/*',
        'text/*',
        'text/csv',
        'application/x-ndjson',
        'application/ndjson',
        'application/jsonl',
        'application/x-ndjson;q=0.5, text/csv;q=0.9',
        'application/x-ndjson;q=0, text/csv',
        'text/csv;q=0.2, */*;q=0.1, application/x-ndjson',
        'application/x-ndjson, text/csv',
        'text/csv;q=0',
        'application/x-ndjson;q=0',
        'text/csv;q=0, application/json',
        'text/csvfoo',
        'application/json',
      ].map(formatFor),
    ).toEqual(['csv', 'csv', 'csv', 'csv', 'csv', 'ndjson', 'ndjson', 'ndjson', 'csv', 'csv', 'ndjson', 'ndjson', 406, 406, 406, 406, 406]);
  });

  it('matches an Accept media range that carries parameters against the type an export is served as', () => {
    // A BI trial: `text/csv; charset=utf-8`, the export's own Content-Type, was refused with 406, and
    // `text/csv; charset=utf-8, application/x-ndjson;q=0.1` answered NDJSON, the type ranked lower.
    expect(
      [
        'text/csv; charset=utf-8',
        'text/csv;header=present',
        'TEXT/CSV; CHARSET=UTF-8',
        'application/x-ndjson; charset=utf-8',
        'text/csv; charset=utf-8, application/x-ndjson;q=0.1',
        'application/x-ndjson;charset=utf-8, text/csv;q=0.1',
        'text/csv; charset=iso-8859-1',
      ].map(formatFor),
    ).toEqual(['csv', 'csv', 'csv', 'ndjson', 'csv', 'ndjson', 406]);
  });

  it('says what is wrong with a date-time: more than nine fraction digits, or an offset whose "+" the URL turned into a space', () => {
    // Found trying the exports as a BI tool would: both were refused as "must be an RFC 3339 date-time with a zone".
    expect(refusalWithMessage('createdAfter=2026-11-01T00:00:00.1234567890Z')).toEqual({
      status: 400,
      parameter: 'createdAfter',
      message: 'createdAfter: "2026-11-01T00:00:00.1234567890Z" has more than nine fraction digits (nanoseconds are the finest time kept)',
    });
    expect(refusalWithMessage('createdBefore=2026-11-01T00:00:00+02:00')).toEqual({
      status: 400,
      parameter: 'createdBefore',
      message:
        'createdBefore: "2026-11-01T00:00:00 02:00" must be an RFC 3339 date-time with a zone, such as "2024-12-06T19:23:38.618331Z"; a "+" in a URL\'s query reads as a space: send the offset\'s "+" as %2B',
    });
    expect(parse('createdBefore=2026-11-01T00:00:00%2B02:00').filter.createdBefore?.toISOString()).toBe('2026-10-31T22:00:00.000Z');
    expect(parse('createdAfter=2026-11-01T00:00:00.123456789Z').filter.createdAfter?.toISOString()).toBe('2026-11-01T00:00:00.123Z');
  });

  it('refuses a watermark beyond a PostgreSQL bigint as too large, not as a non-integer', () => {
    expect(parse('updatedSince=9223372036854775807').updatedSince).toEqual({ seq: 9_223_372_036_854_775_807n });
    expect(refusalWithMessage('updatedSince=9223372036854775808')).toEqual({
      status: 400,
      parameter: 'updatedSince',
      message: 'updatedSince: a watermark is at most 9223372036854775807',
    });
    expect(refusal('updatedSince=99999999999999999999999')).toEqual({ status: 400, parameter: 'updatedSince' });
  });

  it('takes a repeated list parameter as the union of its values, as one comma-separated value', () => {
    expect(parse('providers=VOICEOS&providers=TRATA').filter).toEqual({ providers: ['VOICEOS', 'TRATA'] });
    expect(parse('providers=VOICEOS,TRATA').filter).toEqual({ providers: ['VOICEOS', 'TRATA'] });
    expect(parse('statuses=ENDED&statuses=FAILED,QUEUED&hasCost=true').filter).toEqual({ statuses: ['ENDED', 'FAILED', 'QUEUED'], hasCost: true });
  });

  it('reads decimals as the GraphQL Decimal scalar does: digits with an optional leading minus and fraction, nothing else', () => {
    expect(parse('costMin=-5&costMax=0.0352').filter).toMatchObject({ costMin: expect.anything(), costMax: expect.anything() });
    expect(String(parse('costMin=-5').filter.costMin)).toBe('-5');
    for (const written of ['1e2', '1.', ' 1', '+1', '0x10']) {
      expect(refusalWithMessage(`costMin=${encodeURIComponent(written)}`)).toEqual({
        status: 400,
        parameter: 'costMin',
        message: `costMin: "${written}" is not a decimal (digits with an optional leading minus and fraction, such as 0.0352)`,
      });
    }
  });

  it('reads numbers as GraphQL writes a Float, nothing else', () => {
    // Number() took these: a hexadecimal, padding, a plus sign.
    expect(parse('durationSecondsMin=90&talkSecondsMax=12.5&durationSecondsMax=1e3&talkSecondsMin=-0').filter).toEqual({
      durationSecondsMin: 90,
      talkSecondsMax: 12.5,
      durationSecondsMax: 1000,
      talkSecondsMin: -0,
    });
    for (const written of ['0x10', ' 5', '5 ', '+5', '05', '1.', 'Infinity', '']) {
      expect(refusalWithMessage(`durationSecondsMin=${encodeURIComponent(written)}`)).toEqual({
        status: 400,
        parameter: 'durationSecondsMin',
        message: `durationSecondsMin: "${written}" is not a number (such as 90 or 12.5)`,
      });
    }
  });

  it('names even an unnamed parameter (`?=x`)', () => {
    expect(refusal('=x')).toEqual({ status: 400, parameter: '' });
  });

  it("accepts every value of the domain's enums, and names exactly those when refusing one", () => {
    const domains = { providers: PROVIDERS, statuses: CONVERSATION_STATUSES, channels: CONVERSATION_CHANNELS, endReasons: END_REASONS, sentiments: SENTIMENTS };
    for (const [parameter, values] of Object.entries(domains)) {
      expect(parse(`${parameter}=${values.join(',')}`).filter).toEqual({ [parameter]: [...values] });
      expect(refusalWithMessage(`${parameter}=NOPE`)).toEqual({ status: 400, parameter, message: `${parameter}: "NOPE" is not one of ${values.join(', ')}` });
    }
  });

  it('tells an empty value from an empty item in a list', () => {
    expect(refusalWithMessage('statuses=')?.message).toBe('statuses: empty value; give at least one value, or leave the parameter out to not filter on it');
    expect(refusalWithMessage('statuses=ENDED,')?.message).toBe('statuses: an empty item in the list (a trailing or doubled comma)');
    expect(refusalWithMessage('statuses=ENDED,,FAILED')?.message).toBe('statuses: an empty item in the list (a trailing or doubled comma)');
  });
});
