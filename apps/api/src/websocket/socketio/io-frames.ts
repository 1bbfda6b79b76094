import type { Socket } from 'socket.io';
import type { WireFrame } from '../../streaming/wire-frame.js';

/** socket.io-parser's EVENT packet type. */
const EVENT = 2;

/** What the server's encoder makes of a packet: the pieces the client writes to its engine as they are. */
type Encoded = ReturnType<Socket['nsp']['server']['encoder']['encode']>;

const encoded = new WeakMap<WireFrame, { readonly nsp: string; readonly packets: Encoded }>();

/**
 * A hub frame's message emitted under its `type`, as `socket.emit(type, message)` would,
 * its Socket.IO packet encoded once per namespace for every socket that gets it (the
 * adapter's broadcast path: the encoder's output handed to each client pre-encoded).
 */
export function emitFrame(socket: Socket, frame: WireFrame): void {
  const nsp = socket.nsp.name;
  let cached = encoded.get(frame);
  if (cached?.nsp !== nsp) {
    const { message } = frame;
    const packets: Encoded = socket.nsp.server.encoder.encode({ type: EVENT, nsp, data: [message.type, message] });
    cached = { nsp, packets };
    encoded.set(frame, cached);
  }
  socket.client._packet(cached.packets, { preEncoded: true, compress: true });
}
