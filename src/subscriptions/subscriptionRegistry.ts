import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors.ts';
import type { EventBuffer } from './eventBuffer.ts';

export interface SubscriptionStats {
  open: number;
  byWorkspace: Record<string, number>;
  /** Events waiting in all buffers together, and in the fullest one. */
  buffered: number;
  largestBuffer: number;
  /** Events dropped by open subscriptions since they opened. */
  dropped: number;
}

/**
 * The open subscriptions of this replica: a cap per workspace (one workspace's clients cannot
 * take every subscription), and figures for operators and tests (buffered and dropped events).
 */
export class SubscriptionRegistry {
  readonly #maxPerWorkspace: number;
  readonly #open = new Map<EventBuffer<unknown>, string>();

  constructor(options: { maxPerWorkspace: number }) {
    this.#maxPerWorkspace = options.maxPerWorkspace;
  }

  /** Registers a subscription's buffer; throws when the workspace is at its cap. Returns the release function. */
  add(workspaceId: string, buffer: EventBuffer<unknown>): () => void {
    const count = [...this.#open.values()].filter((id) => id === workspaceId).length;
    if (count >= this.#maxPerWorkspace) {
      throw new GraphQLError(`Too many subscriptions for this workspace: at most ${this.#maxPerWorkspace} may be open at once`, {
        extensions: { code: ErrorCode.FORBIDDEN, limit: this.#maxPerWorkspace },
      });
    }
    this.#open.set(buffer, workspaceId);
    return () => this.#open.delete(buffer);
  }

  stats(): SubscriptionStats {
    const byWorkspace: Record<string, number> = {};
    let buffered = 0;
    let largestBuffer = 0;
    let dropped = 0;
    for (const [buffer, workspaceId] of this.#open) {
      byWorkspace[workspaceId] = (byWorkspace[workspaceId] ?? 0) + 1;
      buffered += buffer.size;
      largestBuffer = Math.max(largestBuffer, buffer.size);
      dropped += buffer.totalDropped;
    }
    return { open: this.#open.size, byWorkspace, buffered, largestBuffer, dropped };
  }
}
