// Monaco (GraphiQL 5's editor) runs its language services in web workers. They are bundled beside
// this script (see buildExplorer.ts) and served by the gateway, never from a CDN.
// Imported before graphiql so the environment exists when the first editor starts.
const assets = new URL('.', document.currentScript.src);
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const name = label === 'json' ? 'json.worker.js' : label === 'graphql' ? 'graphql.worker.js' : 'editor.worker.js';
    return new Worker(new URL(name, assets));
  },
};
