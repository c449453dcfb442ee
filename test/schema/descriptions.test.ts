import { readFileSync } from 'node:fs';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';

/**
 * People explore the API in Apollo Sandbox, which shows each description beside its field: a
 * type, field, argument, input field or enum value without one left them reading the resolvers.
 * Read from the committed schema.graphql, which `npm run schema:check` keeps equal to the served one.
 */
const committed = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

/** Coordinates (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) whose description is missing or blank. */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (coordinate: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(coordinate);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name}:)`, arg.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    }
  }
  return missing.sort();
}

describe('the committed schema', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    expect(undescribed(committed)).toEqual([]);
  });

  it('is checked where it matters: an undescribed field, argument, input field or enum value is named', () => {
    const schema = buildSchema(`
      "Described."
      type Query {
        "Described."
        described(
          "Described."
          kept: Int
          bare: Int
        ): Int
        blank(
          "   "
          arg: Int
        ): Int
      }
      input Filter {
        "Described."
        kept: Int
        bare: Int
      }
      "Described."
      enum Colour {
        "Described."
        RED
        GREEN
      }
      interface Named {
        name: String
      }
    `);
    expect(undescribed(schema)).toEqual([
      'Colour.GREEN',
      'Filter',
      'Filter.bare',
      'Named',
      'Named.name',
      'Query.blank',
      'Query.blank(arg:)',
      'Query.described(bare:)',
    ]);
  });
});
