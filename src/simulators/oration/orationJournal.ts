import { appendFileSync, readFileSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DataDirLockedError, DataDirUnwritableError } from '../../store/dataDirErrors.ts';
import { acquireDataDirLock, type DataDirLock } from '../../store/dataDirLock.ts';
import { createDirectoryChain } from '../../store/directoryChain.ts';
import type { LiveConversationSnapshot } from './liveConversation.ts';

/** The file name the Oration simulator's journal has inside its state directory. */
export const ORATION_JOURNAL_FILE = 'oration.jsonl';

/**
 * One create request that made conversations: the account, the conversations with their whole
 * planned future, and the simulator's random state after drawing them (so a restart draws on
 * from there and never hands out an id twice).
 */
export interface OrationJournalEntry {
  workspaceId: string;
  randomState: number;
  conversations: LiveConversationSnapshot[];
}

/** Thrown when a journal line that was written whole does not read back: the state is not trusted. */
export class OrationJournalError extends Error {
  override readonly name = 'OrationJournalError';
}

const finite = z.number().finite();
const snapshotSchema = z.object({
  input: z.object({
    id: z.string().min(1),
    workspaceId: z.string().min(1),
    agentId: z.string().min(1),
    agentMaxDurationSeconds: finite,
    conversationType: z.enum(['chat', 'telephony']),
    toPhoneNumber: z.string().nullable(),
    phone: z.object({ id: z.string(), number: z.string() }),
    dynamicVariables: z.record(z.string(), z.unknown()),
    createdAtMs: finite,
  }),
  timeline: z.object({
    dialStartMs: finite,
    joinMs: finite.nullable(),
    endMs: finite,
    outcome: z.enum(['answered', 'unanswered', 'failed']),
    endReason: z.string(),
  }),
  postCall: z
    .object({
      postCallNotes: z.string(),
      postCallCategory1: z.string(),
      postCallCategory2: z.string(),
      postCallCategory3: z.string().nullable(),
      postCallMetadata: z.record(z.string(), z.unknown()),
      summary: z.string(),
    })
    .nullable(),
});
const entrySchema = z.object({
  v: z.literal(1),
  workspaceId: z.string().min(1),
  randomState: z.number().int().min(0).max(0xffff_ffff),
  conversations: z.array(snapshotSchema),
});

/**
 * The Oration simulator's durable memory: an append-only JSON Lines file, one line per create
 * request, appended (one `write`, `O_APPEND`) before the request is answered. A process killed at
 * any point leaves every answered create on disk; the only possible damage is a last line cut
 * short by a kill during its own write, whose request was never answered, so it is dropped (and
 * cut off the file, so the next line starts clean). Any other line that does not read back stops
 * the start with the file and line named, rather than quietly forgetting calls.
 */
export class OrationJournal {
  readonly path: string;
  readonly entries: readonly OrationJournalEntry[];
  readonly #lock: DataDirLock;

  private constructor(path: string, entries: OrationJournalEntry[], lock: DataDirLock) {
    this.path = path;
    this.entries = entries;
    this.#lock = lock;
  }

  /**
   * Takes the journal's directory for this process (the store's directory lock: a second
   * simulator appending, or cutting a "torn" line that is only being written, would lose calls)
   * and reads the journal at `path` (none yet: empty), repairing a torn last line.
   */
  static open(path: string): OrationJournal {
    const dir = dirname(path);
    // Not a recursive mkdir: under a file system that refuses to create (/proc) it loops forever.
    createDirectoryChain(dir, (message) => new OrationJournalError(`The simulator state directory ${dir} cannot be made: ${message}`));
    let lock: DataDirLock;
    try {
      lock = acquireDataDirLock(dir);
    } catch (error) {
      if (error instanceof DataDirUnwritableError) throw new OrationJournalError(`The simulator state directory ${dir} ${error.why}`, { cause: error });
      if (!(error instanceof DataDirLockedError)) throw error;
      throw new OrationJournalError(`The simulator state directory ${dir} is in use by ${error.holder}; a simulator keeps its state in a directory of its own`, {
        cause: error,
      });
    }
    try {
      return new OrationJournal(path, readEntries(path), lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  append(entry: OrationJournalEntry): void {
    appendFileSync(this.path, `${JSON.stringify({ v: 1, ...entry })}\n`, 'utf8');
  }

  /** Lets another simulator open the directory. Appending after this is a mistake nobody would notice, so don't. */
  close(): void {
    this.#lock.release();
  }
}

function readEntries(path: string): OrationJournalEntry[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
  const completeLength = bytes.lastIndexOf(0x0a) + 1;
  if (completeLength < bytes.length) truncateSync(path, completeLength);
  return bytes
    .subarray(0, completeLength)
    .toString('utf8')
    .split('\n')
    .slice(0, -1)
    .map((line, index) => parseLine(path, line, index + 1));
}

function parseLine(path: string, line: string, lineNumber: number): OrationJournalEntry {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new OrationJournalError(`${path} line ${lineNumber} is not JSON; move the file away to start the simulator afresh`);
  }
  const parsed = entrySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(line)'}: ${issue.message}` : 'invalid';
    throw new OrationJournalError(`${path} line ${lineNumber} is not a journal entry (${where}); move the file away to start the simulator afresh`);
  }
  const { v: _version, ...entry } = parsed.data;
  return entry;
}
