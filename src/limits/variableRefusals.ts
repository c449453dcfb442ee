import {
  coerceInputValue,
  GraphQLError,
  isInputType,
  isNonNullType,
  typeFromAST,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** graphql-js's refusal of a variable's value names the variable first; the rest of its message quotes the value. */
const VARIABLE_REFUSAL = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" (?:got invalid value |of (?:required|non-null) type ")/;

/** graphql-js's refusal of an input object's field it does not define (1), or of one it requires left out (2). */
const INPUT_OBJECT_FIELD_REFUSAL = /^Field "(?:(\w+)" is not defined by type|(\w+)" of required type)/;

/**
 * Puts `variable` and, when the refusal is inside it, `field` (`statuses[1]`, `[0]`) in the
 * extensions of graphql-js's refusals of an operation's variables. The place is found the way
 * graphql-js found it, by coercing the sent values again and recording where each refusal is,
 * not read back from the message: a value is quoted there as sent (an unknown enum string, an
 * object's keys), so text such as ` at "f.agentIds[7]"; ` inside it would pass for the place.
 * graphql-js refuses each variable's values in the order of the definitions and, inside one, in
 * the order coercion meets them; the n-th refusal of a variable is matched to the n-th place.
 */
export function nameVariableRefusals(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  sent: Readonly<Record<string, unknown>> | null | undefined,
  errors: readonly GraphQLError[],
): void {
  const placesByVariable = new Map<string, (string | undefined)[]>();
  const placesOf = (name: string) => placesByVariable.get(name) ?? placesByVariable.set(name, []).get(name)!;
  const values = sent ?? {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    if (!type || !isInputType(type) || !Object.hasOwn(values, name)) {
      placesOf(name).push(undefined); // missing, or a type validation refused: the variable itself
      continue;
    }
    const value = values[name];
    if (value === null && isNonNullType(type)) {
      placesOf(name).push(undefined);
      continue;
    }
    try {
      coerceInputValue(value, type, (path, _invalid, error) => {
        // An input object's unknown or missing field is refused on the object: named here inside it.
        const inputField = INPUT_OBJECT_FIELD_REFUSAL.exec(error.message);
        const keys = inputField ? [...path, inputField[1] ?? inputField[2]!] : path;
        placesOf(name).push(keys.length === 0 ? undefined : keys.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('').replace(/^\./, ''));
      });
    } catch {
      return; // a value graphql-js could coerce but this second pass cannot (the stack, say): leave the refusals as they are
    }
  }
  const seen = new Map<string, number>();
  for (const error of errors) {
    const name = VARIABLE_REFUSAL.exec(error.message)?.[1];
    if (name === undefined) continue;
    const index = seen.get(name) ?? 0;
    seen.set(name, index + 1);
    const field = placesByVariable.get(name)?.[index];
    // graphql-js builds each error's extensions as an object of its own; Apollo keeps it when it recodes the error.
    Object.assign(error.extensions, { variable: name }, field === undefined ? {} : { field });
  }
}
