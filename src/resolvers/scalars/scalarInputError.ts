import { GraphQLError, Kind, parse, visit, type GraphQLFormattedError, type Location } from 'graphql';

/**
 * A `DateTime` or `Decimal` input the scalar refused. Deliberately not a `GraphQLError`: graphql-js
 * wraps any other error with where it was found (the literal's location, or the variable and the
 * path inside it), and `namedInputError` then names the input field.
 */
export class ScalarInputError extends Error {
  override readonly name = 'ScalarInputError';
}

/**
 * Whether graphql-js's validation refused a literal value (ValuesOfCorrectTypeRule: a null in a
 * list of non-null items, an enum value or number of the wrong kind, a scalar's refusal). Its
 * message names the expected type and the value, never the argument or input field.
 */
export function isRefusedLiteral(error: GraphQLError): boolean {
  if (error.nodes?.length !== 1) return false;
  // Built-in scalars' own refusals (`Int cannot represent non-integer value: "ten"`) come unwrapped.
  return /^(?:Expected value of type "|Value "[^"]*" does not exist in "\w+" enum\.|(?:Int|Float|String|Boolean|ID) cannot represent )/.test(error.message);
}

/** Whether graphql-js refused a variable's value; its message names the variable and the place inside it. */
export function isRefusedVariable(error: GraphQLError): boolean {
  return VARIABLE_REFUSAL.test(error.message);
}

/** `got invalid value …`, or a non-null variable missing (`of required type "ID!" was not provided`) or null. */
const VARIABLE_REFUSAL = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" (?:got invalid value |of (?:required|non-null) type ")/;

/**
 * The formatted error of a refused input value, with the field named in the message and in
 * `extensions.field`: `filter.costMin` for a literal (the argument and the input fields down to
 * the value, `filter.agentIds[1]` inside a list), the path inside the variable for a variable
 * (`extensions.variable` names it; graphql-js's message already says both).
 */
export function namedInputError(formatted: GraphQLFormattedError, error: GraphQLError): GraphQLFormattedError {
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
  const literal = error.nodes?.[0]?.loc;
  const name = VARIABLE_REFUSAL.exec(error.message)?.[1];
  if (name !== undefined) {
    // graphql-js writes the place as ` at "<variable><path>"; ` after the value, whose own quotes
    // it escapes; greedy, so a value that mentions " at " cannot stand in for it.
    const path = new RegExp(`^.* at "${name}((?:[.[][^"]*)?)"; `, 's').exec(error.message)?.[1];
    const field = path?.replace(/^\./, '');
    return { ...formatted, extensions: { ...extensions, variable: name, ...(field && { field }) } };
  }
  const place = literal && error.source ? inputFieldAt(error.source.body, literal) : null;
  if (place === null) return { ...formatted, extensions };
  if (place.variable !== undefined) {
    // A variable's default value: named as a variable's value is, the field inside it if any.
    const named = `$${place.variable}${place.field ? `.${place.field}` : ''}`;
    return { ...formatted, message: `${named}: ${formatted.message}`, extensions: { ...extensions, variable: place.variable, ...(place.field && { field: place.field }) } };
  }
  return { ...formatted, message: `${place.field}: ${formatted.message}`, extensions: { ...extensions, field: place.field } };
}

/**
 * Where the literal at `location` is: the argument and input fields (`filter.costMin`) whose value
 * holds it, or the variable whose default value holds it (`$c`, and the fields inside it).
 */
function inputFieldAt(document: string, location: Location): { variable?: string; field: string } | null {
  let found: { variable?: string; field: string } | null = null;
  let variable: string | undefined;
  const names: string[] = [];
  const contains = (loc: Location | undefined) => loc !== undefined && loc.start <= location.start && location.end <= loc.end;
  // `filter`, `agentIds`, `[1]`: written `filter.agentIds[1]`.
  const fieldOf = () => names.map((name, index) => (index === 0 || name.startsWith('[') ? name : `.${name}`)).join('');
  const enter = (node: { name: { value: string }; value: { loc?: Location } }) => {
    if (!contains(node.value.loc)) return false; // nothing below it holds the value
    names.push(node.name.value);
    found = { ...(variable !== undefined && { variable }), field: fieldOf() };
    return undefined;
  };
  const leave = () => void names.pop();
  try {
    visit(parse(document, { noLocation: false }), {
      [Kind.VARIABLE_DEFINITION]: {
        enter(node) {
          if (!contains(node.defaultValue?.loc)) return false;
          variable = node.variable.name.value;
          found = { variable, field: '' };
          return undefined;
        },
        leave() {
          variable = undefined;
        },
      },
      [Kind.ARGUMENT]: { enter, leave },
      [Kind.OBJECT_FIELD]: { enter, leave },
      [Kind.LIST]: {
        enter(node) {
          const index = node.values.findIndex((value) => contains(value.loc));
          if (index < 0 || names.length === 0) return undefined; // the list itself, or one outside any argument
          names.push(`[${index}]`);
          found = { ...(variable !== undefined && { variable }), field: fieldOf() };
          return undefined;
        },
        leave(node) {
          if (names.length > 0 && node.values.some((value) => contains(value.loc))) names.pop();
        },
      },
    });
  } catch {
    return null;
  }
  return found;
}
