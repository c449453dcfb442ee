/**
 * The provider accounts the simulators know, and the credentials the demo workspaces use for
 * them. Two accounts per provider so that tenant isolation can be shown and tested: the `demo`
 * workspace holds the first of each, `acme` the second. Document samples appear verbatim only in
 * the demo accounts.
 */
export const DEMO_ACCOUNTS = {
  oration: [
    { apiKey: 'demo-oration-key', workspaceId: 'demo-oration-workspace', seed: 101, withDocumentSamples: true },
    { apiKey: 'acme-oration-key', workspaceId: 'acme-oration-workspace', seed: 102, withDocumentSamples: false },
  ],
  trata: [
    { token: 'demo-trata-token', seed: 201, withDocumentSamples: true },
    { token: 'acme-trata-token', seed: 202, withDocumentSamples: false },
  ],
  voiceos: [
    { token: 'demo-voiceos-token', seed: 301, withDocumentSamples: true },
    { token: 'acme-voiceos-token', seed: 302, withDocumentSamples: false },
  ],
} as const;

/** Demo data is generated backwards from this instant so every run shows the same graph. */
export const DEMO_ANCHOR = new Date('2026-11-20T12:00:00.000Z');
