import type { ApolloServerOptions, BaseContext } from '@apollo/server';
import { createAliasLimitRule } from './aliasLimitRule.ts';
import { costLimitPlugin } from './costLimitPlugin.ts';
import { createDepthLimitRule } from './depthLimitRule.ts';
import { createDirectiveLimitRule } from './directiveLimitRule.ts';
import { nodeIdsLimitPlugin } from './nodeIdsLimitPlugin.ts';
import type { QueryLimits } from './queryLimits.ts';

type LimitOptions<C extends BaseContext> = Required<
  Pick<ApolloServerOptions<C>, 'validationRules' | 'parseOptions' | 'maxRecursiveSelections' | 'allowBatchedHttpRequests'>
> & { plugins: NonNullable<ApolloServerOptions<C>['plugins']> };

/**
 * The Apollo Server options that enforce `limits`, to spread into its config. Batched HTTP
 * requests stay off: one POST carrying an array of operations would multiply every other limit.
 */
export function queryLimitGuards<C extends BaseContext>(limits: QueryLimits): LimitOptions<C> {
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    maxRecursiveSelections: limits.maxSelections,
    validationRules: [
      createDepthLimitRule(limits.maxDepth),
      createAliasLimitRule(limits.maxAliases),
      createDirectiveLimitRule(limits.maxDirectives),
    ],
    // The ids cap first: its refusal names the argument to shorten, the clearer answer.
    plugins: [nodeIdsLimitPlugin<C>({ maxIds: limits.maxNodeIds }), costLimitPlugin<C>({ maxCost: limits.maxCost })],
    allowBatchedHttpRequests: false,
  };
}
