import { createReadStream } from 'node:fs';
import { parse, type Info } from 'csv-parse';
import { nestDottedKeys } from '../shared/contract-record.mapper.js';
import { FileContractSourceError } from './file-source.errors.js';
import { FILE_START, type Position, type RawRecord, type RecordReader } from './record-reader.port.js';

interface Row {
  readonly record: string[];
  readonly info: Info;
}

/**
 * CSV with a header row of the model's field names, dotted for nested ones
 * (`fornecedor.cnpjFormatado`). Streamed; the header is read once and reused when resuming.
 */
export class CsvReader implements RecordReader {
  private header: readonly string[] | null = null;

  async *read(path: string, from: Position | null): AsyncGenerator<RawRecord> {
    const header = from ? await this.headerOf(path) : null;
    const start = from ?? FILE_START;
    let columns = header;
    let next = start;
    try {
      for await (const row of rows(path, start)) {
        const at = next;
        next = { offset: start.offset + row.info.bytes, line: start.line + row.info.lines };
        if (!columns) {
          columns = row.record.map((name) => name.trim());
          this.header = columns;
          continue;
        }
        if (row.record.length === 1 && row.record[0] === '') continue;
        yield { value: recordOf(path, columns, row.record, at), at };
      }
    } catch (error) {
      if (error instanceof FileContractSourceError) throw error;
      const line = typeof error === 'object' && error !== null && 'lines' in error ? Number(error.lines) : null;
      throw new FileContractSourceError(
        path,
        line === null ? null : start.line + line - 1,
        `CSV inválido (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  private async headerOf(path: string): Promise<readonly string[]> {
    if (this.header) return this.header;
    for await (const row of rows(path, FILE_START)) {
      this.header = row.record.map((name) => name.trim());
      return this.header;
    }
    throw new FileContractSourceError(path, 1, 'arquivo CSV vazio, sem linha de cabeçalho');
  }
}

function rows(path: string, start: Position): AsyncIterable<Row> {
  return createReadStream(path, { start: start.offset }).pipe(
    parse({ info: true, bom: start.offset === 0, relax_column_count: false }),
  );
}

function recordOf(path: string, columns: readonly string[], values: readonly string[], at: Position): unknown {
  if (values.length !== columns.length) {
    throw new FileContractSourceError(path, at.line, `${values.length} colunas, o cabeçalho tem ${columns.length}`);
  }
  const flat: Record<string, string> = {};
  columns.forEach((name, i) => (flat[name] = values[i] ?? ''));
  return nestDottedKeys(flat);
}
