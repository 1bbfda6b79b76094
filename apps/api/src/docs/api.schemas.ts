import { ApiResponse, type ReferenceObject, type SchemaObject } from '@nestjs/swagger';
import { PERMISSIONS, ROLES } from '#platform';
import { INVESTIGATION_STATUSES, type InvestigationSummary } from '#investigations';
import {
  cancelInvestigationSchema,
  investigationFiltersSchema,
  startInvestigationSchema,
} from '../investigations/start-investigation.dto.js';
import { jsonSchemaOf, positionSchema, wireEventSchemas } from './wire-event.schemas.js';

/** The request bodies are documented from the zod schemas that validate them, so the two cannot drift. */
const fromZod = (schema: Parameters<typeof jsonSchemaOf>[0]): SchemaObject => jsonSchemaOf(schema, 'input');

const str = (description?: string): SchemaObject => ({ type: 'string', ...(description ? { description } : {}) });
const int: SchemaObject = { type: 'integer', minimum: 0 };
const nullable = (schema: SchemaObject): SchemaObject => ({ anyOf: [schema, { type: 'null' }] });
const object = (properties: Record<string, SchemaObject>, description?: string): SchemaObject => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  ...(description ? { description } : {}),
});

const links = {
  stream_url: str('SSE stream of the investigation.'),
  status_url: str('Current state.'),
  cancel_url: str('POST here to cancel.'),
};

const anomaly = object({
  anomaly_id: str(),
  anomaly_type: str(),
  severity: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
  score: { type: 'number', minimum: 0, maximum: 1 },
  contract_id: str(),
  contract_ids: { type: 'array', items: str() },
  explanation: str('One sentence in Portuguese.'),
  evidence: { type: 'object', additionalProperties: { type: ['number', 'string'] } },
});

// Keyed by the read model's own fields: a new field fails the type check until documented.
const summaryFields: Record<keyof InvestigationSummary, SchemaObject> = {
  investigation_id: str(),
  status: { type: 'string', enum: [...INVESTIGATION_STATUSES] },
  user_id: nullable(str('Who started it.')),
  query: str(),
  data_source: str(),
  filters: { type: 'object', additionalProperties: true },
  anomaly_types: { type: 'array', items: str() },
  plan: nullable(
    object({ detectors: { type: 'array', items: str() }, phases: { type: 'array', items: str() }, rationale: str() }),
  ),
  progress: { type: 'number', minimum: 0, maximum: 100 },
  current_phase: nullable(str()),
  records_processed: int,
  anomalies_detected: int,
  anomalies: { type: 'array', items: { $ref: '#/components/schemas/Anomaly' } },
  trends: nullable({
    type: 'object',
    additionalProperties: true,
    description: 'Trend analysis of the contracts read.',
  }),
  report: nullable(str('Report in Markdown (Portuguese), once completed.')),
  error: nullable(object({ error_code: str(), message: str() })),
  cancel_reason: nullable(str()),
  started_at: nullable({ type: 'string', format: 'date-time' }),
  completed_at: nullable({ type: 'string', format: 'date-time' }),
  execution_time: nullable(str('As "45.2s".')),
  last_event_id: {
    ...jsonSchemaOf(positionSchema),
    description: 'Revision of the last event: resume the stream after it with Last-Event-ID.',
  },
  stream_url: str(),
};

/** Every named schema of the API, added to components.schemas. */
export function apiSchemas(): Record<string, SchemaObject> {
  return {
    StartInvestigationRequest: fromZod(startInvestigationSchema),
    CancelInvestigationRequest: fromZod(cancelInvestigationSchema),
    InvestigationAccepted: object({
      investigation_id: str(),
      status: { type: 'string', enum: [...INVESTIGATION_STATUSES] },
      command_id: str('Id of the command the bus accepted.'),
      duplicate: { type: 'boolean', description: 'True when the same Idempotency-Key had already started it.' },
      query: str(),
      data_source: str(),
      ...links,
    }),
    InvestigationPreview: object({
      query: str(),
      data_source: str(),
      filters: {
        ...fromZod(investigationFiltersSchema),
        description: 'The filters the investigation would run with: those of the query, explicit ones winning.',
      },
      plan: object(
        { detectors: { type: 'array', items: str() }, phases: { type: 'array', items: str() }, rationale: str() },
        "Abaporu's plan.",
      ),
      keywords: { type: 'array', items: str(), description: 'Words of the query left once its filters are read.' },
      category: nullable(str('Object category the query names, e.g. medicamentos.')),
    }),
    CancellationAccepted: object({
      investigation_id: str(),
      status: { type: 'string', enum: ['cancelling'] },
      ...links,
    }),
    InvestigationSummary: object(summaryFields),
    Anomaly: anomaly,
    Error: {
      type: 'object',
      properties: {
        error_code: str('Machine-readable, e.g. VALIDATION_ERROR.'),
        message: str(),
        details: { description: 'Per-field problems, when any.' },
      },
      required: ['error_code', 'message'],
    },
    Liveness: object({ status: { type: 'string', enum: ['ok'] }, uptime_seconds: int }),
    Readiness: object({
      status: { type: 'string', enum: ['ready', 'unavailable'] },
      bus: object({ kind: str(), status: { type: 'string', enum: ['up', 'down'] } }),
      store: object({ kind: str(), status: { type: 'string', enum: ['up', 'down'] } }),
      audit: object({ kind: str(), status: { type: 'string', enum: ['up', 'down'] } }),
    }),
    CurrentCaller: object({
      user_id: str('The token subject (`sub`), or `anonymous`.'),
      name: nullable(str('The token name or preferred_username.')),
      anonymous: { type: 'boolean', description: 'The local user of an embedded server that does not require tokens.' },
      roles: { type: 'array', items: { type: 'string', enum: [...ROLES] } },
      permissions: {
        type: 'object',
        description: "Each permission the roles grant: `own` (the caller's resources) or `any`.",
        properties: Object.fromEntries(PERMISSIONS.map((p) => [p, { type: 'string', enum: ['own', 'any'] }])),
        additionalProperties: false,
      },
      expires_at: nullable({ type: 'string', format: 'date-time', description: 'The token `exp`.' }),
    }),
    AuditVerification: object({
      valid: {
        type: 'boolean',
        description: 'True when every record chains to the one before and to the checkpoints.',
      },
      records_checked: int,
      first_broken: nullable(
        object({
          seq: int,
          reason: str('Why the record does not verify (docs/events.md).'),
          expected: str(),
          actual: str(),
        }),
      ),
      latest_checkpoint: nullable(
        object({ seq: int, hash: str(), at: { type: 'string', format: 'date-time' }, key_id: str() }),
      ),
      anchored_through: { ...int, description: 'The last seq covered by a checkpoint.' },
    }),
    ...wireEventSchemas(),
  };
}

export const schemaRef = (name: string): SchemaObject & ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

/** The error responses of an operation, each the `Error` body. */
export const errorResponses = (...statuses: number[]): MethodDecorator[] =>
  statuses.map((status) => ApiResponse({ status, description: `Error ${status}.`, schema: schemaRef('Error') }));
