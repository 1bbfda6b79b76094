import { describe, expect, it } from '@jest/globals';
import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  printSchema,
  validateSchema,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { apiSchemas } from '../docs/api.schemas.js';
import {
  investigationEventSchemas,
  investigationListEventSchemas,
  listEventSchemaName,
  wireEventSchemaName,
  type ListWireEventType,
  type WireEventType,
} from '../docs/wire-event.schemas.js';
import { graphqlSchema, INVESTIGATION_EVENT, LIST_EVENT } from './graphql-schema.js';
import type { JsonSchema } from '../docs/json-schema-to-ts.js';

const unused = (): never => {
  throw new Error('not called by these tests');
};
const schema: GraphQLSchema = graphqlSchema({
  investigations: unused,
  investigation: unused,
  investigationEvents: unused,
  investigationChanges: unused,
});
const components = apiSchemas() as Record<string, JsonSchema>;

/** Every property of a JSON Schema, nested objects and $refs followed, as `Type.field` paths missing from `type`. */
function missingFields(type: GraphQLNamedType, json: JsonSchema, seen = new Set<string>()): string[] {
  if (!isObjectType(type) || seen.has(type.name)) return [];
  seen.add(type.name);
  const fields = type.getFields();
  return Object.entries(json.properties ?? {}).flatMap(([name, property]) => {
    const field = fields[name];
    if (!field) return [`${type.name}.${name}`];
    return missingFields(getNamedType(field.type), resolved(property), seen);
  });
}

/** The object a property holds: through $ref, nullable alternatives and array items. */
function resolved(property: JsonSchema): JsonSchema {
  if (property.$ref) return components[property.$ref.slice(property.$ref.lastIndexOf('/') + 1)] ?? {};
  const alternatives = (property.anyOf ?? property.oneOf ?? []).filter((s) => s.type !== 'null');
  if (alternatives.length === 1) return resolved(alternatives[0] as JsonSchema);
  if (property.items) return resolved(property.items);
  return property;
}

describe('the GraphQL schema', () => {
  it('is valid and prints', () => {
    expect(validateSchema(schema)).toEqual([]);
    expect(printSchema(schema)).toContain('type Subscription');
    const events = schema.getSubscriptionType()?.getFields().investigationEvents;
    expect([String(events?.type), events?.args.map((arg) => `${arg.name}: ${String(arg.type)}`)]).toEqual([
      'InvestigationEvent!',
      ['id: ID!', 'after: Position'],
    ]);
  });

  it('has every field of every investigation stream event, with its resume id', () => {
    for (const type of Object.keys(investigationEventSchemas) as WireEventType[]) {
      const name = wireEventSchemaName(type);
      const graphqlType = schema.getType(name);
      expect({ name, exists: graphqlType !== undefined }).toEqual({ name, exists: true });
      expect(missingFields(graphqlType as GraphQLNamedType, components[name] ?? {})).toEqual([]);
      expect(isObjectType(graphqlType) && Object.keys(graphqlType.getFields())[0]).toBe('id');
    }
  });

  it('has every field of the list events, list pages and summaries', () => {
    const names = [
      ...(Object.keys(investigationListEventSchemas) as ListWireEventType[]).map(listEventSchemaName),
      'InvestigationListPage',
      'InvestigationListItem',
      'InvestigationSummary',
      'Anomaly',
    ];
    for (const name of names) {
      const graphqlType = schema.getType(name);
      expect({ name, exists: graphqlType !== undefined }).toEqual({ name, exists: true });
      expect(missingFields(graphqlType as GraphQLNamedType, components[name] ?? {})).toEqual([]);
    }
  });

  it('types every revision and position as Position, never the 32-bit Int', () => {
    const subscriptions = schema.getSubscriptionType()?.getFields() ?? {};
    const resumeArguments = Object.values(subscriptions).map((field) => [
      field.name,
      String(field.args.find((arg) => arg.name === 'after')?.type),
    ]);
    expect(resumeArguments).toEqual([
      ['investigationEvents', 'Position'],
      ['investigations', 'Position'],
    ]);
    const idOf = (name: string): string => {
      const type = schema.getType(name);
      return isObjectType(type) || isInterfaceType(type) ? String(type.getFields().id?.type) : `${name} missing`;
    };
    const streamed = [
      INVESTIGATION_EVENT,
      ...(Object.keys(investigationEventSchemas) as WireEventType[]).map(wireEventSchemaName),
      LIST_EVENT,
    ];
    expect(streamed.map(idOf)).toEqual(streamed.map(() => 'Position!'));
    const lastEventIds = ['InvestigationListPage', 'InvestigationListItem', 'InvestigationSummary', LIST_EVENT].map(
      (name) => {
        const type = schema.getType(name);
        return [name, isObjectType(type) ? String(type.getFields().last_event_id?.type) : 'missing'];
      },
    );
    expect(lastEventIds).toEqual(lastEventIds.map(([name]) => [name, 'Position!']));
    // What is no position stays an Int.
    expect(
      String(
        schema
          .getQueryType()
          ?.getFields()
          .investigations?.args.find((a) => a.name === 'limit')?.type,
      ),
    ).toBe('Int');
  });

  it('fails this check for a wire field the schema lacks', () => {
    const progress = wireEventSchemaName('progress');
    const grown = {
      ...components[progress],
      properties: { ...components[progress]?.properties, new_field: { type: 'string' } },
    };
    expect(missingFields(schema.getType(progress) as GraphQLNamedType, grown)).toEqual([`${progress}.new_field`]);
  });
});
