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
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export interface CostWeights {
  /**
   * Points for each object (or interface) value a field may return.
   * @default 1
   */
  object: number;
  /**
   * Points for a connection field (one taking `first`) on top of its objects: it stands for the
   * upstream list requests behind it, which DataLoader cannot batch the way it batches lookups by id.
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

export const DEFAULT_COST_WEIGHTS: Readonly<CostWeights> = Object.freeze({ object: 1, connection: 10, unknownListSize: 100 });

export interface CostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The request's variables as sent (not yet coerced). */
  variables: Readonly<Record<string, unknown>> | undefined;
  weights?: Partial<CostWeights>;
}

/**
 * Estimates what an operation may cost before it runs, from the schema and the arguments alone:
 *
 * - a leaf field (scalar, enum) costs nothing; an object field costs `object`;
 * - a field with a `first` argument is a connection: it costs `connection`, and the list fields
 *   directly below it (`edges`, `nodes`) count `first` times;
 * - a list field with an `ids` argument counts once per id;
 * - any other list counts once: it is embedded in its parent's upstream response (transcript
 *   messages, webhooks), so it adds no upstream request.
 *
 * Fragments are expanded (inline fragments on several types are all counted, which over-estimates
 * interfaces a little and never under-estimates). Introspection fields cost nothing here: their
 * size is bounded by the schema and by graphql-js's `MaxIntrospectionDepthRule`.
 */
export function estimateQueryCost(input: CostInput): number {
  const weights: CostWeights = { ...DEFAULT_COST_WEIGHTS, ...input.weights };
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

  const argumentValue = (node: ArgumentNode): unknown => {
    if (node.value.kind === Kind.VARIABLE) return variableValue(node.value.name.value);
    return valueFromASTUntyped(node.value, Object.fromEntries(variableDefaults));
  };

  /** The list size a field's arguments ask for, or null when it takes no size argument. */
  const sizeArgument = (node: FieldNode, definition: GraphQLField<unknown, unknown>): number | null => {
    for (const name of ['first', 'ids'] as const) {
      const declared = definition.args.find((arg) => arg.name === name);
      if (!declared) continue;
      const given = node.arguments?.find((arg) => arg.name.value === name);
      const value = given ? argumentValue(given) : declared.defaultValue;
      if (Array.isArray(value)) return value.length;
      if (typeof value === 'number' && Number.isInteger(value)) return Math.max(0, value);
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

  const fieldCost = (node: FieldNode, parentType: GraphQLCompositeType, pageSize: number | null): number => {
    if (node.name.value.startsWith('__') || !('getFields' in parentType)) return 0;
    const definition = parentType.getFields()[node.name.value];
    if (!definition) return 0; // validation has refused it already
    const namedType = getNamedType(definition.type);
    const isList = isListType(getNullableType(definition.type));
    const size = sizeArgument(node, definition);
    const own = isLeafType(namedType) ? 0 : size !== null && !isList ? weights.connection : weights.object;
    const children = isCompositeType(namedType) ? selectionSetCost(node.selectionSet, namedType, isList ? null : size) : 0;
    const multiplier = isList ? (size ?? pageSize ?? 1) : 1;
    return multiplier * (own + children);
  };

  const rootType = input.schema.getRootType(input.operation.operation);
  return rootType ? selectionSetCost(input.operation.selectionSet, rootType, null) : 0;
}
