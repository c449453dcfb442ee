import type { ServerResponse } from 'node:http';

/**
 * The workspace a response to a route beside GraphQL answered for, once the route has
 * authenticated it: the route's access line names it, as a GraphQL operation's names its own
 * (an operator reading a 429 on /exports needs to know whose it was). Kept beside the response,
 * not passed around, because the line is written by the route observer when the answer is done.
 */
const workspaces = new WeakMap<ServerResponse, string>();

export function answeringForWorkspace(res: ServerResponse, workspaceId: string): void {
  workspaces.set(res, workspaceId);
}

/** The workspace the route said this response is for, or null before (or without) authentication. */
export function workspaceAnswered(res: ServerResponse): string | null {
  return workspaces.get(res) ?? null;
}
