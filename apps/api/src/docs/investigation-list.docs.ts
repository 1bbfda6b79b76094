import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RECORDED_STATUSES } from '#investigations';
import { errorResponses, schemaRef } from './api.schemas.js';
import { listEventUnion } from './wire-event.schemas.js';

const errors = errorResponses;

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
    ApiQuery({
      name: 'status',
      required: false,
      enum: [...RECORDED_STATUSES],
      description: 'Queued investigations (accepted, no event yet) are not listed: `queued` is refused with 400.',
    }),
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
    ApiResponse({ status: 200, description: 'A page.', schema: schemaRef('InvestigationListPage') }),
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
      content: { 'text/event-stream': { schema: listEventUnion() } },
    }),
    ...errors(400, 401, 403, 429, 503),
  );
