import { describe, expect, it } from 'vitest';
import { asksForLandingPage } from '../../src/explorer/introspectionOff.ts';

// Found beside the exports' Accept reading (fifteenth session): this one read Accept by substring
// too, so a JSON client that merely admitted `text/html;q=0.1` was answered the explorers-off page.
describe('which requests are a browser asking for the API page', () => {
  it('follows the Accept header the way Apollo picks its landing page, q-values included', () => {
    const cases: [string, string, string | undefined][] = [
      ['GET', '', 'text/html'],
      ['GET', '', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
      ['HEAD', '', 'text/html'],
      ['GET', '', 'application/json, text/html;q=0.1'],
      ['GET', '', 'text/html;q=0'],
      ['GET', '', '*/*'],
      ['GET', '', undefined],
      ['GET', '?query=%7B__typename%7D', 'text/html'],
      ['POST', '', 'text/html'],
    ];
    expect(cases.map(([method, search, accept]) => asksForLandingPage(method, search, accept))).toEqual([true, true, true, false, false, false, false, false, false]);
  });
});
