/**
 * A request to create many conversations, as the GraphQL layer hands it over. Fields are typed
 * loosely on purpose (`unknown` where a JSON scalar arrives): `validateBatchInput` checks all.
 */
export interface CreateBatchInput {
  /** Same workspace + key + content returns the same batch; other content is a conflict. */
  idempotencyKey?: string | null;
  conversations: readonly ConversationRequestInput[];
}

export interface ConversationRequestInput {
  /** Global id of the agent (`Agent` type); its provider places the conversation. */
  agentId: string;
  /** PHONE_OUTBOUND, CHAT or WEB. */
  channel: string;
  /** E.164, e.g. `+14155550123`; PHONE_OUTBOUND needs this or `sipTrunkAddress`. */
  toNumber?: string | null;
  sipTrunkAddress?: string | null;
  /** A flat object of string, number or boolean values, sent to the agent's prompt. */
  dynamicVariables?: unknown;
  /** Global id of the prospect called (a `Prospect` id); kept with the item as `prospect.externalId`. */
  prospectId?: string | null;
  /** Who is called, for the operator's records; kept with the item, not sent to the provider. */
  prospect?: { name?: string | null; email?: string | null; externalId?: string | null } | null;
}

/** Most conversations one batch may hold; larger campaigns are several batches. */
export const MAX_BATCH_SIZE = 1000;
/** Most dynamic variables per conversation. */
export const MAX_DYNAMIC_VARIABLES = 50;
export const MAX_VARIABLE_KEY_LENGTH = 64;
export const MAX_VARIABLE_VALUE_LENGTH = 2000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
export const MAX_SIP_TRUNK_ADDRESS_LENGTH = 255;
export const MAX_PROSPECT_FIELD_LENGTH = 200;
