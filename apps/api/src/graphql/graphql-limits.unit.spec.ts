import { describe, expect, it } from '@jest/globals';
import { getIntrospectionQuery, parse, specifiedRules, validate, type GraphQLError } from 'graphql';
import { limitsRule } from './graphql-limits.js';
import { graphqlSchema } from './graphql-schema.js';

const unused = (): never => {
  throw new Error('not called by these tests');
};
const schema = graphqlSchema({
  investigations: unused,
  investigation: unused,
  investigationEvents: unused,
  investigationChanges: unused,
});
const limits = { maxDepth: 8, maxCost: 2000, maxAliases: 3 };

const errorsOf = (query: string): readonly GraphQLError[] =>
  validate(schema, parse(query), [...specifiedRules, limitsRule(limits)]);
const codesOf = (query: string): unknown[] => errorsOf(query).map((error) => error.extensions.code);
const aliased = (count: number, selection: string): string =>
  Array.from({ length: count }, (_, i) => `a${i}: ${selection}`).join(' ');

describe('GraphQL limits: aliases', () => {
  it('counts aliased introspection, which costs nothing otherwise', () => {
    const schemaTypes = '__schema { types { name fields { name } } }';
    expect(codesOf(`{ ${aliased(3, schemaTypes)} }`)).toEqual([]);
    const refused = errorsOf(`{ ${aliased(4, schemaTypes)} }`);
    expect(refused.map((error) => [error.message, error.extensions])).toEqual([
      [
        'operation renames 4 fields; at most 3 aliases are allowed',
        { code: 'QUERY_TOO_MANY_ALIASES', aliases: 4, max_aliases: 3 },
      ],
    ]);
  });

  it('counts aliases beneath other fields, in fragments where they are spread, and in inline fragments', () => {
    expect(codesOf('{ __schema { t1: types { name } t2: types { name } } a: __typename b: __typename }')).toEqual([
      'QUERY_TOO_MANY_ALIASES',
    ]);
    const fragment = 'fragment Twice on Query { x: __typename y: __typename }';
    expect(codesOf(`query Q { ...Twice } ${fragment}`)).toEqual([]);
    expect(
      codesOf(
        `query Q { ...Twice __schema { ...on __Schema { q: queryType { name } s: types { name } } } } ${fragment}`,
      ),
    ).toEqual(['QUERY_TOO_MANY_ALIASES']);
  });

  it('leaves a field asked for twice under its own name alone: it is resolved once', () => {
    expect(codesOf(`{ ${'__schema { types { name } } '.repeat(10)} }`)).toEqual([]);
  });

  it('lets the introspection query tools send pass', () => {
    expect(errorsOf(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }))).toEqual([]);
  });

  it('takes 0 to mean no alias at all', () => {
    const none = [...specifiedRules, limitsRule({ ...limits, maxAliases: 0 })];
    expect(validate(schema, parse('{ __typename }'), none)).toEqual([]);
    expect(validate(schema, parse('{ t: __typename }'), none).map((error) => error.extensions.code)).toEqual([
      'QUERY_TOO_MANY_ALIASES',
    ]);
  });
});
