import { Readable, Transform, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import { AUDIT_WIRE_COLUMNS, auditRecordWire, type AuditRecord } from '#audit';
import type { ExportFormat } from './audit-query.js';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

type Page = readonly AuditRecord[];

/** A JSON array written a page at a time: one page of records serialised at once, never more. */
function jsonArray(): Transform {
  let first = true;
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 1,
    transform(page: Page, _encoding, done) {
      let chunk = '';
      for (const record of page) {
        chunk += `${first ? '[' : ','}\n${JSON.stringify(auditRecordWire(record))}`;
        first = false;
      }
      done(null, chunk);
    },
    flush(done) {
      done(null, first ? '[]\n' : '\n]\n');
    },
  });
}

const ndjson = (): Transform =>
  new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 1,
    transform(page: Page, _encoding, done) {
      let chunk = '';
      for (const record of page) chunk += `${JSON.stringify(auditRecordWire(record))}\n`;
      done(null, chunk);
    },
  });

/** Pages in, rows out, for serialisers that take one row per write. */
const rowsOfPages = (): Transform =>
  new Transform({
    objectMode: true,
    writableHighWaterMark: 1,
    transform(page: Page, _encoding, done) {
      for (const record of page) this.push(auditRecordWire(record));
      done();
    },
  });

const COALESCE_BYTES = 64 * 1024;

/**
 * csv-stringify emits one chunk per row; written as is, a million rows would be a million
 * writes and a million HTTP chunk headers. Gathers them into ~64 KiB writes.
 */
function coalesce(): Transform {
  let pending: string[] = [];
  let size = 0;
  return new Transform({
    decodeStrings: false,
    transform(chunk: Buffer | string, _encoding, done) {
      const text = String(chunk);
      pending.push(text);
      size += text.length;
      if (size < COALESCE_BYTES) return done();
      const out = pending.join('');
      pending = [];
      size = 0;
      done(null, out);
    },
    flush(done) {
      done(null, size > 0 ? pending.join('') : undefined);
    },
  });
}

function serializers(format: ExportFormat): Transform[] {
  switch (format) {
    case 'csv':
      return [
        rowsOfPages(),
        stringify({ header: true, columns: [...AUDIT_WIRE_COLUMNS], cast: { boolean: (value) => String(value) } }),
        coalesce(),
      ];
    case 'json':
      return [jsonArray()];
    case 'ndjson':
      return [ndjson()];
    default: {
      const unknownFormat: never = format;
      throw new Error(`unknown export format ${String(unknownFormat)}`);
    }
  }
}

/**
 * Pull-based all the way: the sink's backpressure pauses the serialiser, which stops
 * pulling pages, which stops fetching from the store's cursor. When the sink is destroyed
 * (client gone), pipeline destroys the Readable, which returns the page generator and
 * closes the cursor.
 */
export function pipeExport(
  pages: AsyncIterable<Page>,
  format: ExportFormat,
  sink: NodeJS.WritableStream,
  done: (error: Error | null) => void,
): void {
  // One page buffered ahead, not Readable.from's default of sixteen.
  pipeline([Readable.from(pages, { highWaterMark: 1 }), ...serializers(format), sink], (error) => done(error ?? null));
}
