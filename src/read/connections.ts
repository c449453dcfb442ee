import type { Agent, Conversation, Prospect } from '../domain/types.ts';
import type { BatchItemView, BatchView } from '../fanout/views.ts';

export interface PageInfoModel {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface EdgeModel<T> {
  cursor: string;
  node: T;
}

/** What a connection resolver returns; `nodes` is derived from `edges` by the field resolver. */
export interface ConnectionModel<T> {
  edges: EdgeModel<T>[];
  pageInfo: PageInfoModel;
  totalCount: number | null;
}

export type ConversationConnectionModel = ConnectionModel<Conversation>;
export type AgentConnectionModel = ConnectionModel<Agent>;
export type ProspectConnectionModel = ConnectionModel<Prospect>;
export type BatchConnectionModel = ConnectionModel<BatchView>;
export type BatchItemConnectionModel = ConnectionModel<BatchItemView>;

/**
 * An edge whose cursor is encoded only when read (and then once): a page of 100 conversations
 * encoded 100 cursors per query whether or not the query asked for `cursor`; `pageInfo` reads
 * the first and the last.
 */
export function edgeOf<T>(node: T, encodeCursor: () => string): EdgeModel<T> {
  let cursor: string | undefined;
  return {
    node,
    get cursor() {
      return (cursor ??= encodeCursor());
    },
  };
}

/**
 * A connection of `edges`. Its page's first and last cursors are read from the edges when asked
 * for: encoding them (a digest of the list's arguments, JSON, base64) cost every query of a list,
 * and most read no `pageInfo` cursor (issue 9). Own getters, so the model still spreads and
 * serializes whole.
 */
export function connectionOf<T>(edges: EdgeModel<T>[], hasNextPage: boolean, totalCount: number | null, hasPreviousPage: boolean): ConnectionModel<T> {
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
    },
  };
}
