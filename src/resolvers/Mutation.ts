import type { CreateBatchInput } from '../fanout/batchInput.ts';
import { MAX_WAIT_SECONDS } from '../fanout/fanoutService.ts';
import { BadUserInputError, NotFoundError } from '../errors.ts';
import type { MutationResolvers } from '../generated/graphql.ts';
import { batchIdOf } from './batchSupport.ts';

export const Mutation: MutationResolvers = {
  createConversations: async (_, { input }, { fanout, workspace }) => {
    const { waitSeconds } = input;
    if (waitSeconds !== null && waitSeconds !== undefined && (waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS)) {
      throw new BadUserInputError(`input.waitSeconds must be between 0 and ${MAX_WAIT_SECONDS}`, { field: 'input.waitSeconds', min: 0, max: MAX_WAIT_SECONDS });
    }
    const request: CreateBatchInput = {
      idempotencyKey: input.idempotencyKey ?? null,
      conversations: input.conversations.map((conversation) => ({
        agentId: conversation.agentId,
        channel: conversation.channel,
        toNumber: conversation.toNumber ?? null,
        sipTrunkAddress: conversation.sipTrunkAddress ?? null,
        dynamicVariables: conversation.dynamicVariables ?? undefined,
        prospectId: conversation.prospectId ?? null,
      })),
    };
    const batch = await fanout.createBatch(workspace.id, request, workspace.connectors);
    if (!waitSeconds) return batch;
    return (await fanout.waitForBatch(workspace.id, batch.id, waitSeconds)) ?? batch;
  },

  cancelBatch: async (_, { id }, { fanout, workspace }) => {
    const batchId = batchIdOf(id);
    const batch = batchId ? await fanout.cancelBatch(workspace.id, batchId) : null;
    if (!batch) throw new NotFoundError('batch', id);
    return batch;
  },
};
