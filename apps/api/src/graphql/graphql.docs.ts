import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { schemaRef } from '../docs/api.schemas.js';

const result = {
  type: 'object',
  description:
    'A GraphQL result: data, and errors with extensions.code (VALIDATION_ERROR, NOT_FOUND, QUERY_TOO_DEEP…).',
  properties: {
    data: { type: 'object', nullable: true, additionalProperties: true },
    errors: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

const description = [
  'Queries `investigations(status, owner, since, until, q, limit, cursor)` (the list, as GET /api/v1/investigations)',
  'and `investigation(id)` (one investigation with its anomalies, as GET /api/v1/investigations/{id}).',
  'Subscriptions (`investigationEvents(id, after)`, `investigations(after, owner)`) are served over WebSocket at the',
  'same path with the graphql-transport-ws subprotocol (graphql-ws); see the AsyncAPI document.',
  'Queries deeper than GRAPHQL_MAX_DEPTH, costlier than GRAPHQL_MAX_COST or with more aliases than GRAPHQL_MAX_ALIASES are refused with 400 before they run.',
  'Introspection is allowed. Roles as on the REST routes: investigation:watch.',
].join(' ');

const outcomes = () => [
  ApiResponse({ status: 200, description: 'The result, with field errors if any.', schema: result }),
  ApiResponse({ status: 400, description: 'Refused before it ran (parse, validation, limits).', schema: result }),
  ...[401, 403, 429, 503].map((status) =>
    ApiResponse({ status, description: `Error ${status}.`, schema: schemaRef('Error') }),
  ),
];

export const DocGraphqlPost = () =>
  applyDecorators(
    ApiTags('graphql'),
    ApiBearerAuth(),
    ApiOperation({ summary: 'Run a GraphQL query', description }),
    ApiBody({
      schema: {
        type: 'object',
        required: ['query'],
        properties: {
          query: { type: 'string' },
          variables: { type: 'object', nullable: true, additionalProperties: true },
          operationName: { type: 'string', nullable: true },
        },
      },
    }),
    ...outcomes(),
  );

export const DocGraphqlGet = () =>
  applyDecorators(
    ApiTags('graphql'),
    ApiBearerAuth(),
    ApiOperation({ summary: 'Run a GraphQL query given in the URL', description }),
    ApiQuery({ name: 'query', required: true, description: 'The GraphQL document (a query).' }),
    ApiQuery({ name: 'variables', required: false, description: 'The variables, as JSON text.' }),
    ApiQuery({ name: 'operationName', required: false, description: 'The operation to run.' }),
    ...outcomes(),
  );
