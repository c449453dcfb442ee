import type { Conversation } from '../../domain/types.ts';
import {
  REQUEST_ID_VARIABLE,
  type BudgetDescriptor,
  type CreatableChannel,
  type ConversationCreateOutcome,
  type ConversationCreateRequest,
  type ConversationCreateResult,
  type ConversationCreator,
  type ConversationStatusRead,
  type CreateOptions,
} from '../connector.ts';
import { ORATION_MAX_PAGE_SIZE, type OrationApi } from './orationApi.ts';
import type { OrationCreateItemWire } from './wire.ts';

/**
 * The document sets no maximum; 50 keeps one request well inside any plausible body limit while
 * still covering two full budgets of the documented 20.
 */
export const ORATION_MAX_CONVERSATIONS_PER_CREATE = 50;

/**
 * What the fan-out needs from Oration: creates of up to 50 conversations that are all-or-nothing
 * on a 429 (the documented budget refuses the request, not single items), the account's budget,
 * reconciliation by the echoed request tag, and status reads whose `X-RateLimit-*` headers (on
 * every Oration answer) refresh the provider's count of free slots.
 */
export class OrationCreator implements ConversationCreator {
  readonly maxConversationsPerCreate = ORATION_MAX_CONVERSATIONS_PER_CREATE;
  readonly allOrNothing = true;
  /** The document's `conversationType` is `chat` or `telephony`: Oration has no web calls. */
  readonly channels: readonly CreatableChannel[] = ['PHONE_OUTBOUND', 'CHAT'];
  readonly budget: BudgetDescriptor;
  readonly #api: OrationApi;

  constructor(api: OrationApi, budget: BudgetDescriptor) {
    this.#api = api;
    this.budget = budget;
  }

  /**
   * Sends the whole slice in one request, each item tagged with its request id in
   * `dynamicVariables`, and matches the created conversations back by that echoed tag, so a
   * response with fewer (or reordered) results still attributes each one correctly.
   */
  async createConversations(requests: readonly ConversationCreateRequest[], options: CreateOptions = {}): Promise<ConversationCreateResult> {
    if (requests.length === 0) return { outcomes: [], rateLimit: null };
    if (requests.length > this.maxConversationsPerCreate) {
      // Splitting here could lose what the first request created if a later one failed.
      throw new RangeError(`Oration takes at most ${this.maxConversationsPerCreate} conversations per create; got ${requests.length}`);
    }
    const response = await this.#api.create(requests.map(toCreateItem), options.notSentAfter);
    const created = new Map<string, Conversation>();
    for (const conversation of response.created) {
      const requestId = requestIdOf(conversation);
      if (requestId !== null && !created.has(requestId)) created.set(requestId, conversation);
    }
    const errors = response.errors.map((item) => item.error ?? 'no reason given');
    const refused = requests.filter((request) => !created.has(request.requestId));
    // Errors carry no index; assumed in request order, they pair up only when the counts agree.
    const pairErrors = errors.length === refused.length;
    const outcomes = requests.map((request): ConversationCreateOutcome => {
      const conversation = created.get(request.requestId);
      if (conversation) return { requestId: request.requestId, ok: true, conversation };
      const error = pairErrors ? errors[refused.indexOf(request)] : undefined;
      return { requestId: request.requestId, ok: false, reason: refusalReason(error, errors) };
    });
    return { outcomes, rateLimit: response.rateLimit };
  }

  async findConversationsByRequestIds(requestIds: readonly string[], createdAfter: Date): Promise<Map<string, Conversation>> {
    const wanted = new Set(requestIds);
    const found = new Map<string, Conversation>();
    for (let page = 1; found.size < wanted.size; page++) {
      const { items, total } = await this.#api.conversationListPage({
        createdAfter: createdAfter.toISOString(),
        page,
        limit: ORATION_MAX_PAGE_SIZE,
      });
      for (const conversation of items) {
        const requestId = requestIdOf(conversation);
        if (requestId !== null && wanted.has(requestId) && !found.has(requestId)) found.set(requestId, conversation);
      }
      const exhausted = items.length < ORATION_MAX_PAGE_SIZE || (total !== null && page * ORATION_MAX_PAGE_SIZE >= total);
      if (exhausted) break;
    }
    return found;
  }

  async readStatuses(nativeIds: readonly string[]): Promise<ConversationStatusRead> {
    const { values, rateLimit } = await this.#api.getConversations(nativeIds);
    return { conversations: values, rateLimit };
  }
}

function toCreateItem(request: ConversationCreateRequest): OrationCreateItemWire {
  return {
    agentId: request.agentNativeId,
    conversationType: orationConversationType(request.channel),
    ...(request.toNumber === null ? {} : { toPhoneNumber: request.toNumber }),
    ...(request.sipTrunkAddress === null ? {} : { sipTrunkAddress: request.sipTrunkAddress }),
    dynamicVariables: { ...request.dynamicVariables, [REQUEST_ID_VARIABLE]: request.requestId },
  };
}

function orationConversationType(channel: CreatableChannel): OrationCreateItemWire['conversationType'] {
  switch (channel) {
    case 'PHONE_OUTBOUND':
      return 'telephony';
    case 'CHAT':
      return 'chat';
    case 'WEB':
      // Validation refuses it (`channels`); sending it as a chat would create what was not asked for.
      throw new RangeError('Oration cannot create WEB conversations');
  }
}

/** The tag `toCreateItem` sent; the mapper moves it out of `dynamicVariables` into `gatewayRequestId`. */
function requestIdOf(conversation: Conversation): string | null {
  return conversation.gatewayRequestId;
}

function refusalReason(error: string | undefined, allErrors: string[]): string {
  if (error !== undefined) return `Oration refused the conversation: ${error}`;
  if (allErrors.length === 0) return 'Oration created no conversation for this request and gave no reason';
  return `Oration created no conversation for this request; its errors: ${allErrors.join('; ')}`;
}
