import { ApiError } from '../http/api-error.js';
import { parseStreamName, streamKey, type StreamKind, type StreamName } from './stream-names.js';

/**
 * Where a multiplexed connection stands in each of its streams: the revision of an
 * investigation or chat stream, the list's change position, the feed's global position.
 * Keyed by stream name (`streamKey`).
 */
export type StreamPositions = ReadonlyMap<string, number>;

/**
 * The SSE id of GET /api/v1/streams, base64url of: a version byte, then per stream a kind
 * byte (its high bit set when the id is a UUID, then written as 16 bytes; otherwise a
 * length byte and the id's ASCII), then the position as an unsigned LEB128 varint.
 */
const VERSION = 1;
const KINDS: readonly StreamKind[] = ['investigation', 'chat', 'investigations', 'events'];
const UUID_FLAG = 0x80;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Far above what 1,000 streams of UUIDs take; a bound on what a header can make the server decode. */
export const MAX_CURSOR_CHARS = 32_768;

/** A position's varint takes at most this many bytes (positions are safe integers). */
const MAX_VARINT_BYTES = 8;
/** Names kept encoded: the streams of the open connections, far fewer; past this the memo starts again. */
const MAX_NAMES = 10_000;
const encodedNames = new Map<string, Buffer | null>();
/** Where cursors are written before their base64url text is taken; grown for a bigger one. */
let scratch = Buffer.allocUnsafe(1024);

/** A stream's kind and id as the cursor writes them, made once per name; null for what is not a stream name. */
function encodedName(key: string): Buffer | null {
  let bytes = encodedNames.get(key);
  if (bytes !== undefined) return bytes;
  const name = parseStreamName(key);
  if (!name) bytes = null;
  else {
    const kind = KINDS.indexOf(name.kind);
    if (!('id' in name)) bytes = Buffer.from([kind]);
    else if (UUID.test(name.id))
      bytes = Buffer.concat([Buffer.from([kind | UUID_FLAG]), Buffer.from(name.id.replaceAll('-', ''), 'hex')]);
    else bytes = Buffer.concat([Buffer.from([kind, name.id.length]), Buffer.from(name.id, 'latin1')]);
  }
  if (encodedNames.size >= MAX_NAMES) encodedNames.clear();
  encodedNames.set(key, bytes);
  return bytes;
}

export function encodeCursor(positions: StreamPositions): string {
  let at = 0;
  scratch[at++] = VERSION;
  for (const [key, position] of positions) {
    const name = encodedName(key);
    if (!name) continue;
    const end = at + name.length + MAX_VARINT_BYTES;
    if (end > scratch.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * scratch.length, end));
      scratch.copy(bigger, 0, 0, at);
      scratch = bigger;
    }
    at += name.copy(scratch, at);
    at = writeVarint(scratch, at, position);
  }
  return scratch.toString('base64url', 0, at);
}

/** The positions a cursor names; 400 INVALID_CURSOR, saying what is wrong, for anything this server did not write. */
export function decodeCursor(text: string, what: string): Map<string, number> {
  const invalid = (why: string): ApiError =>
    new ApiError(400, 'INVALID_CURSOR', `${what} is not a cursor of GET /api/v1/streams: ${why}`);
  if (text.length > MAX_CURSOR_CHARS) throw invalid(`longer than ${MAX_CURSOR_CHARS} characters`);
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw invalid('not base64url');
  const bytes = Buffer.from(text, 'base64url');
  if (bytes[0] !== VERSION) throw invalid('unknown version');
  const positions = new Map<string, number>();
  const reader = { bytes, at: 1 };
  while (reader.at < bytes.length) {
    const name = readName(reader);
    if (!name) throw invalid(`bad stream at byte ${reader.at}`);
    const position = readVarint(reader);
    if (position === null) throw invalid(`bad position at byte ${reader.at}`);
    const key = streamKey(name);
    if (positions.has(key)) throw invalid(`${key} appears twice`);
    positions.set(key, position);
  }
  return positions;
}

/** The position of `name` in `positions`, if the cursor has it. */
export const positionOf = (positions: StreamPositions, name: StreamName): number | undefined =>
  positions.get(streamKey(name));

interface Reader {
  readonly bytes: Buffer;
  at: number;
}

function readName(reader: Reader): StreamName | null {
  const { bytes } = reader;
  const head = bytes[reader.at++];
  if (head === undefined) return null;
  const kind = KINDS[head & ~UUID_FLAG];
  if (kind === undefined) return null;
  if (kind === 'investigations' || kind === 'events') return head & UUID_FLAG ? null : { kind };
  let id: string;
  if (head & UUID_FLAG) {
    if (reader.at + 16 > bytes.length) return null;
    const hex = bytes.toString('hex', reader.at, reader.at + 16);
    reader.at += 16;
    id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  } else {
    const length = bytes[reader.at++] ?? 0;
    if (reader.at + length > bytes.length) return null;
    id = bytes.toString('latin1', reader.at, reader.at + length);
    reader.at += length;
  }
  return parseStreamName(`${kind}:${id}`);
}

/** Unsigned LEB128 in arithmetic, not bit operations: positions go past 32 bits. Answers where it stopped. */
function writeVarint(out: Buffer, from: number, value: number): number {
  let at = from;
  let rest = value;
  while (rest >= 0x80) {
    out[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  out[at++] = rest;
  return at;
}

function readVarint(reader: Reader): number | null {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    const byte = reader.bytes[reader.at++];
    if (byte === undefined) return null;
    value += (byte & 0x7f) * scale;
    if (value > Number.MAX_SAFE_INTEGER) return null;
    if ((byte & 0x80) === 0) return value;
    scale *= 0x80;
  }
  return null;
}
