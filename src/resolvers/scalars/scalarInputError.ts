import { GraphQLError, isValueNode, Kind, parse, visit, type GraphQLFormattedError, type Location } from 'graphql';

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
 * list of non-null items, an enum value or number of the wrong kind, a scalar's refusal, an input
 * object with a field it does not define or without one it requires). Its message names the
 * expected type and the value, never the argument or the input fields above it.
 */
export function isRefusedLiteral(error: GraphQLError): boolean {
  // On a value of the document, never on a field: `String cannot represent value: …` on a field is
  // a result graphql-js could not write (an internal error, whose message stays hidden).
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (node?.kind === Kind.OBJECT_FIELD) return UNKNOWN_INPUT_FIELD.test(error.message);
  if (node === undefined || !isValueNode(node)) return false;
  if (node.kind === Kind.OBJECT) return MISSING_INPUT_FIELD.test(error.message);
  // Scalars' and enums' own refusals come unwrapped: `Int cannot represent non-integer value: "ten"`,
  // `JSONObject cannot represent …`, `Enum "Provider" cannot represent non-enum value: "ORATION"`.
  return /^(?:Expected value of type "|Value "[^"]*" does not exist in "\w+" enum\.|\w+ cannot represent |Enum "\w+" cannot represent )/.test(error.message);
}

/** ValuesOfCorrectTypeRule on an input object's field it does not define (the error is on that field). */
const UNKNOWN_INPUT_FIELD = /^Field "\w+" is not defined by type "\w+"\./;
/** ValuesOfCorrectTypeRule on an input object missing a required field (the error is on the object): the field's name is captured. */
const MISSING_INPUT_FIELD = /^Field "\w+\.(\w+)" of required type "[^"]+" was not provided\./;

/**
 * The formatted error of a refused input value, with the field named in the message and in
 * `extensions.field`: `filter.costMin` for a literal (the argument and the input fields down to
 * the value, `filter.agentIds[1]` inside a list); a variable's is named where it is refused
 * (limits/variableRefusals.ts).
 */
export function namedInputError(formatted: GraphQLFormattedError, error: GraphQLError): GraphQLFormattedError {
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
  const node = error.nodes?.[0];
  // An unknown input field is named by where its value is (`filter.bogus`), not by the object holding it.
  const literal = node?.kind === Kind.OBJECT_FIELD ? node.value.loc : node?.loc;
  // A variable's refusal: `nameVariableRefusals` put the variable and the place inside it in the extensions.
  if (error.message.startsWith('Variable "$')) return { ...formatted, extensions };
  const found = literal && error.source ? inputFieldAt(error.source.body, literal) : null;
  if (found === null) return { ...formatted, extensions };
  // A required field left out is named inside the object that lacks it: `input.conversations[1].agentId`.
  const missing = node?.kind === Kind.OBJECT ? MISSING_INPUT_FIELD.exec(error.message)?.[1] : undefined;
  const place = missing === undefined ? found : { ...found, field: found.field === '' ? missing : `${found.field}.${missing}` };
  if (place.variable !== undefined) {
    // A variable's default value: named as a variable's value is, the field inside it if any.
    const named = `$${place.variable}${place.field && !place.field.startsWith('[') ? '.' : ''}${place.field}`;
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
  /** For each list entered, whether it added a position to `names` (so leaving it takes one off). */
  const listPositions: boolean[] = [];
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
          // Not when the list itself is the value, or is inside no argument and no variable's default.
          const positioned = index >= 0 && (names.length > 0 || variable !== undefined);
          listPositions.push(positioned);
          if (positioned) {
            names.push(`[${index}]`);
            found = { ...(variable !== undefined && { variable }), field: fieldOf() };
          }
          return undefined;
        },
        leave() {
          if (listPositions.pop()) names.pop();
        },
      },
    });
  } catch {
    return null;
  }
  return found;
}
