/** One item of `POST /conversations` as the document shows it, type-checked. */
export interface OrationCreateItem {
  agentId: string;
  conversationType: string;
  toPhoneNumber: string | null;
  sipTrunkAddress: string | null;
  dynamicVariables: Record<string, unknown>;
}

/** Assumed: the document sets no maximum; 100 matches the list endpoints' page size. */
export const MAX_CONVERSATIONS_PER_CREATE = 100;

export type ParsedCreateBody = { ok: true; items: OrationCreateItem[] } | { ok: false; error: string };

/**
 * Checks the shape of a create body. A wrong JSON type anywhere fails the whole request (400);
 * whether an item's values make sense (agent exists, destination given) is judged per item later.
 */
export function parseCreateBody(body: unknown): ParsedCreateBody {
  if (!isPlainObject(body) || !Array.isArray(body.conversations)) {
    return { ok: false, error: 'Body must be an object with a conversations array' };
  }
  const { conversations } = body;
  if (conversations.length === 0) return { ok: false, error: 'conversations must not be empty' };
  if (conversations.length > MAX_CONVERSATIONS_PER_CREATE) {
    return { ok: false, error: `conversations may hold at most ${MAX_CONVERSATIONS_PER_CREATE} items` };
  }
  const items: OrationCreateItem[] = [];
  for (const [index, item] of conversations.entries()) {
    const at = `conversations[${index}]`;
    if (!isPlainObject(item)) return { ok: false, error: `${at} must be an object` };
    if (typeof item.agentId !== 'string') return { ok: false, error: `${at}.agentId must be a string` };
    if (typeof item.conversationType !== 'string') return { ok: false, error: `${at}.conversationType must be a string` };
    const toPhoneNumber = optionalString(item.toPhoneNumber);
    const sipTrunkAddress = optionalString(item.sipTrunkAddress);
    if (toPhoneNumber === undefined) return { ok: false, error: `${at}.toPhoneNumber must be a string` };
    if (sipTrunkAddress === undefined) return { ok: false, error: `${at}.sipTrunkAddress must be a string` };
    const dynamicVariables = item.dynamicVariables ?? {};
    if (!isPlainObject(dynamicVariables)) return { ok: false, error: `${at}.dynamicVariables must be an object` };
    items.push({ agentId: item.agentId, conversationType: item.conversationType, toPhoneNumber, sipTrunkAddress, dynamicVariables });
  }
  return { ok: true, items };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** null when absent or empty, undefined when not a string. */
function optionalString(value: unknown): string | null | undefined {
  if (value === undefined || value === null || value === '') return null;
  return typeof value === 'string' ? value : undefined;
}
