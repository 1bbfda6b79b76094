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
}

const prepared = new WeakMap<WireFrame, Prepared>();

/**
 * A hub frame's message emitted under its `type`, as `socket.emit(type, message)` would. Its
 * Socket.IO packet is encoded once per namespace for every socket that gets it, and, as a
 * room broadcast does, its WebSocket frame too: a socket on the websocket transport writes
 * those bytes as they are, one on polling the encoded packet.
 */
export function emitFrame(socket: Socket, frame: WireFrame): void {
  const nsp = socket.nsp.name;
  let ready = prepared.get(frame);
  if (ready?.nsp !== nsp) {
    const { message } = frame;
    const packets: Encoded = socket.nsp.server.encoder.encode({ type: EVENT, nsp, data: [message.type, message] });
    const [only] = packets;
    const wsPreEncodedFrame =
      packets.length === 1 && typeof only === 'string' ? [encodeTextFrame(ENGINE_MESSAGE + only)] : undefined;
    ready = {
      nsp,
      packets,
      options: { preEncoded: true, compress: true, ...(wsPreEncodedFrame && { wsPreEncodedFrame }) },
    };
    prepared.set(frame, ready);
  }
  socket.client._packet(ready.packets, ready.options);
}
