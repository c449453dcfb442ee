import { GraphQLScalarType } from 'graphql';
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

/**
 * A scalar's behaviour (serialize, parse, extensions) without its own description or
 * `specifiedByURL`: graphql-tools copies every property of a resolver's scalar over the SDL's
 * type, so graphql-scalars' generic text (and our scalars' none) replaced the SDL's descriptions
 * in the served schema: Sandbox showed nothing of the money and time rules (a new-user trial).
 * The SDL says what each scalar means.
 */
function behaviourOf(scalar: GraphQLScalarType): GraphQLScalarType {
  const behaviour = new GraphQLScalarType(scalar.toConfig());
  Reflect.deleteProperty(behaviour, 'description');
  Reflect.deleteProperty(behaviour, 'specifiedByURL');
  return behaviour;
}

export const resolvers: Resolvers = {
  DateTime: behaviourOf(DateTime),
  Decimal: behaviourOf(Decimal),
  JSON: behaviourOf(JSONResolver),
  JSONObject: behaviourOf(JSONObjectResolver),
  URL: behaviourOf(URLResolver),
  EmailAddress: behaviourOf(EmailAddressResolver),
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
