import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/testGateway.ts';

/**
 * The GraphQL-over-HTTP audits of the `graphql-http` package, run against the real gateway. The
 * audits send no credentials, so the injected fetch adds the demo key (fetch injected, not patched).
 *
 * Every MUST passes. The SHOULDs that do not are listed here and in the README, with the reason:
 * Apollo Server answers 400, whatever the `Accept` header, when a document does not parse or
 * validate or its variables do not coerce; the spec recommends 200 for legacy
 * `application/json` clients (and 400 for `application/graphql-response+json`, which we do).
 */
const KNOWN_SHOULD_FAILURES = [
  'SHOULD use 200 status code on document parsing failure when accepting application/json',
  'SHOULD use 200 status code on document validation failure when accepting application/json',
  'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
];

describe('GraphQL over HTTP compliance (graphql-http server audits)', () => {
  let gw: TestGateway;
  let results: AuditResult[];

  beforeAll(async () => {
    gw = await startTestGateway();
    const fetchWithKey = (input: string | URL | Request, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', 'Bearer demo-key');
      return fetch(input, { ...init, headers });
    };
    results = [];
    for (const audit of serverAudits({ url: gw.url, fetchFn: fetchWithKey })) results.push(await audit.fn());
  });
  afterAll(async () => {
    await gw.close();
  });

  it('passes every MUST', () => {
    const musts = results.filter((result) => result.name.startsWith('MUST'));
    expect(musts.length).toBeGreaterThanOrEqual(13);
    expect(musts.filter((result) => result.status !== 'ok').map((result) => result.name)).toEqual([]);
  });

  it('fails only the SHOULDs the README lists', () => {
    const shouldFailures = results.filter((result) => result.name.startsWith('SHOULD') && result.status !== 'ok');
    expect(shouldFailures.map((result) => result.name)).toEqual(KNOWN_SHOULD_FAILURES);
  });
});
