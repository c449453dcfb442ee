import { Kind, type ValidationRule } from 'graphql';
import { QueryTooComplexError } from '../errors.ts';
import { sumOverOperation } from './sumOverOperation.ts';

/**
 * Refuses operations with more than `maxAliases` aliased fields (fragments expanded). Aliases let
 * one request ask for the same field many times under different names, each resolved on its own,
 * so they multiply upstream work without showing up in depth or page sizes.
 */
export function createAliasLimitRule(maxAliases: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const aliases = sumOverOperation(context, operation, (node) => (node.kind === Kind.FIELD && node.alias ? 1 : 0));
      if (aliases > maxAliases) {
        context.reportError(
          new QueryTooComplexError(
            `Operation uses ${aliases} aliases; at most ${maxAliases} are allowed`,
            { limit: 'aliases', max: maxAliases, actual: aliases },
            [operation],
          ),
        );
      }
    },
  });
}
