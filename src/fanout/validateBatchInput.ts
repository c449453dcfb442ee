import { fromGlobalIdOfType } from '../domain/globalId.ts';
import { isE164 } from '../domain/phone.ts';
import type { Provider } from '../domain/types.ts';
import { REQUEST_ID_VARIABLE } from '../providers/connector.ts';
import type { DynamicVariables, ItemChannel, ItemProspect } from '../store/records.ts';
import {
  MAX_BATCH_SIZE,
  MAX_DYNAMIC_VARIABLES,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_PROSPECT_FIELD_LENGTH,
  MAX_SIP_TRUNK_ADDRESS_LENGTH,
  MAX_VARIABLE_KEY_LENGTH,
  MAX_VARIABLE_VALUE_LENGTH,
  type CreateBatchInput,
} from './batchInput.ts';
import type { BatchProblem } from './batchProblem.ts';

const CHANNELS: readonly ItemChannel[] = ['PHONE_OUTBOUND', 'CHAT', 'WEB'];
const NOT_TEXT = 'must be well-formed Unicode text (a lone UTF-16 surrogate is not)';

/** Whether the workspace can create conversations on a provider, and on which channels. */
export type CreationSupport =
  | { kind: 'SUPPORTED'; channels: readonly ItemChannel[] }
  | { kind: 'UNSUPPORTED' }
  | { kind: 'NOT_CONFIGURED' };

/** One conversation of a valid request, normalized. */
export interface ValidatedItem {
  index: number;
  provider: Provider;
  agentNativeId: string;
  channel: ItemChannel;
  toNumber: string | null;
  sipTrunkAddress: string | null;
  dynamicVariables: DynamicVariables;
  prospect: ItemProspect | null;
}

/** An item's agent, decoded; listed even for items with other problems, so all get checked. */
export interface AgentRef {
  index: number;
  provider: Provider;
  agentNativeId: string;
}

export interface BatchValidation {
  idempotencyKey: string | null;
  /** Every decodable agent of a provider that can create conversations, one per item. */
  agents: AgentRef[];
  /** The items that passed every check here (all of them when `problems` is empty). */
  items: ValidatedItem[];
  problems: BatchProblem[];
}

/**
 * Checks a batch request without any I/O: size, agent ids and their providers, channels,
 * destinations and dynamic variables. Reports every problem with the field that has it. Whether
 * the agents exist is `checkAgentsExist`'s job, with one provider call per provider.
 */
export function validateBatchInput(
  input: CreateBatchInput,
  creationSupport: (provider: Provider) => CreationSupport,
): BatchValidation {
  const problems: BatchProblem[] = [];
  const whole = (field: string, message: string) => problems.push({ index: null, field, message, code: 'INVALID' });

  const idempotencyKey = normalizeIdempotencyKey(input.idempotencyKey, whole);
  const conversations: unknown = input.conversations;
  if (!Array.isArray(conversations)) {
    whole('conversations', 'must be a list of conversations');
    return { idempotencyKey, agents: [], items: [], problems };
  }
  if (conversations.length === 0) whole('conversations', 'must hold at least one conversation');
  if (conversations.length > MAX_BATCH_SIZE) {
    // Refused before looking at items: thousands of item problems would help nobody.
    whole('conversations', `holds ${conversations.length} conversations; at most ${MAX_BATCH_SIZE} per batch`);
    return { idempotencyKey, agents: [], items: [], problems };
  }

  const items: ValidatedItem[] = [];
  const agents: AgentRef[] = [];
  conversations.forEach((raw: unknown, index) => {
    const item = validateItem(raw, index, creationSupport, problems, agents);
    if (item) items.push(item);
  });
  problems.push(...repeatedDestinations(items));
  return { idempotencyKey, agents, items, problems };
}

/**
 * A batch dials each destination once: a number (or SIP address) that an earlier item of the same
 * batch calls is refused, naming that item. Two items calling one person are a mistake far more
 * often than a wish (a list merged twice, a number written with a trailing newline), and a person
 * called twice is the harm the fan-out exists to prevent; calling again is another batch.
 */
function repeatedDestinations(items: readonly ValidatedItem[]): BatchProblem[] {
  const firstCaller = new Map<string, number>();
  const problems: BatchProblem[] = [];
  for (const item of items) {
    if (item.channel !== 'PHONE_OUTBOUND') continue;
    // toNumber is E.164 already (one spelling per number); a SIP address is compared as written.
    const [field, destination] = item.toNumber !== null ? (['toNumber', `tel:${item.toNumber}`] as const) : (['sipTrunkAddress', `sip:${item.sipTrunkAddress}`] as const);
    const earlier = firstCaller.get(destination);
    if (earlier === undefined) firstCaller.set(destination, item.index);
    else {
      problems.push({
        index: item.index,
        field: `conversations[${item.index}].${field}`,
        message: `calls the same ${field === 'toNumber' ? 'number' : 'address'} as conversations[${earlier}]: a batch dials each destination once`,
        code: 'INVALID',
      });
    }
  }
  return problems;
}

function normalizeIdempotencyKey(value: unknown, whole: (field: string, message: string) => void): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') {
    whole('idempotencyKey', 'must be a non-empty string when given');
    return null;
  }
  if (value.length > MAX_IDEMPOTENCY_KEY_LENGTH) whole('idempotencyKey', `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  if (hasControlCharacters(value)) whole('idempotencyKey', 'must not contain control characters');
  // Stored as UTF-8, a lone surrogate becomes U+FFFD: two different keys would name one batch.
  if (!isWellFormedText(value)) whole('idempotencyKey', NOT_TEXT);
  return value;
}

function validateItem(
  raw: unknown,
  index: number,
  creationSupport: (provider: Provider) => CreationSupport,
  problems: BatchProblem[],
  agents: AgentRef[],
): ValidatedItem | null {
  const at = `conversations[${index}]`;
  const before = problems.length;
  const problem = (field: string, message: string, code: BatchProblem['code'] = 'INVALID') =>
    problems.push({ index, field: field === '' ? at : `${at}.${field}`, message, code });

  if (!isPlainObject(raw)) {
    problem('', 'must be an object');
    return null;
  }

  let provider: Provider | null = null;
  let agentNativeId = '';
  let providerChannels: readonly ItemChannel[] = CHANNELS;
  const agent = typeof raw.agentId === 'string' ? fromGlobalIdOfType(raw.agentId, 'Agent') : null;
  if (!agent) {
    problem('agentId', 'must be the id of an Agent');
  } else {
    const support = creationSupport(agent.provider);
    if (support.kind === 'UNSUPPORTED') {
      problem('agentId', `${agent.provider} agents cannot place conversations through its API`, 'UNSUPPORTED_BY_PROVIDER');
    } else if (support.kind === 'NOT_CONFIGURED') {
      problem('agentId', `this workspace has no ${agent.provider} account`, 'UNSUPPORTED_BY_PROVIDER');
    } else {
      provider = agent.provider;
      agentNativeId = agent.nativeId;
      providerChannels = support.channels;
      agents.push({ index, provider, agentNativeId });
    }
  }

  const channel = CHANNELS.find((candidate) => candidate === raw.channel) ?? null;
  if (channel === null) problem('channel', `must be one of ${CHANNELS.join(', ')}`);
  else if (provider !== null && !providerChannels.includes(channel)) {
    // Never created on another channel than asked: a chat is not a web call.
    problem('channel', `${provider} cannot create ${channel} conversations (it can: ${providerChannels.join(', ')})`, 'UNSUPPORTED_BY_PROVIDER');
  }

  const toNumber = optionalString(raw.toNumber);
  const sipTrunkAddress = optionalString(raw.sipTrunkAddress);
  if (toNumber === undefined) problem('toNumber', 'must be a string');
  else if (toNumber !== null && !isE164(toNumber)) problem('toNumber', 'must be an E.164 number such as +14155550123');
  if (sipTrunkAddress === undefined) problem('sipTrunkAddress', 'must be a string');
  else if (sipTrunkAddress !== null && !isWellFormedText(sipTrunkAddress)) problem('sipTrunkAddress', NOT_TEXT);
  else if (sipTrunkAddress !== null && hasControlCharacters(sipTrunkAddress)) problem('sipTrunkAddress', 'must not contain control characters');
  else if (sipTrunkAddress !== null && (sipTrunkAddress.length > MAX_SIP_TRUNK_ADDRESS_LENGTH || /\s/.test(sipTrunkAddress))) {
    problem('sipTrunkAddress', `must be an address without spaces, at most ${MAX_SIP_TRUNK_ADDRESS_LENGTH} characters`);
  }
  if (channel === 'PHONE_OUTBOUND' && toNumber === null && sipTrunkAddress === null) {
    problem('toNumber', 'PHONE_OUTBOUND needs toNumber (E.164) or sipTrunkAddress');
  }

  const dynamicVariables = validateDynamicVariables(raw.dynamicVariables, (field, message) =>
    problem(field === '' ? 'dynamicVariables' : `dynamicVariables.${field}`, message),
  );
  const prospect = validateProspect(raw.prospect, (field, message) => problem(`prospect${field}`, message));
  // The GraphQL API names the prospect by its global id; it is kept with the item for the operator's records.
  const prospectId = optionalString(raw.prospectId);
  if (prospectId === undefined || (prospectId !== null && !fromGlobalIdOfType(prospectId, 'Prospect'))) {
    problem('prospectId', 'must be the id of a Prospect');
  }

  if (problems.length > before || provider === null || channel === null) return null;
  return {
    index,
    provider,
    agentNativeId,
    channel,
    toNumber: toNumber ?? null,
    sipTrunkAddress: sipTrunkAddress ?? null,
    dynamicVariables,
    prospect: prospect ?? (prospectId ? { name: null, email: null, externalId: prospectId } : null),
  };
}

const UNSAFE_INTEGER =
  `is too large to be exact as a JSON number (past ±${Number.MAX_SAFE_INTEGER}, 2^53 - 1, its digits are already lost): send it as a string`;

/** A flat object of string, finite number or boolean values with bounded keys and values. */
function validateDynamicVariables(value: unknown, problem: (field: string, message: string) => void): DynamicVariables {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) {
    problem('', 'must be an object of string, number or boolean values');
    return {};
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_DYNAMIC_VARIABLES) problem('', `must hold at most ${MAX_DYNAMIC_VARIABLES} variables`);
  const result: DynamicVariables = {};
  for (const [key, inner] of entries) {
    // Only a name that is safe to echo back becomes part of the field path.
    const field = key.length <= MAX_VARIABLE_KEY_LENGTH && !hasControlCharacters(key) && isWellFormedText(key) ? key : '';
    if (key === '' || key.trim() === '') {
      problem('', 'variable names must not be empty');
      continue;
    }
    if (key.length > MAX_VARIABLE_KEY_LENGTH) {
      problem('', `variable names must be at most ${MAX_VARIABLE_KEY_LENGTH} characters`);
      continue;
    }
    if (hasControlCharacters(key)) {
      problem('', 'variable names must not contain control characters');
      continue;
    }
    if (!isWellFormedText(key)) {
      problem('', `variable names ${NOT_TEXT}`);
      continue;
    }
    if (key === '__proto__') {
      // Assigning it would change the object's prototype instead of adding a variable.
      problem('', 'variable names must not be "__proto__"');
      continue;
    }
    if (key === REQUEST_ID_VARIABLE) {
      problem(field, `${REQUEST_ID_VARIABLE} is reserved: the gateway tags every conversation with it`);
      continue;
    }
    if (typeof inner === 'string') {
      if (inner.length > MAX_VARIABLE_VALUE_LENGTH) problem(field, `must be at most ${MAX_VARIABLE_VALUE_LENGTH} characters`);
      // Newlines and tabs are fine in a value; NUL is not text and PostgreSQL refuses to store it.
      else if (inner.includes('\u0000')) problem(field, 'must not contain the NUL character');
      // The store's jsonb refuses a lone surrogate, and UTF-8 anywhere else turns it into U+FFFD.
      else if (!isWellFormedText(inner)) problem(field, NOT_TEXT);
      else result[key] = inner;
    } else if (typeof inner === 'number') {
      if (!Number.isFinite(inner)) problem(field, 'must be a finite number');
      // JSON numbers arrive as doubles: past 2^53 a whole number has already lost digits (an account
      // number 12345678901234567890 reads 12345678901234567000), and the call would carry the wrong one.
      else if (Number.isInteger(inner) && !Number.isSafeInteger(inner)) problem(field, UNSAFE_INTEGER);
      else result[key] = inner;
    } else if (typeof inner === 'boolean') {
      result[key] = inner;
    } else {
      problem(field, 'must be a string, number or boolean (no objects, lists or null)');
    }
  }
  return result;
}

function validateProspect(value: unknown, problem: (field: string, message: string) => void): ItemProspect | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) {
    problem('', 'must be an object with name, email or externalId');
    return null;
  }
  const read = (name: 'name' | 'email' | 'externalId'): string | null => {
    const field = value[name];
    if (field === undefined || field === null) return null;
    if (typeof field !== 'string' || field.length > MAX_PROSPECT_FIELD_LENGTH || hasControlCharacters(field)) {
      problem(`.${name}`, `must be text of at most ${MAX_PROSPECT_FIELD_LENGTH} characters`);
      return null;
    }
    if (!isWellFormedText(field)) {
      problem(`.${name}`, NOT_TEXT);
      return null;
    }
    return field;
  };
  const prospect = { name: read('name'), email: read('email'), externalId: read('externalId') };
  for (const key of Object.keys(value)) {
    if (!['name', 'email', 'externalId'].includes(key)) problem(`.${key}`, 'is not a prospect field');
  }
  return prospect;
}

/** null when absent or empty, undefined when present but not a string. */
function optionalString(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return undefined;
  return value.trim() === '' ? null : value.trim();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * False when the string holds a lone UTF-16 surrogate: not text, and every UTF-8 encoder (the
 * store's, a hash's, an HTTP body's) silently replaces it with U+FFFD.
 */
function isWellFormedText(value: string): boolean {
  return !/\p{Surrogate}/u.test(value);
}

function hasControlCharacters(value: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(value);
}
