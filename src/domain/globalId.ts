import { PROVIDERS, type Provider } from './types.ts';

export const NODE_TYPES = ['Conversation', 'Agent', 'Prospect', 'ConversationBatch'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export interface GlobalIdParts {
  provider: Provider | null;
  type: NodeType;
  nativeId: string;
}

const VERSION = 'sb1';

/** A batch's own id as the gateway makes it (`randomUUID`): lower-case, hyphenated. */
const BATCH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Opaque global ids: base64url of `sb1:<provider>:<type>:<nativeId>`. Clients must not parse them;
 * the version prefix lets the format change without breaking ids already stored by clients.
 * Entities the gateway owns itself (batches) carry `-` as their provider.
 */
export function toGlobalId(parts: GlobalIdParts): string {
  return Buffer.from(`${VERSION}:${parts.provider ?? '-'}:${parts.type}:${parts.nativeId}`, 'utf8').toString('base64url');
}

/**
 * Returns null for anything that is not an id this gateway issued: only the exact text
 * `toGlobalId` writes is one (base64url with other trailing bits, or bytes that are not UTF-8,
 * decode to an id of another text), and no native id holds NUL, which no store can keep (an
 * id forged with one reached PostgreSQL, which refused it as an internal error).
 */
export function fromGlobalId(id: string): GlobalIdParts | null {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const match = /^sb1:([A-Z]+|-):([A-Za-z]+):(.+)$/s.exec(decoded);
  if (!match) return null;
  const [, provider, type, nativeId] = match;
  if (provider === undefined || type === undefined || nativeId === undefined) return null;
  if (!(NODE_TYPES as readonly string[]).includes(type)) return null;
  if (provider !== '-' && !(PROVIDERS as readonly string[]).includes(provider)) return null;
  if (nativeId.includes('\u0000') || Buffer.from(decoded, 'utf8').toString('base64url') !== id) return null;
  // The gateway's own entities (batches, lower-case uuids) have no provider, and a provider's have
  // one: another spelling resolved to the same batch, so one batch had many ids (an attacker's trial).
  if (type === 'ConversationBatch' ? provider !== '-' || !BATCH_ID.test(nativeId) : provider === '-') return null;
  return { provider: provider === '-' ? null : (provider as Provider), type: type as NodeType, nativeId };
}

/** Decodes an id that must be of `type`; null when it is not. */
export function fromGlobalIdOfType(id: string, type: NodeType): (GlobalIdParts & { provider: Provider }) | null {
  const parts = fromGlobalId(id);
  if (!parts || parts.type !== type || parts.provider === null) return null;
  return parts as GlobalIdParts & { provider: Provider };
}
