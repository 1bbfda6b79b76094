import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { schemaRef } from '../docs/api.schemas.js';
import { feedMessageUnion, wireEventUnion } from '../docs/wire-event.schemas.js';

const error = { type: 'object', properties: { error_code: { type: 'string' }, message: { type: 'string' } } } as const;
const errors = (...statuses: number[]) =>
  statuses.map((status) =>
    ApiResponse({
      status,
      description:
        'Error; see docs/events.md. 503: the audit log or the event store is unreachable (AUDIT_LOG_UNAVAILABLE, STORE_UNAVAILABLE), with Retry-After.',
      content: { 'application/json': { schema: error } },
    }),
  );
const anyObject = { type: 'object', additionalProperties: true } as const;

export const DocAuditVerify = () =>
  applyDecorators(
    ApiTags('audit'),
    ApiBearerAuth(),
    ApiOperation({
      summary:
        'Walk the keyed audit chain against its checkpoints and report the first bad record (auditor, admin); writes nothing',
    }),
    ApiResponse({
      status: 200,
      description: 'Whether the chain holds, and where it first breaks; the reasons are in docs/events.md.',
      content: { 'application/json': { schema: schemaRef('AuditVerification') } },
    }),
    ...errors(401, 403, 503),
  );

export const DocAuditExport = () =>
  applyDecorators(
    ApiTags('audit'),
    ApiBearerAuth(),
    ApiOperation({
      summary: 'Stream the audit log as an attachment (auditor, admin)',
      description:
        'Filters: start_date, end_date, severity, event_type (prefix), user_id; format csv (default), json or ndjson.',
    }),
    ...['start_date', 'end_date', 'severity', 'event_type', 'user_id', 'format'].map((name) =>
      ApiQuery({ name, required: false, type: 'string' }),
    ),
    ApiResponse({
      status: 200,
      description: 'The records, streamed.',
      content: {
        'text/csv': { schema: { type: 'string' } },
        'application/json': { schema: { type: 'array', items: schemaRef('AuditRecord') } },
        'application/x-ndjson': { schema: { type: 'string' } },
      },
    }),
    ...errors(400, 401, 403, 503),
  );

export const DocInvestigationHistory = () =>
  applyDecorators(
    ApiTags('investigations'),
    ApiBearerAuth(),
    ApiOperation({ summary: "An investigation's stored events with ids and metadata" }),
    ApiQuery({ name: 'format', required: false, enum: ['json', 'ndjson'] }),
    ApiResponse({
      status: 200,
      description:
        '{ investigation_id, events: [{ id, position, stream_id, type, data, metadata }] }, or one event per NDJSON line.',
      content: { 'application/json': { schema: anyObject }, 'application/x-ndjson': { schema: { type: 'string' } } },
    }),
    ...errors(400, 401, 403, 404, 503),
  );

export const DocInvestigationReplay = () =>
  applyDecorators(
    ApiTags('investigations'),
    ApiBearerAuth(),
    ApiOperation({ summary: 'Replay an investigation over SSE with its original timing divided by speed' }),
    ApiQuery({ name: 'speed', required: false, type: 'number', description: '0 < speed <= 1000, default 1.' }),
    ApiQuery({ name: 'last_event_id', required: false, type: 'integer' }),
    ApiHeader({
      name: 'last-event-id',
      required: false,
      description: 'Replay from the event after this id, timed from that event on (a seek, or a resume).',
    }),
    ApiResponse({
      status: 200,
      description: 'The replayed events, as on the live stream.',
      content: { 'text/event-stream': { schema: wireEventUnion() } },
    }),
    ...errors(400, 401, 403, 404, 503),
  );

export const DocEventsStream = () =>
  applyDecorators(
    ApiTags('events'),
    ApiBearerAuth(),
    ApiOperation({ summary: 'Every domain event as CloudEvents over SSE; id = global position (auditor, admin)' }),
    ApiQuery({ name: 'category', required: false, type: 'string' }),
    ApiQuery({ name: 'type', required: false, type: 'string' }),
    ApiQuery({ name: 'last_event_id', required: false, type: 'integer' }),
    ApiHeader({ name: 'last-event-id', required: false, description: 'Global position to resume after.' }),
    ApiResponse({
      status: 200,
      description:
        'CloudEvents 1.0 JSON in each data: line (or the error that interrupts the stream); see docs/events.md.',
      content: { 'text/event-stream': { schema: feedMessageUnion() } },
    }),
    ...errors(400, 401, 403, 503),
  );
