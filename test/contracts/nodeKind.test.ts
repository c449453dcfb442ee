import type { GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { GatewayContext } from '../../src/context.ts';
import { mapTrataAgent, mapTrataConversation, mapTrataProspect } from '../../src/providers/trata/map.ts';
import { trataAgentSchema, trataConversationSchema, trataProspectSchema } from '../../src/providers/trata/wire.ts';
import { Node } from '../../src/resolvers/Node.ts';

/**
 * Issue 8, part 3: `Node` resolution read the type from the object's shape (`channel` and `status`
 * meant Conversation, `llm` meant Agent, ...), so a field added to one domain type could silently
 * turn it into another. Every node now carries its type name in `kind`, and only that is read.
 */
const resolveType = (node: object) =>
  (Node.__resolveType as (node: object, context: GatewayContext, info: GraphQLResolveInfo) => string)(
    node,
    {} as GatewayContext,
    {} as GraphQLResolveInfo,
  );

describe('Node.__resolveType', () => {
  it('reads the discriminant, not the shape', () => {
    // A prospect whose fields happen to look like a conversation's, an agent without `llm`,
    // a batch without `itemCount`: the shape would mislead, the tag does not.
    expect(resolveType({ kind: 'Prospect', channel: { value: 'WEB' }, status: { value: 'ENDED' } })).toBe('Prospect');
    expect(resolveType({ kind: 'Agent', email: 'a@b.c', phone: null })).toBe('Agent');
    expect(resolveType({ kind: 'Conversation', llm: null })).toBe('Conversation');
    expect(resolveType({ kind: 'ConversationBatch' })).toBe('ConversationBatch');
  });

  it('gets the tag from the mappers', () => {
    const conversation = mapTrataConversation(trataConversationSchema.parse({ id: 'con.1.x', createdAt: '2024-12-06T19:23:38.618331' }));
    const agent = mapTrataAgent(trataAgentSchema.parse({ id: 'aia.1.x' }));
    const prospect = mapTrataProspect(trataProspectSchema.parse({ id: 'pro.1.x' }));
    expect([conversation.kind, agent.kind, prospect.kind]).toEqual(['Conversation', 'Agent', 'Prospect']);
    expect([conversation, agent, prospect].map(resolveType)).toEqual(['Conversation', 'Agent', 'Prospect']);
  });
});
