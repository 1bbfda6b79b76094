import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { SEVERITIES } from '#analysis';
import { schemaRef } from './api.schemas.js';

const nullableText = (description: string): SchemaObject => ({ type: 'string', nullable: true, description });

const listItem: SchemaObject = {
  type: 'object',
  required: [
    'investigation_id',
    'query',
    'status',
    'current_phase',
    'progress',
    'anomalies_by_severity',
    'started_at',
    'completed_at',
    'user_id',
    'last_event_id',
  ],
  properties: {
    investigation_id: { type: 'string' },
    query: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] },
    current_phase: nullableText('data_retrieval, analyzing_contracts, anomaly_detection or generating_report.'),
    progress: { type: 'number', minimum: 0, maximum: 100 },
    anomalies_by_severity: {
      type: 'object',
      required: [...SEVERITIES],
      properties: Object.fromEntries(SEVERITIES.map((s) => [s, { type: 'integer', minimum: 0 }])),
    },
    started_at: nullableText('ISO-8601.'),
    completed_at: nullableText('ISO-8601: when it completed, failed or was cancelled.'),
    user_id: nullableText('The owner.'),
    last_event_id: { type: 'integer', description: "Revision of the investigation's stream the item reflects." },
  },
};

const page: SchemaObject = {
  type: 'object',
  required: ['items', 'next_cursor', 'last_event_id'],
  properties: {
    items: { type: 'array', items: listItem },
    next_cursor: nullableText('Pass as ?cursor= for the next page; null on the last page.'),
    last_event_id: {
      type: 'integer',
      description:
        'Open GET /api/v1/investigations/stream with this as Last-Event-ID to follow the list from this page on.',
    },
  },
};

const errors = (...statuses: number[]) =>
  statuses.map((status) => ApiResponse({ status, description: `Error ${status}.`, schema: schemaRef('Error') }));

const visibility =
  "Viewers and analysts see their own investigations; auditors and admins see everyone's, and may narrow to one owner with owner=.";

export const DocListInvestigations = () =>
  applyDecorators(
    ApiTags('investigations'),
    ApiBearerAuth(),
    ApiOperation({
      summary: 'List investigations, newest first',
      description: `Answered from the investigation summaries read model. ${visibility} Queued investigations no worker has started yet are not listed.`,
    }),
    ApiQuery({ name: 'status', required: false, enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] }),
    ApiQuery({ name: 'owner', required: false, description: 'Auditors and admins only; ignored for the others.' }),
    ApiQuery({
      name: 'since',
      required: false,
      description: 'Started at or after (YYYY-MM-DD or ISO-8601 with offset).',
    }),
    ApiQuery({ name: 'until', required: false, description: 'Started before (YYYY-MM-DD or ISO-8601 with offset).' }),
    ApiQuery({ name: 'q', required: false, description: 'Case-insensitive text the query contains.' }),
    ApiQuery({ name: 'limit', required: false, type: 'integer', description: '1-100, default 20.' }),
    ApiQuery({ name: 'cursor', required: false, description: 'The next_cursor of the previous page (opaque).' }),
    ApiResponse({ status: 200, description: 'A page.', schema: page }),
    ...errors(400, 401, 403, 429, 503),
  );

export const DocInvestigationChanges = () =>
  applyDecorators(
    ApiTags('investigations'),
    ApiBearerAuth(),
    ApiOperation({
      summary: 'Changes to the investigations list (SSE)',
      description: [
        'Server-Sent Events: each change to a summary the caller may see is one event, `id: <position>` and',
        '`data: {"type":"investigation_summary", ...list item}`. Without Last-Event-ID it starts from now; resume with',
        'the Last-Event-ID header (or ?last_event_id=), or the last_event_id of a list page, to receive every summary',
        `changed since, in its latest state. ${visibility}`,
      ].join(' '),
    }),
    ApiHeader({ name: 'last-event-id', required: false, description: 'Resume after this position.' }),
    ApiQuery({ name: 'last_event_id', required: false, type: 'integer', description: 'Same as Last-Event-ID.' }),
    ApiQuery({ name: 'owner', required: false, description: 'Auditors and admins only; ignored for the others.' }),
    ApiResponse({
      status: 200,
      description: 'The event stream.',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    }),
    ...errors(400, 401, 403, 429, 503),
  );
