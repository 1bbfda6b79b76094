import { createReadStream } from 'node:fs';
import { FileContractSourceError } from './file-source.errors.js';
import { FILE_START, type Position, type RawRecord, type RecordReader } from './record-reader.port.js';

const NEWLINE = 0x0a;

/** One JSON value per line; blank lines are skipped. Only the current line is held in memory. */
export class NdjsonReader implements RecordReader {
  async *read(path: string, from: Position | null): AsyncGenerator<RawRecord> {
    const start = from ?? FILE_START;
    let carry: Buffer = Buffer.alloc(0);
    let offset = start.offset;
    let line = start.line;
    for await (const chunk of createReadStream(path, { start: start.offset })) {
      const bytes: Buffer = chunk;
      const buffer = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes;
      let begin = 0;
      for (let end = buffer.indexOf(NEWLINE, begin); end !== -1; end = buffer.indexOf(NEWLINE, begin)) {
        const record = parseLine(path, buffer.toString('utf8', begin, end), { offset: offset + begin, line });
        if (record) yield record;
        line++;
        begin = end + 1;
      }
      carry = buffer.subarray(begin);
      offset += begin;
    }
    const last = parseLine(path, carry.toString('utf8'), { offset, line });
    if (last) yield last;
  }
}

function parseLine(path: string, text: string, at: Position): RawRecord | null {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return null;
  try {
    return { value: JSON.parse(trimmed), at };
  } catch (error) {
    throw new FileContractSourceError(
      path,
      at.line,
      `JSON inválido (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
