import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLString,
  Kind,
  type GraphQLFieldConfigMap,
  type GraphQLInterfaceType,
  type GraphQLOutputType,
  type ValueNode,
} from 'graphql';
import type { SchemaObject } from '@nestjs/swagger';
import type { JsonSchema } from '../docs/json-schema-to-ts.js';
import { POSITION_FORMAT } from '../docs/wire-event.schemas.js';
import { GraphQLPosition } from './position-scalar.js';

const literalOf = (node: ValueNode): unknown => {
  switch (node.kind) {
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literalOf(field.value)]));
    case Kind.LIST:
      return node.values.map(literalOf);
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.VARIABLE:
      return undefined;
    default:
      return node.value;
  }
};

/** What the wire leaves open (a record of details, evidence, trends): sent as it is. */
export const GraphQLJSON = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value, as the wire sends it (open records such as details, evidence, trends).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalOf,
});

const SCALARS: Readonly<Record<string, GraphQLOutputType>> = {
  string: GraphQLString,
  number: GraphQLFloat,
  integer: GraphQLInt,
  boolean: GraphQLBoolean,
};

/** A type `name` built from a JSON Schema, with what the wire object gains on this transport. */
export interface NamedObject {
  readonly name: string;
  readonly schema: SchemaObject;
  /** Fields of this transport first (the resume id), then the wire's own. */
  readonly extraFields?: () => GraphQLFieldConfigMap<unknown, unknown>;
  readonly interfaces?: readonly GraphQLInterfaceType[];
}

/**
 * GraphQL object types made from the wire's JSON Schemas: a required property is non-null,
 * a nested object is a type named `<Parent>_<field>`, `$ref` names another type of this
 * registry, and what JSON Schema leaves open is the JSON scalar. A construct it cannot
 * read throws, so a field is never dropped in silence.
 */
export class GraphqlTypes {
  private readonly schemas = new Map<string, NamedObject>();
  private readonly built = new Map<string, GraphQLObjectType>();

  add(named: NamedObject): this {
    this.schemas.set(named.name, named);
    return this;
  }

  object(name: string): GraphQLObjectType {
    const cached = this.built.get(name);
    if (cached) return cached;
    const named = this.schemas.get(name);
    if (!named) throw new Error(`no wire schema named ${name}`);
    const type = this.objectOf(name, named.schema as JsonSchema, named);
    this.built.set(name, type);
    return type;
  }

  private objectOf(name: string, schema: JsonSchema, named?: NamedObject): GraphQLObjectType {
    const properties = Object.entries(schema.properties ?? {});
    if (properties.length === 0) throw new Error(`${name} has no properties to make fields of`);
    const required = new Set(schema.required ?? []);
    return new GraphQLObjectType({
      name,
      ...(schema.description ? { description: schema.description } : {}),
      ...(named?.interfaces ? { interfaces: [...named.interfaces] } : {}),
      fields: () => ({
        ...named?.extraFields?.(),
        ...Object.fromEntries(
          properties.map(([field, property]) => {
            const type = this.outputOf(`${name}_${field}`, property);
            return [
              field,
              {
                type: required.has(field) && !isNullable(property) ? new GraphQLNonNull(type) : type,
                ...(property.description ? { description: property.description } : {}),
              },
            ];
          }),
        ),
      }),
    });
  }

  private outputOf(name: string, schema: JsonSchema): GraphQLOutputType {
    if (schema.$ref) return this.object(schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1));
    const alternatives = (schema.anyOf ?? schema.oneOf ?? []).filter((s) => !isNull(s));
    if (alternatives.length === 1) return this.outputOf(name, alternatives[0] as JsonSchema);
    if (alternatives.length > 1) return GraphQLJSON;
    if (schema.const !== undefined) return SCALARS[typeof schema.const] ?? GraphQLJSON;
    if (schema.enum) return schema.enum.every((v) => typeof v === 'string') ? GraphQLString : GraphQLJSON;
    const types = [schema.type ?? []].flat().filter((t) => t !== 'null');
    if (types.length === 0) return schema.properties ? this.objectOf(name, schema) : GraphQLJSON;
    if (types.length > 1) return GraphQLJSON;
    const [only] = types;
    if (only === 'array') {
      if (!schema.items) return new GraphQLList(GraphQLJSON);
      return new GraphQLList(new GraphQLNonNull(this.outputOf(name, schema.items)));
    }
    if (only === 'object') return schema.properties ? this.objectOf(name, schema) : GraphQLJSON;
    // The wire's 64-bit integers are its revisions and positions, past GraphQL Int's 2^31 − 1.
    if (only === 'integer' && schema.format === POSITION_FORMAT) return GraphQLPosition;
    const scalar = SCALARS[only ?? ''];
    if (!scalar) throw new Error(`${name}: JSON Schema type ${only} has no GraphQL type here`);
    return scalar;
  }
}

const isNull = (schema: JsonSchema): boolean => schema.type === 'null';
const isNullable = (schema: JsonSchema): boolean =>
  (schema.anyOf ?? schema.oneOf ?? []).some(isNull) || [schema.type ?? []].flat().includes('null');
