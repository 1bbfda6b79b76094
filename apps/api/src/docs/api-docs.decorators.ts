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
import { schemaRef } from './api.schemas.js';
import { wireEventUnion } from './wire-event.schemas.js';

const ERRORS: Record<number, string> = {
  400: 'Invalid input: unknown fields, wrong types, bad JSON, a bad id or header.',
  401: 'Missing or invalid bearer token.',
  403: 'The token lacks the permission.',
  404: 'No such investigation (or not yours).',
  409: 'Conflicts with the current state, or an Idempotency-Key reused for another request.',
  429: 'Rate limit reached; see Retry-After.',
  503: 'The bus, the event store or the audit log is unreachable (SERVICE_UNAVAILABLE, STORE_UNAVAILABLE, AUDIT_LOG_UNAVAILABLE), or the server is at capacity; see Retry-After.',
};

const errors = (...statuses: number[]) =>
  statuses.map((status) =>
    ApiResponse({ status, description: ERRORS[status] ?? 'Error.', schema: schemaRef('Error') }),
  );

const investigationId = ApiParam({ name: 'id', description: 'Investigation id (letters, digits, _ and -).' });

export const DocLiveness = () =>
  applyDecorators(
    ApiTags('health'),
    ApiOperation({ summary: 'Liveness: the process answers' }),
    ApiResponse({ status: 200, description: 'Alive.', schema: schemaRef('Liveness') }),
  );

export const DocReadiness = () =>
  applyDecorators(
    ApiTags('health'),
    ApiOperation({ summary: 'Readiness: the command bus and the event store answer' }),
    ApiResponse({ status: 200, description: 'Ready to serve.', schema: schemaRef('Readiness') }),
    ApiResponse({
      status: 503,
      description: 'Not ready; `details` has the Readiness document.',
      schema: schemaRef('Error'),
    }),
  );

export const DocMetrics = () =>
  applyDecorators(
    ApiTags('health'),
    ApiOperation({ summary: 'Prometheus metrics (text exposition format)' }),
    ApiResponse({
      status: 200,
      description:
        'http_request_duration_seconds, websocket_connections_active, sse_events_sent_total, streaming_errors_total and the process figures.',
      content: { 'text/plain': { schema: { type: 'string' } } },
    }),
  );

export const DocStartInvestigation = () =>
  applyDecorators(
    ApiTags('investigations'),
    ApiBearerAuth(),
    ApiOperation({
      summary: 'Start an investigation',
      description: 'Answers 202 once the command bus durably accepted the command.',
    }),
    ApiHeader({
      name: 'idempotency-key',
      required: false,
      description: 'Retries with the same key start the investigation once.',
    }),
    ApiBody({ schema: schemaRef('StartInvestigationRequest') }),
    ApiResponse({ status: 202, description: 'Accepted.', schema: schemaRef('InvestigationAccepted') }),
    ...errors(400, 401, 403, 409, 429, 503),
  );

export const DocPreviewInvestigation = () =>
  applyDecorators(
    ApiTags('investigations'),
    ApiBearerAuth(),
    ApiOperation({
      summary: 'Preview the filters and plan of an investigation',
      description:
        'The filters read from the Portuguese query (explicit filters win) and the detectors Abaporu would run, as the worker reads them once started. Starts nothing.',
    }),
    ApiBody({ schema: schemaRef('StartInvestigationRequest') }),
    ApiResponse({ status: 200, description: 'The preview.', schema: schemaRef('InvestigationPreview') }),
    ...errors(400, 401, 403, 429),
  );

export const DocGetInvestigation = () =>
  applyDecorators(
    ApiTags('investigations'),
    ApiBearerAuth(),
    ApiOperation({ summary: 'Current state of an investigation' }),
    investigationId,
    ApiResponse({ status: 200, description: 'The read model.', schema: schemaRef('InvestigationSummary') }),
    ...errors(400, 401, 403, 404, 429, 503),
  );

export const DocCancelInvestigation = () =>
  applyDecorators(
    ApiTags('investigations'),
    ApiBearerAuth(),
    ApiOperation({ summary: 'Cancel a running investigation' }),
    investigationId,
    ApiBody({ required: false, schema: schemaRef('CancelInvestigationRequest') }),
    ApiResponse({ status: 202, description: 'Cancellation accepted.', schema: schemaRef('CancellationAccepted') }),
    ...errors(400, 401, 403, 404, 409, 429, 503),
  );

export const DocInvestigationStream = () =>
  applyDecorators(
    ApiTags('investigations'),
    ApiBearerAuth(),
    ApiOperation({
      summary: 'Stream an investigation (SSE): history, then live',
      description: [
        'Server-Sent Events. The stream opens with `retry: <ms>`, then sends each event as `id: <revision>` and `data: <JSON>` lines',
        '(no `event:` field), a `: keepalive` comment every SSE_KEEPALIVE_INTERVAL seconds, and ends after `complete`, `error` or `cancelled`.',
        'Resume after a disconnect with the Last-Event-ID header (or ?last_event_id=): no event is lost or repeated.',
        'The `data:` payload is one of the InvestigationEvent_* schemas. With Accept-Encoding: gzip the stream is gzipped and flushed per event.',
      ].join(' '),
    }),
    investigationId,
    ApiHeader({
      name: 'last-event-id',
      required: false,
      description: 'The last event id received; the stream resumes after it.',
    }),
    ApiQuery({
      name: 'last_event_id',
      required: false,
      type: 'integer',
      description: 'Same as Last-Event-ID, for clients that cannot set headers.',
    }),
    ApiResponse({
      status: 200,
      description: 'The event stream.',
      content: { 'text/event-stream': { schema: wireEventUnion() } },
    }),
    ApiResponse({
      status: 204,
      description: 'Last-Event-ID is at or past the terminal event: nothing follows (EventSource stops reconnecting).',
    }),
    ...errors(400, 401, 403, 404, 429, 503),
  );
