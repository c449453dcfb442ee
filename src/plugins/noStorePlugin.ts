import type { ApolloServerPlugin } from '@apollo/server';

/**
 * `Cache-Control: no-store` on every answer: each one is for one API key's workspace, and no
 * shared cache may keep it. Apollo's cache-control plugin used to send this header, at the price
 * of wrapping every resolver to collect `@cacheControl` hints the schema never gives; it is off
 * (server.ts), and this request-level hook keeps the header.
 */
export const noStorePlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};
