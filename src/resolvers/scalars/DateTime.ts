import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { ScalarInputError } from './scalarInputError.ts';
import { formatInstant, readClientInstant, type PreciseDate } from '../../domain/preciseDate.ts';

/**
 * `DateTime` at the provider's precision. graphql-scalars' DateTime goes through a JS `Date`, so
 * it writes milliseconds and reads `…38.618331Z` as `…38.618Z`: a client that pulls
 * incrementally with a Trata record's own `createdAt` would get that record again. This scalar
 * writes every fraction digit the provider wrote (at least three, so millisecond providers look
 * as before) and reads up to nine, keeping them for the filters and cursors to compare.
 *
 * Input must carry a zone (`Z` or an offset), as RFC 3339 requires: a zoneless client time is
 * ambiguous. Output is always UTC.
 */
export const DateTime = new GraphQLScalarType<PreciseDate | Date, string>({
  name: 'DateTime',
  serialize(value) {
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new GraphQLError('DateTime cannot represent an invalid Date');
      return formatInstant(value);
    }
    if (typeof value === 'string') return formatInstant(parse(value));
    throw new GraphQLError(`DateTime cannot represent a value of type ${typeof value}`);
  },
  parseValue(value) {
    if (typeof value !== 'string') throw new ScalarInputError('DateTime must be a string such as "2024-12-06T19:23:38.618331Z"');
    return parse(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new ScalarInputError('DateTime must be a string such as "2024-12-06T19:23:38.618331Z"');
    }
    return parse(ast.value);
  },
  extensions: { jsonSchema: { type: 'string', format: 'date-time' } },
});

function parse(text: string): PreciseDate {
  const read = readClientInstant(text);
  // The message never repeats the value (graphql-js's prefix says where it was found).
  if ('refused' in read) throw new ScalarInputError(`DateTime ${read.refused}`);
  return read.instant;
}
