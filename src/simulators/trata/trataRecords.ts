/**
 * The records the Trata simulator stores and answers with, field for field in the document's
 * order. `id` on conversations and the agent and prospect shapes are assumptions the document
 * does not show (see `src/providers/trata/README.md`).
 */

export interface TrataMessageRecord {
  speaker: 'AI' | 'USER';
  message: string;
  timestamp: string;
  message_id: string;
}

/** Caller details are null where the caller did not give them; the create request may omit any field. */
export interface TrataAnalyticsRecord {
  summary: string | null;
  action_items: string[];
  is_audio_consent_given: boolean | null;
  email_address_of_caller: string | null;
  name_of_caller: string | null;
  phone_number_of_caller: string | null;
  address_of_caller: string | null;
  sentiment_of_caller: string | null;
  prospectStatus: string | null;
}

export interface TrataAdminCommentRecord {
  comment: string;
  rating: number;
}

export interface TrataConversationRecord {
  id: string;
  orgId: string;
  prospectId: string | null;
  source: string | null;
  sourceType: string;
  aiAgentId: string;
  /** The create request sends a URL, which the simulator cannot fetch: such records store []. */
  transcriptText: TrataMessageRecord[];
  transcriptSummary: string | null;
  transcriptRecordingUrl: string | null;
  timestampStart: string | null;
  timestampEnd: string | null;
  conversationAnalytics: TrataAnalyticsRecord | null;
  /** Sent with the create request; absent from the documented response, so optional here. */
  adminComments?: TrataAdminCommentRecord[];
  status: string;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

export interface TrataAgentRecord {
  id: string;
  orgId: string;
  name: string;
  description: string;
  prompt: string;
  initialMessage: string;
  voiceModelId: string;
  language: string;
  status: string;
  createdAt: string;
  updatedAt: string;
}

export interface TrataProspectRecord {
  id: string;
  orgId: string;
  name: string;
  phoneNumber: string | null;
  email: string | null;
  address: string | null;
  prospectStatus: string;
  createdAt: string;
  updatedAt: string;
}
