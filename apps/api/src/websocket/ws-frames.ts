import type { BatchedMessage } from '#platform';
import { batchText } from '#platform';
import type { WireFrame } from '../streaming/wire-frame.js';

/** Server frames are not masked: an event's text frame is the same bytes for every client. */
const textFrames = new WeakMap<WireFrame, Buffer>();

/** A hub frame's WebSocket text message, framed (RFC 6455: FIN, text opcode, its length) once for every peer. */
export function textFrameOf(frame: WireFrame): Buffer {
  let bytes = textFrames.get(frame);
  if (bytes === undefined) {
    bytes = encodeTextFrame(frame.ws);
    textFrames.set(frame, bytes);
  }
  return bytes;
}

/** The text frames of one hub write, concatenated once for every peer it goes to (the hub shares the array). */
const tickBytes = new WeakMap<readonly WireFrame[], Buffer>();

/** The frames' text frames as one buffer: WebSocket frames are self-delimiting, so the client reads them one by one. */
export function textFramesOf(frames: readonly WireFrame[]): Buffer {
  const only = frames.length === 1 ? frames[0] : undefined;
  if (only) return textFrameOf(only);
  let bytes = tickBytes.get(frames);
  if (bytes === undefined) {
    bytes = Buffer.concat(frames.map(textFrameOf));
    tickBytes.set(frames, bytes);
  }
  return bytes;
}

export function encodeTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const bytes = Buffer.allocUnsafe(head + length);
  bytes[0] = 0x81;
  if (head === 2) bytes[1] = length;
  else if (head === 4) {
    bytes[1] = 126;
    bytes.writeUInt16BE(length, 2);
  } else {
    bytes[1] = 127;
    bytes.writeBigUInt64BE(BigInt(length), 2);
  }
  bytes.write(text, head, 'utf8');
  return bytes;
}

/** A batch's text frame, kept with the messages it holds: peers that flush the same messages share it. */
interface BatchFrame {
  readonly messages: readonly BatchedMessage[];
  readonly bytes: Buffer;
}

/** Keyed by a batch's first message: hub messages are shared, so peers following one stream flush the same batches. */
const batchFrames = new WeakMap<BatchedMessage, BatchFrame>();

/** One flush's text frame (`batchText`), framed once for every peer that flushes the same messages. */
export function batchFrameOf(messages: readonly BatchedMessage[]): Buffer {
  const [first] = messages;
  if (!first) return encodeTextFrame(batchText(messages));
  const known = batchFrames.get(first);
  if (known && sameMessages(known.messages, messages)) return known.bytes;
  const bytes = encodeTextFrame(batchText(messages));
  batchFrames.set(first, { messages, bytes });
  return bytes;
}

function sameMessages(a: readonly BatchedMessage[], b: readonly BatchedMessage[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
