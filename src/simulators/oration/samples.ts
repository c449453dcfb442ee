/**
 * The response sample of Oration's "Create Conversation" document, byte for byte (its `<string>`
 * placeholders, its 2023 dates, its chat conversation that is "queued" yet has an end time).
 * The demo account serves it as a historic conversation, and the mapping tests read the same
 * bytes, so the gateway is proven against what the document shows rather than a tidied copy.
 */
export const ORATION_CREATE_RESPONSE_SAMPLE = `{
  "results": [
    {
      "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
      "phoneId": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
      "agentId": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
      "workspaceId": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
      "wsUrl": "<string>",
      "llmUrl": "<string>",
      "callStartTime": "2023-11-07T05:31:56Z",
      "callEndTime": "2023-11-07T05:31:56Z",
      "userJoinTime": "2023-11-07T05:31:56Z",
      "userLeaveTime": "2023-11-07T05:31:56Z",
      "customerId": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
      "toPhoneNumber": "<string>",
      "fromPhoneNumber": "<string>",
      "conversationStatus": "queued",
      "telephonyType": "inbound",
      "telephonyStatus": "<string>",
      "endReason": "user_did_not_answer",
      "recordingStatus": "in_progress",
      "postCallNotes": "<string>",
      "postCallCategory1": "<string>",
      "postCallCategory2": "<string>",
      "postCallCategory3": "<string>",
      "postCallMetadata": {},
      "conversationType": "chat",
      "dynamicVariables": "<string>",
      "summary": "<string>",
      "createdAt": "2023-11-07T05:31:56Z",
      "updatedAt": "2023-11-07T05:31:56Z"
    }
  ],
  "errors": [
    {
      "error": "<string>"
    }
  ]
}`;

/** The request body of the document's "Example Request" (telephony, with dynamic variables). */
export const ORATION_CREATE_REQUEST_SAMPLE = `{
  "conversations": [
    {
      "agentId": "5e3832c1-700e-49e8-9b10-9fbd5f8f28c2",
      "conversationType": "telephony",
      "toPhoneNumber": "+1234567890",
      "dynamicVariables": {
        "customerName": "Bob Johnson",
        "appointmentTime": "3:00 PM",
        "serviceType": "Annual Check-up"
      }
    }
  ]
}`;

/** Ids the document uses; the demo account has agents (and one conversation) under them. */
export const ORATION_DOCUMENTED_IDS = {
  sampleConversation: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
  /** Agent of the response sample (a chat conversation). */
  sampleAgent: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
  /** Agent of the document's telephony examples. */
  exampleAgent: '5e3832c1-700e-49e8-9b10-9fbd5f8f28c2',
} as const;
