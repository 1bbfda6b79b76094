import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';

const error = { type: 'object', properties: { error_code: { type: 'string' }, message: { type: 'string' } } } as const;
const patterns = {
  type: 'array',
  maxItems: 50,
  items: { type: 'string', pattern: '^[A-Za-z0-9_.:*-]{1,200}$' },
} as const;

const webhook = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    url: { type: 'string', format: 'uri' },
    events: {
      ...patterns,
      description: 'Type patterns (`*` wildcard) on `Type` or `category.Type`; empty: every type.',
    },
    streams: { ...patterns, description: 'Stream id patterns (`*` wildcard); empty: every stream.' },
    mode: { type: 'string', enum: ['binary', 'structured'] },
    created_at: { type: 'string', format: 'date-time' },
    created_by: { type: 'string' },
    position: { type: 'integer', description: 'Global position of the registration: later events are delivered.' },
  },
} as const;

const delivery = {
  type: 'object',
  properties: {
    event_id: { type: 'string', description: 'The CloudEvent id and the `webhook-id` header.' },
    position: { type: 'integer' },
    stream_id: { type: 'string' },
    revision: { type: 'integer' },
    type: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: 'integer' },
    status_codes: { type: 'array', items: { type: 'integer', nullable: true } },
    last_error: { type: 'string', nullable: true },
    enqueued_at: { type: 'string', format: 'date-time' },
    first_attempt_at: { type: 'string', format: 'date-time', nullable: true },
    next_attempt_at: { type: 'string', format: 'date-time', nullable: true },
    delivered_at: { type: 'string', format: 'date-time', nullable: true },
  },
} as const;

const json = (schema: object) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  statuses.map((status) => ApiResponse({ status, description: 'Error; see docs/events.md.', content: json(error) }));
const idParam = ApiParam({ name: 'id', description: 'The webhook id' });
const common = (summary: string, description: string) =>
  [ApiTags('webhooks'), ApiBearerAuth(), ApiOperation({ summary, description })] as const;

export const DocRegisterWebhook = () =>
  applyDecorators(
    ...common(
      'Register a webhook (admin)',
      'Every later event matching the filters is POSTed to the URL as a CloudEvent, signed as Standard Webhooks specifies, in order per stream, retried with backoff for 24 h. The signing secret is in this answer only. Recorded as admin.webhook_registered.',
    ),
    ApiBody({
      schema: {
        type: 'object',
        required: ['url'],
        additionalProperties: false,
        properties: {
          url: {
            type: 'string',
            format: 'uri',
            maxLength: 2048,
            description:
              'http:// or https://, no credentials; a public address unless WEBHOOK_ALLOWED_NETWORKS allows it',
          },
          events: patterns,
          streams: patterns,
          mode: { type: 'string', enum: ['binary', 'structured'], default: 'structured' },
        },
      },
    }),
    ApiResponse({
      status: 201,
      description: 'The webhook, with its signing secret (`whsec_…`), shown once.',
      content: json({ ...webhook, properties: { ...webhook.properties, secret: { type: 'string' } } }),
    }),
    ...errors(400, 401, 403),
  );

export const DocListWebhooks = () =>
  applyDecorators(
    ...common('List webhooks (admin)', 'Every registered webhook, oldest first; secrets are never listed.'),
    ApiResponse({
      status: 200,
      description: 'The webhooks.',
      content: json({ type: 'object', properties: { webhooks: { type: 'array', items: webhook } } }),
    }),
    ...errors(401, 403),
  );

interface Success {
  readonly status: number;
  readonly description: string;
  readonly schema: object;
}

/** A route on one webhook: its id in the path, 404 when there is no such webhook. */
const onWebhook = (summary: string, description: string, success: Success, ...details: MethodDecorator[]) =>
  applyDecorators(
    ...common(summary, description),
    idParam,
    ...details,
    ApiResponse({ status: success.status, description: success.description, content: json(success.schema) }),
    ...errors(400, 401, 403, 404),
  );

const object = (properties: Record<string, object>) => ({ type: 'object', properties });

export const DocGetWebhook = () =>
  onWebhook('One webhook (admin)', 'Its registration, without the secret.', {
    status: 200,
    description: 'The webhook.',
    schema: webhook,
  });

export const DocDeleteWebhook = () =>
  onWebhook(
    'Delete a webhook (admin)',
    'No event is sent to it from now on, retries included. Recorded as admin.webhook_deleted.',
    {
      status: 200,
      description: 'Deleted.',
      schema: object({ id: { type: 'string' }, deleted_by: { type: 'string' } }),
    },
  );

export const DocWebhookDeliveries = () =>
  onWebhook(
    'Delivery log of a webhook (admin)',
    'One row per event owed to the webhook, newest first: attempts, the status codes of the latest ones, the next attempt.',
    {
      status: 200,
      description: 'The log.',
      schema: object({ webhook_id: { type: 'string' }, deliveries: { type: 'array', items: delivery } }),
    },
    ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } }),
    ApiQuery({ name: 'status', required: false, schema: { type: 'string', enum: ['pending', 'delivered', 'failed'] } }),
    ApiQuery({
      name: 'before',
      required: false,
      schema: { type: 'integer', minimum: 1 },
      description: 'Rows of events before this global position: the last row’s position pages on.',
    }),
  );

export const DocReplayWebhook = () =>
  onWebhook(
    'Redeliver from a position (admin)',
    'Every event the webhook wants from `from` (a global position, or the id of an event in its delivery log; inclusive) up to now is delivered again, in order per stream, with its original `webhook-id`. Recorded as admin.webhook_replayed.',
    {
      status: 202,
      description: 'The redelivery is recorded; the dispatcher takes it in order.',
      schema: object({ webhook_id: { type: 'string' }, from: { type: 'integer' } }),
    },
    ApiBody({
      schema: {
        type: 'object',
        required: ['from'],
        additionalProperties: false,
        properties: { from: { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }] } },
      },
    }),
  );
