import type { SchemaObject } from '@nestjs/swagger';

/** The JSON Schema subset the API's documents use, as read here and by the GraphQL schema's maker. */
export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly description?: string;
  readonly format?: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const PRIMITIVES: Record<string, string> = {
  string: 'string',
  number: 'number',
  integer: 'number',
  boolean: 'boolean',
  null: 'null',
};

const indent = (text: string, by = '  '): string => text.replace(/\n/g, `\n${by}`);
const union = (members: readonly string[]): string => [...new Set(members)].join(' | ') || 'never';
const doc = (description: string | undefined): string =>
  description ? `/** ${description.replace(/\*\//g, '*\\/').replace(/\n/g, ' ')} */\n` : '';

/** `#/components/schemas/Name` becomes `Name`. */
const refName = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1);

/** The TypeScript type a JSON Schema describes: readonly, `unknown` for what it leaves open. */
export function typeOf(schema: JsonSchema): string {
  if (schema.$ref) return refName(schema.$ref);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return union(schema.enum.map((value) => JSON.stringify(value)));
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return union(alternatives.map((alternative) => wrap(typeOf(alternative))));
  const types = schema.type === undefined ? [] : [schema.type].flat();
  if (types.length === 0) return schema.properties ? objectType(schema) : 'unknown';
  return union(types.map((type) => typeFor(type, schema)));
}

const wrap = (type: string): string => (type.startsWith('{') ? type : type.includes(' ') ? `(${type})` : type);

function typeFor(type: string, schema: JsonSchema): string {
  if (type === 'array') return `readonly ${wrap(schema.items ? typeOf(schema.items) : 'unknown')}[]`;
  if (type === 'object') return objectType(schema);
  return PRIMITIVES[type] ?? 'unknown';
}

function objectType(schema: JsonSchema): string {
  const properties = Object.entries(schema.properties ?? {});
  const extra = schema.additionalProperties;
  if (properties.length === 0) {
    if (extra === false) return 'Record<string, never>';
    return `Readonly<Record<string, ${typeof extra === 'object' ? typeOf(extra) : 'unknown'}>>`;
  }
  const required = new Set(schema.required ?? []);
  const lines = properties.map(([name, property]) => {
    const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
    return `${doc(property.description)}readonly ${key}${required.has(name) ? '' : '?'}: ${typeOf(property)};`;
  });
  return `{\n  ${indent(lines.join('\n'))}\n}`;
}

/** One named declaration: an interface for an object, a type alias for anything else. */
export function declaration(name: string, schema: SchemaObject): string {
  const json = schema as JsonSchema;
  const type = typeOf(json);
  const comment = doc(json.description);
  const isObject = json.type === 'object' && json.properties !== undefined && !json.oneOf && !json.anyOf;
  return isObject ? `${comment}export interface ${name} ${type}` : `${comment}export type ${name} = ${type};`;
}
