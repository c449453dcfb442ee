import { DateTimeResolver, EmailAddressResolver, JSONObjectResolver, JSONResolver, URLResolver } from 'graphql-scalars';
import type { Resolvers } from '../generated/graphql.ts';
import { Agent } from './Agent.ts';
import {
  AgentConnection,
  BatchItemConnection,
  ConversationBatchConnection,
  ConversationConnection,
  ProspectConnection,
} from './connections.ts';
import { BatchItem, ConversationBatch } from './ConversationBatch.ts';
import { Mutation } from './Mutation.ts';
import { Conversation } from './Conversation.ts';
import { ConversationAnalytics } from './ConversationAnalytics.ts';
import { Node } from './Node.ts';
import { Prospect } from './Prospect.ts';
import { Query } from './Query.ts';
import { Recording } from './Recording.ts';
import { Transcript, TranscriptMessage } from './Transcript.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  JSON: JSONResolver,
  JSONObject: JSONObjectResolver,
  URL: URLResolver,
  EmailAddress: EmailAddressResolver,
  Query,
  Mutation,
  Node,
  Conversation,
  ConversationConnection,
  ConversationAnalytics,
  Recording,
  Transcript,
  TranscriptMessage,
  Agent,
  AgentConnection,
  Prospect,
  ProspectConnection,
  ConversationBatch,
  ConversationBatchConnection,
  BatchItem,
  BatchItemConnection,
};
