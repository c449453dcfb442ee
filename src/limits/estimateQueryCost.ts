import { MAX_PAGE_SIZE } from '../read/cursor.ts';
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isLeafType,
  isListType,
  Kind,
  valueFromASTUntyped,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { switchboardListRequests, type UpstreamListRequests } from './upstreamListRequests.ts';

export interface CostWeights {
  /**
   * Points for each object (or interface) value a field may return: the work of resolving and
   * serialising it.
   * @default 1
   */
  object: number;
  /**
   * Points for each object fetched by id (a field returning a `Node` type outside a connection:
   * `node`, each id of `nodes(ids:)`, `conversation(id:)`, a conversation's `agent` or `prospect`,
   * a batch item's `conversation`), on top of `object`: the upstream requests one id may need.
   * VoiceOS has no batch get, so an id is one request; an agent lookup may also read VoiceOS's
   * agent list first (one request per batch of ids), which the object's own point covers: two
   * points per id, at most two requests per id. Oration and Trata answer up to 100 ids per request,
   * so this over-counts them.
   * @default 1
   */
  lookup: number;
  /**
   * Points for a connection that no provider serves (batches and their items, read from the
   * store), on top of its objects. Provider lists cost the upstream requests they may make
   * instead (see `upstreamListRequests.ts`).
   * @default 10
   */
  connection: number;
  /**
   * List size assumed when a size argument has no usable value (null, or a variable that is
   * missing or of the wrong type, which coercion refuses later anyway). The largest page any list serves.
   * @default 100
   */
  unknownListSize: number;
}

export const DEFAULT_COST_WEIGHTS: Readonly<CostWeights> = Object.freeze({ object: 1, lookup: 1, connection: 10, unknownListSize: 100 });

export interface CostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The operation's variables, coerced (`coercedVariables`): defaults applied, each of its declared type. */
  variables: Readonly<Record<string, unknown>> | undefined;
  weights?: Partial<CostWeights>;
  /** Upstream requests of each provider-served list. @default the gateway's own lists */
  listRequests?: UpstreamListRequests;
}

/**
 * Estimates what an operation may cost before it runs, from the schema and the arguments alone.
 * The estimate is an upper bound on the upstream requests the operation can make (checked against
 * the simulators by test/hardening/costModel.test.ts), plus one point per object it may return:
 *
 * - a leaf field (scalar, enum) costs nothing; an object field costs `object`;
 * - an object fetched by id (a `Node` outside a connection) costs `lookup` more: with its object
 *   point, two per id, and an id costs at most two upstream requests (VoiceOS: list, then get);
 * - a field with a `first` argument is a connection: it costs the upstream requests its list may
 *   make (`listRequests`: pages per provider, more when a provider filters locally or counts
 *   `totalCount`), or `connection` when no provider serves it; the list fields directly below it
 *   (`edges`, `nodes`) count `first` times;
 * - a list field with an `ids` argument (or federation's `representations`) counts once per id (each id is a lookup);
 * - any other list counts once: it is embedded in its parent's upstream response (transcript
 *   messages, webhooks), so it adds no upstream request.
 *
 * Fragments are expanded (inline fragments on several types are all counted, which over-estimates
 * interfaces a little and never under-estimates). Introspection fields cost nothing here: their
 * size is bounded by the schema and by graphql-js's `MaxIntrospectionDepthRule`.
 */
export function estimateQueryCost(input: CostInput): number {
  const weights: CostWeights = { ...DEFAULT_COST_WEIGHTS, ...input.weights };
  const listRequests = input.listRequests ?? switchboardListRequests;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of input.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const variableDefaults = new Map<string, unknown>();
  for (const definition of input.operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults.set(definition.variable.name.value, valueFromASTUntyped(definition.defaultValue));
  }
  const variableValue = (name: string): unknown =>
    input.variables && Object.hasOwn(input.variables, name) ? input.variables[name] : variableDefaults.get(name);

  const allVariables = { ...Object.fromEntries(variableDefaults), ...input.variables };
  const argumentValue = (node: ArgumentNode): unknown => {
    if (node.value.kind === Kind.VARIABLE) return variableValue(node.value.name.value);
    // Variables inside a literal (`filter: { statuses: $s }`) count with the request's values.
    return valueFromASTUntyped(node.value, allVariables);
  };

  /** Every argument the field declares, as given or by its schema default. */
  const argumentValues = (node: FieldNode, definition: GraphQLField<unknown, unknown>): Record<string, unknown> => {
    const values: Record<string, unknown> = {};
    for (const declared of definition.args) {
      const given = node.arguments?.find((arg) => arg.name.value === declared.name);
      const value = given ? argumentValue(given) : declared.defaultValue;
      if (value !== undefined) values[declared.name] = value;
    }
    return values;
  };

  /** The list size a field's arguments ask for, or null when it takes no size argument. */
  const sizeArgument = (node: FieldNode, definition: GraphQLField<unknown, unknown>): number | null => {
    for (const name of ['first', 'ids', 'representations'] as const) {
      const declared = definition.args.find((arg) => arg.name === name);
      if (!declared) continue;
      const given = node.arguments?.find((arg) => arg.name.value === name);
      const value = given ? argumentValue(given) : declared.defaultValue;
      if (Array.isArray(value)) return value.length;
      // A larger page is refused by the field itself (BAD_USER_INPUT naming `first`) before any
      // upstream request: costed as the largest page, so that refusal is the one the client gets.
      if (typeof value === 'number' && Number.isInteger(value)) return Math.min(Math.max(0, value), name === 'first' ? MAX_PAGE_SIZE : Infinity);
      return weights.unknownListSize;
    }
    return null;
  };

  const fragmentCosts = new Map<string, number>();
  const expanding = new Set<string>();

  const selectionSetCost = (
    selectionSet: SelectionSetNode | undefined,
    parentType: GraphQLCompositeType,
    pageSize: number | null,
  ): number => {
    let total = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parentType, pageSize);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? input.schema.getType(selection.typeCondition.name.value) : parentType;
        if (type && isCompositeType(type)) total += selectionSetCost(selection.selectionSet, type, pageSize);
      } else {
        total += fragmentCost(selection.name.value, pageSize);
      }
    }
    return total;
  };

  const fragmentCost = (name: string, pageSize: number | null): number => {
    const key = `${name}:${pageSize ?? ''}`;
    const known = fragmentCosts.get(key);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    const type = fragment ? input.schema.getType(fragment.typeCondition.name.value) : undefined;
    if (!fragment || !type || !isCompositeType(type) || expanding.has(key)) return 0;
    expanding.add(key);
    const cost = selectionSetCost(fragment.selectionSet, type, pageSize);
    expanding.delete(key);
    fragmentCosts.set(key, cost);
    return cost;
  };

  /** Whether `field` is selected directly in `selectionSet`, through fragments too. */
  const selects = (selectionSet: SelectionSetNode | undefined, field: string, seen = new Set<string>()): boolean =>
    (selectionSet?.selections ?? []).some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === field;
      if (selection.kind === Kind.INLINE_FRAGMENT) return selects(selection.selectionSet, field, seen);
      if (seen.has(selection.name.value)) return false;
      seen.add(selection.name.value);
      return selects(fragments.get(selection.name.value)?.selectionSet, field, seen);
    });

  const fieldCost = (node: FieldNode, parentType: GraphQLCompositeType, pageSize: number | null): number => {
    if (node.name.value.startsWith('__') || !('getFields' in parentType)) return 0;
    const definition = parentType.getFields()[node.name.value];
    if (!definition) return 0; // validation has refused it already
    const namedType = getNamedType(definition.type);
    const isList = isListType(getNullableType(definition.type));
    const size = sizeArgument(node, definition);
    let own = 0;
    if (!isLeafType(namedType)) {
      if (size !== null && !isList) {
        const upstream = listRequests({
          parentType: parentType.name,
          fieldName: node.name.value,
          args: argumentValues(node, definition),
          first: size,
          selectsTotalCount: selects(node.selectionSet, 'totalCount'),
        });
        own = upstream ?? weights.connection;
      } else {
        own = weights.object + (isFetchedById(parentType, namedType) ? weights.lookup : 0);
      }
    }
    const children = isCompositeType(namedType) ? selectionSetCost(node.selectionSet, namedType, isList ? null : size) : 0;
    const multiplier = isList ? (size ?? pageSize ?? 1) : 1;
    return multiplier * (own + children);
  };

  const rootType = input.schema.getRootType(input.operation.operation);
  return rootType ? selectionSetCost(input.operation.selectionSet, rootType, null) : 0;
}

/**
 * A `Node` (the interface, or a type implementing it) outside a Relay connection or edge is
 * fetched by its id; inside one, it came with the list's own upstream response.
 */
function isFetchedById(parentType: GraphQLCompositeType, type: GraphQLNamedType): boolean {
  if (/(Connection|Edge)$/.test(parentType.name)) return false;
  if (type.name === 'Node') return true;
  return 'getInterfaces' in type && type.getInterfaces().some((implemented) => implemented.name === 'Node');
}
