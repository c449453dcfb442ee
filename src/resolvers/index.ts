import { EmailAddressResolver, JSONObjectResolver, JSONResolver, URLResolver } from 'graphql-scalars';
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
import { Cost, CostComponent } from './Cost.ts';
import { Node } from './Node.ts';
import { Prospect } from './Prospect.ts';
import { Query } from './Query.ts';
import { Recording } from './Recording.ts';
import { Subscription } from './Subscription.ts';
import { Transcript, TranscriptMessage } from './Transcript.ts';
import { DateTime } from './scalars/DateTime.ts';
import { Decimal } from './scalars/Decimal.ts';

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  JSON: JSONResolver,
  JSONObject: JSONObjectResolver,
  URL: URLResolver,
  EmailAddress: EmailAddressResolver,
  Query,
  Mutation,
  Subscription,
  Node,
  Conversation,
  ConversationConnection,
  ConversationAnalytics,
  Cost,
  CostComponent,
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
