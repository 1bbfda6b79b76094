import { Readable, Transform, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { AuditRecord } from '#audit';
import type { ExportFormat } from './audit-query.js';

/** CSV header and JSON keys: the snake_case field names. */
export const EXPORT_COLUMNS = [
  'seq', 'timestamp', 'event_type', 'severity', 'user_id', 'ip', 'user_agent', 'request_id', 'correlation_id',
  'resource_type', 'resource_id', 'success', 'error_code', 'message', 'prev_hash', 'hash',
] as const;

export function toExportRow(record: AuditRecord): Record<(typeof EXPORT_COLUMNS)[number], string | number | boolean | null> {
  return {
    seq: record.seq,
    timestamp: record.occurredAt,
    event_type: record.eventType,
    severity: record.severity,
    user_id: record.userId,
    ip: record.ip,
    user_agent: record.userAgent,
    request_id: record.requestId,
    correlation_id: record.correlationId,
    resource_type: record.resourceType,
    resource_id: record.resourceId,
    success: record.success,
    error_code: record.errorCode,
    message: record.message,
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** A JSON array written element by element, so no more than one record is ever serialised at once. */
function jsonArray(): Transform {
  let first = true;
  return new Transform({
    writableObjectMode: true,
    transform(row: unknown, _encoding, done) {
      const prefix = first ? '[' : ',';
      first = false;
      done(null, `${prefix}\n${JSON.stringify(row)}`);
    },
    flush(done) {
      done(null, first ? '[]\n' : '\n]\n');
    },
  });
}

const ndjson = (): Transform =>
  new Transform({ writableObjectMode: true, transform: (row: unknown, _encoding, done) => done(null, `${JSON.stringify(row)}\n`) });

function serializer(format: ExportFormat): Transform {
  switch (format) {
    case 'csv':
      return stringify({ header: true, columns: [...EXPORT_COLUMNS], cast: { boolean: (value) => String(value) } });
    case 'json':
      return jsonArray();
    case 'ndjson':
      return ndjson();
    default: {
      const unknownFormat: never = format;
      throw new Error(`unknown export format ${String(unknownFormat)}`);
    }
  }
}

async function* rows(records: AsyncIterable<AuditRecord>): AsyncGenerator<ReturnType<typeof toExportRow>> {
  for await (const record of records) yield toExportRow(record);
}

/**
 * Pull-based all the way: the sink's backpressure pauses the serializer, which stops pulling
 * the generator, which stops reading pages. When the sink is destroyed (client gone),
 * pipeline destroys the Readable, which returns the generator and ends the store reads.
 */
export function pipeExport(records: AsyncIterable<AuditRecord>, format: ExportFormat, sink: NodeJS.WritableStream, done: (error: Error | null) => void): void {
  pipeline(Readable.from(rows(records)), serializer(format), sink, (error) => done(error ?? null));
}
