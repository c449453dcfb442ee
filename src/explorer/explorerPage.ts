import { parse, print } from 'graphql';

/** What the page starts with: the same state the Sandbox landing page gets in demo mode. */
export interface ExplorerInitialState {
  headers?: Record<string, string>;
  document?: string;
}

export const EXPLORER_PATH = '/graphiql';

/**
 * Only this origin: the page, its scripts and workers, and the API. Inline styles are Monaco's;
 * fonts are data URLs in GraphiQL's CSS. A browser enforcing it proves nothing is fetched elsewhere.
 */
export const EXPLORER_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The GraphiQL page; `endpoint` is where queries go (the gateway's /graphql). */
export function explorerPage(endpoint: string, initialState: ExplorerInitialState = {}): string {
  const config = {
    endpoint,
    headers: initialState.headers ? JSON.stringify(initialState.headers, null, 2) : '',
    document: initialState.document ? prettified(initialState.document) : '',
  };
  // JSON in a script element ends at the first `</script`: escape `<` so no value can close it.
  const json = JSON.stringify(config).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Switchboard · GraphiQL</title>
  <!-- An empty icon: without one the browser asks /favicon.ico and logs its 404 on every visit. -->
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="${EXPLORER_PATH}/assets/app.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script type="application/json" id="explorer-config">${json}</script>
  <script src="${EXPLORER_PATH}/assets/app.js"></script>
</body>
</html>
`;
}

/** A one-line query (the README's) opens laid out, one field a line, as GraphiQL's prettify would. */
function prettified(document: string): string {
  try {
    return print(parse(document));
  } catch {
    return document;
  }
}
