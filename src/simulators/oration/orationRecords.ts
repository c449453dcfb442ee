/**
 * The objects the Oration simulator writes, with exactly the field names of the document's
 * response sample. Fields the document shows as strings are `null` until they are known (a call
 * that has not ended has no `callEndTime`), which is the real-world reading of its placeholders.
 */
export interface OrationConversationRecord {
  id: string;
  phoneId: string | null;
  agentId: string;
  workspaceId: string;
  wsUrl: string | null;
  llmUrl: string | null;
  callStartTime: string | null;
  callEndTime: string | null;
  userJoinTime: string | null;
  userLeaveTime: string | null;
  customerId: string | null;
  toPhoneNumber: string | null;
  fromPhoneNumber: string | null;
  conversationStatus: string;
  telephonyType: string | null;
  telephonyStatus: string | null;
  endReason: string | null;
  recordingStatus: string | null;
  postCallNotes: string | null;
  postCallCategory1: string | null;
  postCallCategory2: string | null;
  postCallCategory3: string | null;
  postCallMetadata: Record<string, unknown> | null;
  conversationType: string;
  /** A JSON-encoded object: the request sends an object, the response a string. */
  dynamicVariables: string;
  summary: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Assumed shape: the document names agents by id only. */
export interface OrationAgentRecord {
  id: string;
  workspaceId: string;
  name: string;
  prompt: string;
  initialMessage: string;
  maxDurationSeconds: number;
  language: string;
  voiceId: string;
  llmModel: string;
  createdAt: string;
  updatedAt: string;
}

/** Oration's timestamps look like `2023-11-07T05:31:56Z`; milliseconds appear only when non-zero. */
export function formatOrationTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('.000Z', 'Z');
}
