import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { errorResponses } from '../docs/api.schemas.js';

const errors = errorResponses;

const names =
  "investigation:<id>, chat:<session id>, investigations (the list's changes) or events (every domain event; audit:export)";

const streamList: SchemaObject = { type: 'array', items: { type: 'string' }, maxItems: 1000 };

const connectionState: SchemaObject = {
  type: 'object',
  required: ['connection_id', 'control_url', 'streams'],
  properties: {
    connection_id: { type: 'string', format: 'uuid' },
    control_url: { type: 'string', example: '/api/v1/streams/3f0c…' },
    streams: streamList,
  },
};

export const DocMultiplexedStream = () =>
  applyDecorators(
    ApiTags('streams'),
    ApiBearerAuth(),
    ApiOperation({
      summary: 'Several streams on one connection (SSE)',
      description: [
        `Server-Sent Events of every stream named in subscribe (${names}), each event its stream's own data`,
        'with a "stream" field first. The SSE id is a cursor of every stream\'s position: resume all of them with the',
        'Last-Event-ID header (or ?last_event_id=). The first event, {"type":"subscriptions",…}, and the',
        'X-Stream-Control header give the control URL that adds and removes streams without reconnecting.',
        'Streams the cursor does not hold start as on their own endpoints without Last-Event-ID: investigations,',
        'chat sessions and the event feed from their beginning, the investigations list from now on.',
      ].join(' '),
    }),
    ApiQuery({ name: 'subscribe', required: true, description: `Comma-separated: ${names}.` }),
    ApiHeader({ name: 'last-event-id', required: false, description: 'A cursor (an SSE id of this endpoint).' }),
    ApiQuery({ name: 'last_event_id', required: false, description: 'Same as Last-Event-ID.' }),
    ApiResponse({
      status: 200,
      description: 'The event stream; X-Stream-Control names its control URL.',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    }),
    ...errors(400, 401, 403, 404, 429, 503),
  );

export const DocChangeMultiplexedStream = () =>
  applyDecorators(
    ApiTags('streams'),
    ApiBearerAuth(),
    ApiOperation({
      summary: 'Add and remove streams of an open multiplexed connection',
      description: [
        'Only the user who opened the connection may change it; streams are authorised as on GET /api/v1/streams,',
        'and nothing changes when one is refused. Unsubscribes apply first. The connection then sends a new',
        '"subscriptions" event whose id holds the added streams\' starts. Answered by the API process holding the',
        'connection (404 on another).',
      ].join(' '),
    }),
    ApiParam({ name: 'connectionId', description: 'The connection_id of the subscriptions event.' }),
    ApiBody({
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { subscribe: streamList, unsubscribe: streamList },
        example: { subscribe: ['investigation:5d1c…'], unsubscribe: ['investigations'] },
      },
    }),
    ApiResponse({ status: 200, description: "The connection's streams now.", schema: connectionState }),
    ...errors(400, 401, 403, 404, 429),
  );
