import { GraphQLError, Kind, parse, visit, type GraphQLFormattedError, type Location } from 'graphql';

/**
 * A `DateTime` or `Decimal` input the scalar refused. Deliberately not a `GraphQLError`: graphql-js
 * wraps any other error with where it was found (the literal's location, or the variable and the
 * path inside it), and `namedScalarInputError` then names the input field.
 */
export class ScalarInputError extends Error {
  override readonly name = 'ScalarInputError';
}

/**
 * The formatted error of a refused scalar input, with the field named in the message and in
 * `extensions.field`: `filter.costMin` for a literal (the argument and the input fields down to
 * the value), the path inside the variable for a variable (`extensions.variable` names it).
 */
export function namedScalarInputError(formatted: GraphQLFormattedError, error: GraphQLError): GraphQLFormattedError {
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
  const literal = error.nodes?.[0]?.loc;
  const variable = /^Variable "\$([^"]+)" got invalid value .*?(?: at "([^"]+)")?; Expected type "/s.exec(error.message);
  if (variable) {
    const [, name = '', path] = variable;
    // graphql-js's path starts with the variable's own name: `f.costMin`, `f.agentIds[0]`.
    const field = path?.slice(name.length).replace(/^\./, '');
    return { ...formatted, extensions: { ...extensions, variable: name, ...(field && { field }) } };
  }
  const field = literal && error.source ? inputFieldAt(error.source.body, literal) : null;
  if (field === null) return { ...formatted, extensions };
  return { ...formatted, message: `${field}: ${formatted.message}`, extensions: { ...extensions, field } };
}

/** The argument and input fields (`filter.costMin`) whose literal value holds `location`, if any. */
function inputFieldAt(document: string, location: Location): string | null {
  let found: string | null = null;
  const names: string[] = [];
  const contains = (loc: Location | undefined) => loc !== undefined && loc.start <= location.start && location.end <= loc.end;
  const enter = (node: { name: { value: string }; value: { loc?: Location } }) => {
    if (!contains(node.value.loc)) return false; // nothing below it holds the value
    names.push(node.name.value);
    found = names.join('.');
    return undefined;
  };
  const leave = () => void names.pop();
  try {
    visit(parse(document, { noLocation: false }), {
      [Kind.ARGUMENT]: { enter, leave },
      [Kind.OBJECT_FIELD]: { enter, leave },
    });
  } catch {
    return null;
  }
  return found;
}
