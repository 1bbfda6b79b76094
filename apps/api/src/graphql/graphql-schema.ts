import {
  GraphQLID,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLNullableType,
} from 'graphql';
import { apiSchemas } from '../docs/api.schemas.js';
import {
  investigationEventSchemas,
  listEventSchemaName,
  wireEventSchemaName,
  type WireEventType,
} from '../docs/wire-event.schemas.js';
import { listInvestigationsSchema } from '../investigations/investigation-list.dto.js';
import { GraphqlTypes } from './json-schema-to-graphql.js';
import { GraphQLPosition } from './position-scalar.js';

/** A stream message as GraphQL sends it: the wire event with its resume point `id`. */
export type GraphqlEvent = { readonly id: number; readonly type: string } & Readonly<Record<string, unknown>>;

/** What the schema's fields do; the schema itself only names and types them. */
export interface GraphqlOperations<Context> {
  investigations(args: Readonly<Record<string, unknown>>, context: Context): Promise<unknown>;
  investigation(id: string, context: Context): Promise<unknown>;
  investigationEvents(id: string, after: number, context: Context): Promise<AsyncIterable<GraphqlEvent>>;
  investigationChanges(
    after: number | null,
    owner: string | undefined,
    context: Context,
  ): Promise<AsyncIterable<GraphqlEvent>>;
}

export const INVESTIGATION_EVENT = 'InvestigationEvent';
export const LIST_EVENT = listEventSchemaName('investigation_summary');
const nonNull = <T extends GraphQLNullableType>(type: T): GraphQLNonNull<T> => new GraphQLNonNull(type);
const resumeId = (description: string): GraphQLFieldConfigMap<unknown, unknown> => ({
  id: { type: nonNull(GraphQLPosition), description },
});

const REVISION =
  "The event's revision in the investigation's stream (the SSE id): resubscribe with after set to it to resume.";
const POSITION = "The change's position (the list stream's SSE id): resubscribe with after set to it to resume.";

/** The arguments of GET /api/v1/investigations, by name: `limit` a number, the rest text, all checked as there. */
const listArguments = (): GraphQLFieldConfigArgumentMap =>
  Object.fromEntries(
    Object.keys(listInvestigationsSchema.shape).map((name) => [
      name,
      { type: name === 'limit' ? GraphQLInt : GraphQLString },
    ]),
  );

/**
 * The schema of /graphql, made from the wire's own JSON Schemas (the ones OpenAPI and
 * AsyncAPI are made of): every event, list item and summary field is there as the wire
 * has it, snake_case included. Stream events gain `id`, their resume point.
 */
export function graphqlSchema<Context>(operations: GraphqlOperations<Context>): GraphQLSchema {
  const types = new GraphqlTypes();
  const components = apiSchemas();
  for (const [name, schema] of Object.entries(components)) types.add({ name, schema });
  const eventInterface = new GraphQLInterfaceType({
    name: INVESTIGATION_EVENT,
    description: 'An event of an investigation stream; its type names the event (progress, anomaly, complete…).',
    fields: { ...resumeId(REVISION), type: { type: nonNull(GraphQLString) } },
    resolveType: (event: GraphqlEvent) => wireEventSchemaName(event.type as WireEventType),
  });
  const eventTypes = Object.keys(investigationEventSchemas).map((type) => {
    const name = wireEventSchemaName(type as WireEventType);
    types.add({
      name,
      schema: components[name] ?? {},
      extraFields: () => resumeId(REVISION),
      interfaces: [eventInterface],
    });
    return types.object(name);
  });
  types.add({ name: LIST_EVENT, schema: components[LIST_EVENT] ?? {}, extraFields: () => resumeId(POSITION) });

  const query = new GraphQLObjectType<unknown, Context>({
    name: 'Query',
    fields: {
      investigations: {
        type: nonNull(types.object('InvestigationListPage')),
        description:
          'A page of the investigations list, as GET /api/v1/investigations answers it (same filters and cursor).',
        args: listArguments(),
        resolve: (_root, args: Record<string, unknown>, context) => operations.investigations(args, context),
      },
      investigation: {
        type: types.object('InvestigationSummary'),
        description: 'One investigation with its anomalies, as GET /api/v1/investigations/{id} answers it.',
        args: { id: { type: nonNull(GraphQLID) } },
        resolve: (_root, args: { id: string }, context) => operations.investigation(args.id, context),
      },
    },
  });
  const passThrough = (event: unknown): unknown => event;
  const subscription = new GraphQLObjectType<unknown, Context>({
    name: 'Subscription',
    fields: {
      investigationEvents: {
        type: nonNull(eventInterface),
        description:
          "An investigation's events, history after `after` then live, ending after its last event: the SSE stream's events.",
        args: {
          id: { type: nonNull(GraphQLID) },
          after: {
            type: GraphQLPosition,
            description: 'Resume after this revision (an event id already received); 0 from the start.',
          },
        },
        subscribe: (_root, args: { id: string; after?: number | null }, context) =>
          operations.investigationEvents(args.id, args.after ?? 0, context),
        resolve: passThrough,
      },
      investigations: {
        type: nonNull(types.object(LIST_EVENT)),
        description: 'Each change to an investigation the caller may see, as the list stream pushes it.',
        args: {
          after: {
            type: GraphQLPosition,
            description: "Resume after this position (an event's id, or a page's last_event_id).",
          },
          owner: { type: GraphQLString, description: 'Auditors and admins only; ignored for the others.' },
        },
        subscribe: (_root, args: { after?: number | null; owner?: string | null }, context) =>
          operations.investigationChanges(args.after ?? null, args.owner ?? undefined, context),
        resolve: passThrough,
      },
    },
  });
  return new GraphQLSchema({ query, subscription, types: eventTypes });
}
