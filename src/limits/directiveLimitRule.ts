import type { ValidationRule } from 'graphql';
import { QueryTooComplexError } from '../errors.ts';
import { sumOverOperation } from './sumOverOperation.ts';

/**
 * Refuses operations with more than `maxDirectives` directive uses (fragments expanded). The
 * schema defines no directive a client needs many of; thousands of `@include(if: true)` are only
 * a way to make validation and execution slow.
 */
export function createDirectiveLimitRule(maxDirectives: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const directives = sumOverOperation(context, operation, (node) => node.directives?.length ?? 0);
      if (directives > maxDirectives) {
        context.reportError(
          new QueryTooComplexError(
            `Operation uses ${directives} directives; at most ${maxDirectives} are allowed`,
            { limit: 'directives', max: maxDirectives, actual: directives },
            [operation],
          ),
        );
      }
    },
  });
}
