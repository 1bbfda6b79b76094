import { Duplex } from 'node:stream';
import type { Socket } from 'socket.io';
import type { WireFrame } from '../../streaming/wire-frame.js';
import { encodeTextFrame } from '../ws-peer.js';

/** socket.io-parser's EVENT packet type. */
const EVENT = 2;
/** engine.io's `message` packet type, in front of a Socket.IO packet on the wire. */
const ENGINE_MESSAGE = '4';

/** What the server's encoder makes of a packet: the pieces the client writes to its engine as they are. */
type Encoded = ReturnType<Socket['nsp']['server']['encoder']['encode']>;
type PacketOptions = NonNullable<Parameters<Socket['client']['_packet']>[1]>;

interface Prepared {
  readonly nsp: string;
  readonly packets: Encoded;
  readonly options: PacketOptions;
  /** Its WebSocket frame, when it is one text message. */
  readonly framed: Buffer | undefined;
}

const prepared = new WeakMap<WireFrame, Prepared>();

/**
 * A hub frame's message emitted under its `type`, as `socket.emit(type, message)` would. Its
 * Socket.IO packet is encoded once per namespace for every socket that gets it, and, as a
 * room broadcast does, its WebSocket frame too: a socket on the websocket transport writes
 * those bytes as they are, one on polling the encoded packet.
 */
export function emitFrame(socket: Socket, frame: WireFrame): void {
  const ready = prepare(socket, frame);
  socket.client._packet(ready.packets, ready.options);
}

/** The bytes `frame` takes in the engine's buffer: its WebSocket frame, or its packets on polling. */
export function frameBytes(socket: Socket, frame: WireFrame): number {
  const { packets, framed } = prepare(socket, frame);
  if (framed) return framed.length;
  let bytes = 0;
  for (const packet of packets) bytes += typeof packet === 'string' ? packet.length : packet.byteLength;
  return bytes;
}

/**
 * Several frames in one engine flush: the engine hands a packet to its transport the moment
 * the transport is writable and holds the next ones until that write's callback; with the
 * transport held for all but the last, the engine flushes them together (in one write, see
 * `oneWritePerFlush`).
 */
export function emitFrames(socket: Socket, frames: readonly WireFrame[]): void {
  const only = frames.length === 1 ? frames[0] : undefined;
  if (only) return emitFrame(socket, only);
  const { transport } = socket.conn;
  const writable = transport.writable;
  try {
    transport.writable = false;
    for (let i = 0; i < frames.length - 1; i++) emitFrame(socket, frames[i] as WireFrame);
  } finally {
    transport.writable = writable;
  }
  const last = frames[frames.length - 1];
  if (last) emitFrame(socket, last);
}

/** The engine.io server's events around each connection's flush, emitted synchronously around its transport's send. */
interface FlushEvents {
  on(event: 'flush', listener: (conn: unknown, packets: readonly unknown[]) => void): unknown;
  on(event: 'drain', listener: (conn: unknown) => void): unknown;
}

/**
 * Each engine flush in one socket write: the websocket transport writes its packets' frames
 * one by one; with the TCP socket under it corked from the engine's `flush` to its `drain`
 * (both emitted synchronously around the transport's send), they leave together, packets
 * held while the transport was busy included. One pair of listeners for the whole server,
 * none per connection.
 */
export function oneWritePerFlush(engine: FlushEvents): void {
  // A lone packet is one write already: the socket is corked only for several.
  engine.on('flush', (conn, packets) => {
    if (packets.length > 1) tcpSocketOf(conn)?.cork();
  });
  engine.on('drain', (conn) => {
    const tcp = tcpSocketOf(conn);
    if (tcp && tcp.writableCorked > 0) tcp.uncork();
  });
}

export const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null;

/** The TCP socket under a connection's websocket transport (private to engine.io and `ws`: checked as data of unknown shape). */
function tcpSocketOf(conn: unknown): Duplex | undefined {
  const transport = isRecord(conn) ? conn.transport : undefined;
  const ws = isRecord(transport) ? transport.socket : undefined;
  const tcp = isRecord(ws) ? ws._socket : undefined;
  return tcp instanceof Duplex ? tcp : undefined;
}

function prepare(socket: Socket, frame: WireFrame): Prepared {
  const nsp = socket.nsp.name;
  let ready = prepared.get(frame);
  if (ready?.nsp !== nsp) {
    const { message } = frame;
    const packets: Encoded = socket.nsp.server.encoder.encode({ type: EVENT, nsp, data: [message.type, message] });
    const [only] = packets;
    const framed =
      packets.length === 1 && typeof only === 'string' ? encodeTextFrame(ENGINE_MESSAGE + only) : undefined;
    ready = {
      nsp,
      packets,
      options: { preEncoded: true, compress: true, ...(framed && { wsPreEncodedFrame: [framed] }) },
      framed,
    };
    prepared.set(frame, ready);
  }
  return ready;
}
