import type { SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { AUDIT_WIRE_COLUMNS, SEVERITIES } from '#audit';
import { INTENTS } from '#chat';
import { INVESTIGATION_STATUSES as STATUSES } from '#investigations';

/**
 * What the streams send, as zod schemas: the OpenAPI and AsyncAPI documents and the
 * installable client's types are all generated from these, and the unit spec beside this
 * file holds them to the servers' own types, so none of the four can drift.
 */
const text = (description: string) => z.string().meta({ description });
const timestamp = z.string().meta({ format: 'date-time', description: 'When the fact was recorded.' });
const count = z.number().int().min(0);
/**
 * The JSON Schema format of revisions and global positions: integers that outgrow 32 bits on
 * a long-lived store (GraphQL gives them the Position scalar, not Int).
 */
export const POSITION_FORMAT = 'int64';
/** An event's revision in its stream or its global position: every id a stream is resumed after. */
export const positionSchema = z.number().int().min(0).meta({ format: POSITION_FORMAT });
const investigationId = text('The investigation this event belongs to.');
const errorFields = {
  error_code: text('Machine-readable cause, e.g. ANALYSIS_FAILED or STREAM_FAILED.'),
  message: text('Human-readable explanation.'),
  fallback_endpoint: text('Where the current state can be read instead.'),
  retry_after: z.number().int().nullable().meta({ description: 'Seconds before retrying, when known.' }),
};

const event = <T extends string, S extends z.ZodRawShape>(type: T, description: string, shape: S) =>
  z.strictObject({ type: z.literal(type), ...shape }).meta({ description });

export const investigationEventSchemas = {
  progress: event(
    'progress',
    'Progress of the analysis; the first event of every investigation (progress 0, phase "started").',
    {
      investigation_id: investigationId,
      progress: z.number().min(0).max(100).meta({ description: 'Percentage of the work done.' }),
      current_phase: text('started, data_retrieval, analyzing_contracts, anomaly_detection or generating_report.'),
      records_processed: count,
      anomalies_detected: count,
      timestamp,
      notice: text(
        'On the first event only, when the data needs a word: data_source "contracts" on a server without PORTAL_TRANSPARENCIA_API_KEY analyses synthetic contracts.',
      ).optional(),
    },
  ),
  phase: event('phase', 'A new phase begins.', {
    investigation_id: investigationId,
    phase: text('The phase that begins.'),
    previous_phase: z.string().nullable().meta({ description: 'The phase that ended, null for the first.' }),
    timestamp,
  }),
  anomaly: event('anomaly', 'An anomaly found in the contracts.', {
    investigation_id: investigationId,
    anomaly_id: text('Stable id: the same finding always has the same id.'),
    anomaly_type: text(
      'price_deviation, vendor_concentration, temporal_pattern, duplicate_contract, amendment_over_limit, split_purchase or benford_deviation.',
    ),
    severity: z.enum(SEVERITIES),
    contract_id: text('The most representative contract of the finding.'),
    details: z
      .record(z.string(), z.unknown())
      .meta({ description: 'score (0..1), explanation (Portuguese), contract_ids, evidence.' }),
    timestamp,
  }),
  complete: event('complete', 'The investigation finished; the stream ends after it.', {
    investigation_id: investigationId,
    total_anomalies: count,
    records_processed: count,
    execution_time: z
      .string()
      .regex(/^\d+\.\ds$/)
      .meta({ description: 'As "45.2s".' }),
    timestamp,
  }),
  // A stream cut by the server sends an error without the investigation's own fields.
  error: event(
    'error',
    'The investigation failed, or the stream was interrupted (then without investigation_id and timestamp); the stream ends after it.',
    { investigation_id: investigationId.optional(), ...errorFields, timestamp: timestamp.optional() },
  ),
  cancelled: event('cancelled', 'The investigation was cancelled; the stream ends after it.', {
    investigation_id: investigationId,
    reason: text('Why it was cancelled.'),
    timestamp,
  }),
  trends: event(
    'trends',
    "Anita's spending trends over the pages read so far, after each page: charts grow as pages arrive.",
    {
      investigation_id: investigationId,
      page: z.number().int().min(1).meta({ description: 'The last page these trends include.' }),
      months: z
        .array(
          z.strictObject({
            month: z
              .string()
              .regex(/^\d{4}-\d{2}$/)
              .meta({ description: 'YYYY-MM' }),
            count: count,
            value: z.number().meta({ description: 'Value signed in the month, in reais.' }),
          }),
        )
        .meta({ description: 'Monthly series, months without contracts as zeros.' }),
      total_contracts: count,
      total_value: z.number().meta({ description: 'Value of the contracts read so far, in reais.' }),
      summary: text('One paragraph in Portuguese.'),
      timestamp,
    },
  ),
} as const;

export const chatEventSchemas = {
  start: event('start', 'The answer to one message begins.', {
    timestamp,
    session_id: text('The conversation.'),
    message_id: text('The message answered.'),
    session_token: text('The secret of a session started without a token; sent once, when it started.').optional(),
  }),
  detecting: event('detecting', 'The intent is being detected.', { message: text('What is happening.') }),
  intent: event('intent', 'The intent detected.', {
    intent: z.enum(INTENTS),
    confidence: z.number().min(0).max(1),
  }),
  agent_selected: event('agent_selected', 'The agent that answers.', {
    agent_id: text('GET /api/v1/chat/agents lists them.'),
    agent_name: text('Its name.'),
  }),
  chunk: event('chunk', 'A piece of the answer; joined, the chunks are the exact answer.', {
    content: text('The next characters.'),
  }),
  complete: event('complete', 'The answer is complete.', { total_tokens: count }),
  error: event('error', 'The answer failed.', errorFields),
} as const;

/** The in-stream error of any SSE stream cut by the server (shutdown, store away, time limit). */
export const streamErrorSchema = event(
  'error',
  'The server interrupted the stream: resume after retry_after seconds with Last-Event-ID.',
  errorFields,
);

/** An event of the downstream feed (SSE /api/v1/events/stream, JetStream EVENTS): CloudEvents 1.0 JSON. */
export const cloudEventSchema = z
  .strictObject({
    specversion: z.literal('1.0'),
    id: text('The event id.'),
    source: text('Where it happened, e.g. /cidadao-ai/investigations.'),
    type: text('br.gov.cidadao-ai.<category>.<EventType>.'),
    subject: text('The stream: investigation-<id>, chat-<id>.'),
    time: timestamp,
    datacontenttype: z.literal('application/json'),
    data: z.unknown().meta({ description: "The domain event's data." }),
    position: positionSchema.meta({ description: 'Global position: resume the feed after it.' }),
    revision: positionSchema.meta({ description: 'Revision in its own stream.' }),
    correlationid: text('Correlation id of the request that led to it.'),
    causationid: text('The command that caused it.'),
    userid: text('Who caused it.'),
  })
  .meta({ description: 'A domain event as CloudEvents 1.0 JSON.' });

const nullableText = z.string().nullable();
/** One audit record as exported (`/api/v1/audit/export`) and relayed (`AUDIT` data). */
export const auditRecordSchema = z
  .strictObject({
    seq: z.number().int().min(1).meta({ description: 'Contiguous from 1.' }),
    timestamp,
    event_type: text('<area>.<what happened>, e.g. investigation.started.'),
    severity: z.enum(SEVERITIES),
    user_id: nullableText,
    ip: nullableText,
    user_agent: nullableText,
    request_id: nullableText,
    correlation_id: nullableText,
    resource_type: nullableText,
    resource_id: nullableText,
    success: z.boolean(),
    error_code: nullableText,
    message: text('What happened.'),
    prev_hash: text('hash of the record before (64 zeros for the first).'),
    hash: text('HMAC-SHA256 (or SHA-256) chaining this record to the one before.'),
  })
  .meta({ description: 'One record of the tamper-evident audit log.' });

// The export's columns and this schema are one list: a column added there must be described here.
const _columns: Record<(typeof AUDIT_WIRE_COLUMNS)[number], unknown> = auditRecordSchema.shape;
void _columns;

/** An audit record on the JetStream AUDIT stream: CloudEvents 1.0, `position` = seq. */
export const auditCloudEventSchema = z
  .strictObject({
    specversion: z.literal('1.0'),
    id: text('audit-<seq>-<hash prefix>.'),
    source: z.literal('/cidadao-ai/audit'),
    type: text('br.gov.cidadao-ai.audit.<event_type>.'),
    subject: text("The record's event_type."),
    time: timestamp,
    datacontenttype: z.literal('application/json'),
    data: auditRecordSchema,
    position: z.number().int().min(1).meta({ description: "The record's seq." }),
    correlationid: nullableText,
    userid: nullableText,
    hashalg: z.enum(['hmac-sha256', 'sha256']).meta({ description: 'How data.hash was made.' }),
    keyid: z.string().nullable().meta({ description: 'The HMAC key id; null for plain SHA-256.' }),
  })
  .meta({ description: 'An audit record as CloudEvents 1.0 JSON.' });

const nullableInstant = (description: string) => z.string().nullable().meta({ format: 'date-time', description });
const listItemShape = {
  investigation_id: text('The investigation.'),
  query: text('What was asked, as asked.'),
  status: z.enum(STATUSES),
  current_phase: z
    .string()
    .nullable()
    .meta({ description: 'data_retrieval, analyzing_contracts, anomaly_detection or generating_report.' }),
  progress: z.number().min(0).max(100).meta({ description: 'Percentage of the work done.' }),
  anomalies_by_severity: z.strictObject(
    Object.fromEntries(SEVERITIES.map((s) => [s, count])) as Record<(typeof SEVERITIES)[number], typeof count>,
  ),
  started_at: nullableInstant('When it started.'),
  completed_at: nullableInstant('When it completed, failed or was cancelled.'),
  user_id: z.string().nullable().meta({ description: 'The owner.' }),
  last_event_id: positionSchema.meta({ description: "Revision of the investigation's stream the item reflects." }),
};

/** One row of GET /api/v1/investigations: what a dashboard's list shows. */
export const investigationListItemSchema = z
  .strictObject(listItemShape)
  .meta({ description: 'One investigation as a list shows it.' });

/** A page of GET /api/v1/investigations. */
export const investigationListPageSchema = z
  .strictObject({
    items: z.array(investigationListItemSchema),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as ?cursor= for the next page; null on the last page.' }),
    last_event_id: positionSchema.meta({
      description:
        'Open GET /api/v1/investigations/stream with this as Last-Event-ID to follow the list from this page on.',
    }),
  })
  .meta({ description: 'A page of investigations, newest first.' });

/** The events of GET /api/v1/investigations/stream, by type: each change to a visible summary. */
export const investigationListEventSchemas = {
  investigation_summary: event(
    'investigation_summary',
    "A summary the caller may see changed: its list item in its latest state; the event's id is the change's position.",
    listItemShape,
  ),
} as const;

/** The retained `<prefix>/investigations/<id>/state` message of the MQTT bridge. */
export const investigationStateSchema = event(
  'state',
  'An investigation at a glance as of its event last_event_id, retained by the broker: what a device shows.',
  {
    investigation_id: text('The investigation.'),
    status: listItemShape.status,
    current_phase: listItemShape.current_phase,
    progress: listItemShape.progress,
    records_processed: count,
    anomalies_detected: count,
    anomalies_by_severity: listItemShape.anomalies_by_severity,
    last_event_id: positionSchema.meta({ description: 'The SSE id of the last event this state includes.' }),
    updated_at: text('When that event was recorded.'),
  },
);

export type WireEventType = keyof typeof investigationEventSchemas;
export type ListWireEventType = keyof typeof investigationListEventSchemas;
export type ChatWireEventType = keyof typeof chatEventSchemas;

/** A zod schema as a JSON Schema (2020-12) without the dialect line, for OpenAPI 3.1 and AsyncAPI. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as SchemaObject & {
    $schema?: string;
  };
  return json;
}

export const wireEventSchemaName = (type: WireEventType): string => `InvestigationEvent_${type}`;
export const chatEventSchemaName = (type: ChatWireEventType): string => `ChatEvent_${type}`;
export const listEventSchemaName = (type: ListWireEventType): string => `InvestigationListEvent_${type}`;

/** Every stream message as a named component schema. */
export function wireEventSchemas(): Record<string, SchemaObject> {
  return {
    ...Object.fromEntries(
      Object.entries(investigationEventSchemas).map(([type, schema]) => [
        wireEventSchemaName(type as WireEventType),
        jsonSchemaOf(schema),
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(chatEventSchemas).map(([type, schema]) => [
        chatEventSchemaName(type as ChatWireEventType),
        jsonSchemaOf(schema),
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(investigationListEventSchemas).map(([type, schema]) => [
        listEventSchemaName(type as ListWireEventType),
        jsonSchemaOf(schema),
      ]),
    ),
    InvestigationListItem: jsonSchemaOf(investigationListItemSchema),
    InvestigationState: jsonSchemaOf(investigationStateSchema),
    InvestigationListPage: withItemsRef(jsonSchemaOf(investigationListPageSchema), 'InvestigationListItem'),
    StreamError: jsonSchemaOf(streamErrorSchema),
    CloudEvent: jsonSchemaOf(cloudEventSchema),
    AuditRecord: jsonSchemaOf(auditRecordSchema),
    AuditCloudEvent: jsonSchemaOf(auditCloudEventSchema),
  };
}

/** A page schema whose items name their component instead of repeating it. */
function withItemsRef(page: SchemaObject, item: string): SchemaObject {
  return {
    ...page,
    properties: { ...page.properties, items: { type: 'array', items: { $ref: `#/components/schemas/${item}` } } },
  };
}

const unionOf = (names: readonly string[], discriminated: boolean, prefix = '#/components/schemas/'): SchemaObject => ({
  oneOf: names.map((name) => ({ $ref: `${prefix}${name}` })),
  ...(discriminated
    ? {
        discriminator: {
          propertyName: 'type',
          mapping: Object.fromEntries(names.map((name) => [name.slice(name.indexOf('_') + 1), `${prefix}${name}`])),
        },
      }
    : {}),
});

/** The `data:` payload of an investigation stream: one of the event schemas, told apart by `type`. */
export const wireEventUnion = (prefix?: string): SchemaObject =>
  unionOf(
    Object.keys(investigationEventSchemas).map((t) => wireEventSchemaName(t as WireEventType)),
    true,
    prefix,
  );

/** The `data:` payload of a chat stream. */
export const chatEventUnion = (prefix?: string): SchemaObject =>
  unionOf(
    Object.keys(chatEventSchemas).map((t) => chatEventSchemaName(t as ChatWireEventType)),
    true,
    prefix,
  );

/** The `data:` payload of the downstream feed: a CloudEvent, or the error that interrupts it. */
export const feedMessageUnion = (prefix?: string): SchemaObject =>
  unionOf(['CloudEvent', 'StreamError'], false, prefix);

/** The `data:` payload of the investigations list stream. */
export const listEventUnion = (prefix?: string): SchemaObject =>
  unionOf(
    Object.keys(investigationListEventSchemas).map((t) => listEventSchemaName(t as ListWireEventType)),
    true,
    prefix,
  );
