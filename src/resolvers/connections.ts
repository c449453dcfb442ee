import type {
  AgentConnectionResolvers,
  BatchItemConnectionResolvers,
  ConversationBatchConnectionResolvers,
  ConversationConnectionResolvers,
  ProspectConnectionResolvers,
} from '../generated/graphql.ts';
import { nodesOf } from './resolverSupport.ts';

export const ConversationConnection: ConversationConnectionResolvers = { nodes: nodesOf };
export const AgentConnection: AgentConnectionResolvers = { nodes: nodesOf };
export const ProspectConnection: ProspectConnectionResolvers = { nodes: nodesOf };
export const ConversationBatchConnection: ConversationBatchConnectionResolvers = { nodes: nodesOf };
export const BatchItemConnection: BatchItemConnectionResolvers = { nodes: nodesOf };
