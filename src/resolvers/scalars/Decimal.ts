import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { ScalarInputError } from './scalarInputError.ts';
import { DECIMAL_INPUT_PATTERN, Decimal as DecimalValue } from '../../domain/decimal.ts';

/**
 * `Decimal`: an exact decimal number written as a JSON string (`"0.0352"`), so no JSON parser on
 * the way to the client turns it into a binary float. Input takes the same strings.
 */
export const Decimal = new GraphQLScalarType<DecimalValue, string>({
  name: 'Decimal',
  serialize(value) {
    if (value instanceof DecimalValue) return value.toString();
    throw new GraphQLError(`Decimal cannot represent a value of type ${typeof value}`);
  },
  parseValue(value) {
    return parse(typeof value === 'string' ? value : null);
  },
  parseLiteral(ast) {
    return parse(ast.kind === Kind.STRING ? ast.value : null);
  },
  extensions: { jsonSchema: { type: 'string', pattern: DECIMAL_INPUT_PATTERN } },
});

function parse(text: string | null): DecimalValue {
  const value = text === null ? null : DecimalValue.parseInput(text);
  if (value === null) throw new ScalarInputError('Decimal must be a string of digits with an optional leading minus and fraction, such as "0.0352" or "-5"');
  return value;
}
