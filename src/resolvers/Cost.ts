import type { CostComponentResolvers, CostResolvers } from '../generated/graphql.ts';

/** Only the deprecated Float fields need resolving: they are derived from the exact amounts. */
export const Cost: CostResolvers = {
  totalUsd: (cost) => cost.total?.toNumber() ?? null,
};

export const CostComponent: CostComponentResolvers = {
  amountUsd: (component) => component.amount?.toNumber() ?? null,
};
