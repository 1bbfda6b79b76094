import { createReadStream } from 'node:fs';
import { FileContractSourceError } from './file-source.errors.js';
import { FILE_START, type Position, type RawRecord, type RecordReader } from './record-reader.port.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const OPENERS = new Set([0x7b, 0x5b]); // { [
const CLOSERS = new Set([0x7d, 0x5d]); // } ]
/** Whitespace, plus the bytes of a UTF-8 byte order mark that spreadsheets put first. */
const isSpace = (b: number): boolean =>
  b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0xef || b === 0xbb || b === 0xbf;

/** Scanner state: where we are in the array, and the bytes of the element being read. */
class ArrayScanner {
  depth: number;
  inString = false;
  escaped = false;
  parts: Buffer[] = [];
  element: Position | null = null;
  ended = false;

  constructor(insideArray: boolean) {
    this.depth = insideArray ? 1 : 0;
  }
}

/**
 * A JSON array of records, read element by element with a byte scanner, so neither the file
 * nor the array is ever held whole; resuming at an element's offset starts inside the array.
 */
export class JsonArrayReader implements RecordReader {
  async *read(path: string, from: Position | null): AsyncGenerator<RawRecord> {
    const start = from ?? FILE_START;
    const scanner = new ArrayScanner(from !== null);
    let offset = start.offset;
    let line = start.line;
    for await (const chunk of createReadStream(path, { start: start.offset })) {
      const bytes: Buffer = chunk;
      let partStart = 0;
      for (let i = 0; i < bytes.length && !scanner.ended; i++) {
        const b = bytes[i] ?? 0;
        const done = step(scanner, b, { offset: offset + i, line }, path);
        if (b === NEWLINE) line++;
        if (done) {
          scanner.parts.push(bytes.subarray(partStart, done === 'inclusive' ? i + 1 : i));
          yield finish(scanner, path);
        }
        if (scanner.element === null) partStart = i + 1;
      }
      if (scanner.element) scanner.parts.push(Buffer.from(bytes.subarray(partStart)));
      offset += bytes.length;
      if (scanner.ended) return;
    }
    if (!scanner.ended)
      throw new FileContractSourceError(path, line, 'o arquivo termina antes de fechar a lista JSON ("]")');
  }
}

/** Advances the scanner by one byte; says whether an element just ended (with or without this byte). */
function step(s: ArrayScanner, b: number, at: Position, path: string): 'inclusive' | 'exclusive' | null {
  if (s.inString) {
    if (s.escaped) s.escaped = false;
    else if (b === BACKSLASH) s.escaped = true;
    else if (b === QUOTE) {
      s.inString = false;
      if (s.depth === 1 && s.element) return 'inclusive';
    }
    return null;
  }
  if (s.depth === 0) {
    if (b === 0x5b) s.depth = 1;
    else if (!isSpace(b))
      throw new FileContractSourceError(
        path,
        at.line,
        'um arquivo .json deve conter uma lista de contratos ("[ {...}, {...} ]")',
      );
    return null;
  }
  if (s.depth === 1 && s.element === null) return begin(s, b, at, path);
  if (b === QUOTE) s.inString = true;
  else if (OPENERS.has(b)) s.depth++;
  else if (CLOSERS.has(b)) {
    s.depth--;
    if (s.depth === 1) return 'inclusive';
    if (s.depth === 0) return endOfArray(s, b);
  } else if (s.depth === 1 && (b === 0x2c || isSpace(b))) return 'exclusive';
  return null;
}

function begin(s: ArrayScanner, b: number, at: Position, path: string): null {
  if (isSpace(b) || b === 0x2c) return null;
  if (b === 0x5d) {
    s.ended = true;
    s.depth = 0;
    return null;
  }
  if (CLOSERS.has(b)) throw new FileContractSourceError(path, at.line, 'JSON inválido: fechamento inesperado');
  s.element = at;
  if (b === QUOTE) s.inString = true;
  else if (OPENERS.has(b)) s.depth++;
  return null;
}

/** `]` closing the array right after a bare value ends that value too. */
function endOfArray(s: ArrayScanner, b: number): 'exclusive' | null {
  s.ended = b === 0x5d;
  return s.element ? 'exclusive' : null;
}

function finish(s: ArrayScanner, path: string): RawRecord {
  const at = s.element ?? FILE_START;
  const text = Buffer.concat(s.parts).toString('utf8');
  s.parts = [];
  s.element = null;
  try {
    return { value: JSON.parse(text), at };
  } catch (error) {
    throw new FileContractSourceError(
      path,
      at.line,
      `JSON inválido (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
