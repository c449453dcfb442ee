// The local GraphiQL: a browser entry, bundled by esbuild (buildExplorer.ts), not type-checked by tsc.
import './setupWorkers.js';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';

/** Written into the page by the gateway (explorerPage.ts): endpoint, headers, first query. */
const config = JSON.parse(document.getElementById('explorer-config').textContent);

/** A plain JSON POST: what Apollo's CSRF prevention accepts, with the headers from the editor. */
async function fetcher(request, options) {
  const response = await fetch(config.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(options?.headers ?? {}) },
    body: JSON.stringify(request),
  });
  return response.json();
}

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL
    fetcher={fetcher}
    initialQuery={config.document}
    initialHeaders={config.headers}
    defaultEditorToolsVisibility={config.headers ? 'headers' : false}
  />,
);
