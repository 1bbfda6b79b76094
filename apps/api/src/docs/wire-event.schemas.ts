import type { SchemaObject } from '@nestjs/swagger';
import type { InvestigationWireEvent } from '#investigations';

type WireEventType = InvestigationWireEvent['type'];
type FieldsOf<T extends WireEventType> = Record<
  Exclude<keyof Extract<InvestigationWireEvent, { type: T }>, 'type'>,
  SchemaObject
>;

const text = (description: string): SchemaObject => ({ type: 'string', description });
const timestamp: SchemaObject = { type: 'string', format: 'date-time', description: 'When the fact was recorded.' };
const investigationId: SchemaObject = { type: 'string', description: 'The investigation this event belongs to.' };

/**
 * Fields of every SSE event, keyed by the union's own types: adding a variant or a field
 * to InvestigationWireEvent without documenting it here fails the type check.
 */
const FIELDS: { [T in WireEventType]: FieldsOf<T> } = {
  progress: {
    investigation_id: investigationId,
    progress: { type: 'number', minimum: 0, maximum: 100, description: 'Percentage of the work done.' },
    current_phase: text('started, data_retrieval, analyzing_contracts, anomaly_detection or generating_report.'),
    records_processed: { type: 'integer', minimum: 0 },
    anomalies_detected: { type: 'integer', minimum: 0 },
    timestamp,
    notice: text(
      'On the first event only, when the data needs a word: data_source "contracts" on a server without PORTAL_TRANSPARENCIA_API_KEY analyses synthetic contracts.',
    ),
  },
  phase: {
    investigation_id: investigationId,
    phase: text('The phase that begins.'),
    previous_phase: { type: ['string', 'null'], description: 'The phase that ended, null for the first.' },
    timestamp,
  },
  anomaly: {
    investigation_id: investigationId,
    anomaly_id: text('Stable id: the same finding always has the same id.'),
    anomaly_type: text(
      'price_deviation, vendor_concentration, temporal_pattern, duplicate_contract, amendment_over_limit, split_purchase or benford_deviation.',
    ),
    severity: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
    contract_id: text('The most representative contract of the finding.'),
    details: {
      type: 'object',
      description: 'score (0..1), explanation (Portuguese), contract_ids, evidence.',
      additionalProperties: true,
    },
    timestamp,
  },
  complete: {
    investigation_id: investigationId,
    total_anomalies: { type: 'integer', minimum: 0 },
    records_processed: { type: 'integer', minimum: 0 },
    execution_time: { type: 'string', pattern: '^\\d+\\.\\ds$', description: 'As "45.2s".' },
    timestamp,
  },
  error: {
    investigation_id: investigationId,
    error_code: text('Machine-readable cause, e.g. ANALYSIS_FAILED or STREAM_FAILED.'),
    message: text('Human-readable explanation.'),
    fallback_endpoint: text('Where the current state can be read instead.'),
    retry_after: { type: ['integer', 'null'], description: 'Seconds before retrying, when known.' },
    timestamp,
  },
  cancelled: {
    investigation_id: investigationId,
    reason: text('Why it was cancelled.'),
    timestamp,
  },
};

const DESCRIPTIONS: Record<WireEventType, string> = {
  progress: 'Progress of the analysis; the first event of every investigation (progress 0, phase "started").',
  phase: 'A new phase begins.',
  anomaly: 'An anomaly found in the contracts.',
  complete: 'The investigation finished; the stream ends after it.',
  error:
    'The investigation failed, or the stream was interrupted (then without investigation_id and timestamp); the stream ends after it.',
  cancelled: 'The investigation was cancelled; the stream ends after it.',
};

// A stream cut by the server sends an error without the investigation's own fields.
const OPTIONAL: Partial<Record<WireEventType, readonly string[]>> = {
  progress: ['notice'],
  error: ['investigation_id', 'timestamp'],
};

export const wireEventSchemaName = (type: WireEventType): string => `InvestigationEvent_${type}`;

/** One component schema per SSE event type, named InvestigationEvent_<type>. */
export function wireEventSchemas(): Record<string, SchemaObject> {
  const types = Object.keys(FIELDS) as WireEventType[];
  return Object.fromEntries(
    types.map((type) => {
      const fields: Record<string, SchemaObject> = FIELDS[type];
      const optional = OPTIONAL[type] ?? [];
      const schema: SchemaObject = {
        type: 'object',
        description: DESCRIPTIONS[type],
        properties: { type: { type: 'string', enum: [type] }, ...fields },
        required: ['type', ...Object.keys(fields).filter((f) => !optional.includes(f))],
      };
      return [wireEventSchemaName(type), schema];
    }),
  );
}

/** The `data:` payload of an investigation stream: one of the event schemas, told apart by `type`. */
export function wireEventUnion(): SchemaObject {
  const types = Object.keys(FIELDS) as WireEventType[];
  return {
    oneOf: types.map((type) => ({ $ref: `#/components/schemas/${wireEventSchemaName(type)}` })),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(types.map((type) => [type, `#/components/schemas/${wireEventSchemaName(type)}`])),
    },
  };
}
