/**
 * The limits every GraphQL operation must stay within. Each is configurable (see `src/config.ts`
 * for the environment variable of each); the defaults leave room for any query the docs show (docs/operations.md, Query limits)
 * and for Apollo Sandbox's introspection, and refuse what could only be an attack or a mistake.
 */
export interface QueryLimits {
  /**
   * Longest chain of nested fields, fragments expanded. Introspection fields are not counted:
   * graphql-js's own `MaxIntrospectionDepthRule` already bounds them.
   * @default 12
   */
  maxDepth: number;
  /**
   * Aliased fields in one operation, fragments expanded. Aliases are how one request asks for the
   * same expensive field many times.
   * @default 30
   */
  maxAliases: number;
  /**
   * Directive uses in one operation, fragments expanded.
   * @default 50
   */
  maxDirectives: number;
  /**
   * Lexical tokens in the document; the parser stops at this count, so an oversized document costs
   * no more than this much work.
   * @default 2000
   */
  maxTokens: number;
  /**
   * Selections in one operation with every fragment spread expanded (Apollo Server's
   * `maxRecursiveSelections`): stops "fragment bombs" that are small on the wire and huge once
   * expanded, before the validation rules that would spend the time expanding them.
   * @default 5000
   */
  maxSelections: number;
  /**
   * Estimated cost of one operation, see `estimateQueryCost`: an upper bound on the upstream
   * requests it can make (list pages per provider, one per id looked up) plus one point per object
   * it may return, lists counted `first` times. Since the estimate never undercounts upstream
   * requests, this is also the most upstream requests one operation can make (retries aside).
   * @default 5000
   */
  maxCost: number;
  /**
   * Ids in one `nodes(ids:)` list. Each id is a lookup (a store row or, for VoiceOS, one upstream
   * request), so the list is capped before any work (BAD_USER_INPUT, `argument: "ids"`), and every
   * id is also counted in the cost. 100 matches the largest page any list serves.
   * @default 100
   */
  maxNodeIds: number;
}

export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 50,
  maxTokens: 2000,
  maxSelections: 5000,
  maxCost: 5000,
  maxNodeIds: 100,
});
