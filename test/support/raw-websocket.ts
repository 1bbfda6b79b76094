import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * WebSocket frames built by hand, as a hostile or broken client would send them: the `ws`
 * client refuses to produce most of these.
 */
export function frame(options: {
  opcode: number;
  payload: Buffer;
  fin?: boolean;
  rsv?: number;
  masked?: boolean;
  claimedLength?: number;
}): Buffer {
  const { opcode, payload, fin = true, rsv = 0, masked = true } = options;
  const length = options.claimedLength ?? payload.length;
  const first = (fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126) header = Buffer.from([first, maskBit | length]);
  else if (length < 65536) header = Buffer.from([first, maskBit | 126, length >> 8, length & 0xff]);
  else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([header, mask, body]);
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const closePayload = (code: number): Buffer => Buffer.from([code >> 8, code & 0xff]);

/** The hand-built protocol violations, with the close code RFC 6455 prescribes for each. */
export const HOSTILE_FRAMES: ReadonlyArray<{
  readonly name: string;
  readonly bytes: Buffer;
  readonly closeCode: number;
}> = [
  {
    name: 'unmasked text frame',
    bytes: frame({ opcode: 0x1, payload: text('{"type":"ping"}'), masked: false }),
    closeCode: 1002,
  },
  {
    name: 'text frame with bad UTF-8',
    bytes: frame({ opcode: 0x1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]) }),
    closeCode: 1007,
  },
  { name: 'reserved opcode 0x3', bytes: frame({ opcode: 0x3, payload: text('{}') }), closeCode: 1002 },
  {
    name: 'RSV1 set without an extension',
    bytes: frame({ opcode: 0x1, payload: text('{"type":"ping"}'), rsv: 0b100 }),
    closeCode: 1002,
  },
  { name: 'close frame with code 999', bytes: frame({ opcode: 0x8, payload: closePayload(999) }), closeCode: 1002 },
  { name: 'close frame with code 1005', bytes: frame({ opcode: 0x8, payload: closePayload(1005) }), closeCode: 1002 },
  {
    name: 'ping with a 200-byte payload',
    bytes: frame({ opcode: 0x9, payload: Buffer.alloc(200, 0x61) }),
    closeCode: 1002,
  },
  {
    name: 'text frame header claiming 2 MiB',
    bytes: frame({ opcode: 0x1, payload: text('{"type":'), claimedLength: 2 << 20 }),
    closeCode: 1009,
  },
];

export interface RawExchange {
  /** The handshake's HTTP status (101 when upgraded). */
  readonly status: number;
  /** The code of the first close frame the server sent, null when none came. */
  readonly closeCode: number | null;
  /** Text frames the server sent before it closed. */
  readonly texts: string[];
}

/** The server's frames in `bytes` (servers never mask), as far as they are complete. */
function parseServerFrames(bytes: Buffer): Array<{ opcode: number; payload: Buffer }> {
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    let length = (bytes[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      if (start + 2 > bytes.length) break;
      length = bytes.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      if (start + 8 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(start));
      start += 8;
    }
    if (start + length > bytes.length) break;
    frames.push({ opcode: (bytes[at] as number) & 0x0f, payload: bytes.subarray(start, start + length) });
    at = start + length;
  }
  return frames;
}

export function upgradeRequest(host: string, path: string, headers: Record<string, string> = {}): string {
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
  ];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Opens a TCP connection to `port` on 127.0.0.1; errors (resets) are the caller's to expect. */
export async function rawConnect(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/**
 * Sends the handshake and `bytes` in one write (the server reads them as the upgrade's
 * head, so it parses them whatever it answers), then reads until the server's close frame
 * or the end of the connection.
 */
export async function sendAfterHandshake(
  port: number,
  path: string,
  bytes: Buffer,
  timeoutMs = 15_000,
  headers: Record<string, string> = {},
): Promise<RawExchange> {
  const socket = await rawConnect(port);
  let received = Buffer.alloc(0);
  try {
    return await new Promise<RawExchange>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no close from ${path} within ${timeoutMs} ms; got ${received.toString('latin1').slice(0, 300)}`),
          ),
        timeoutMs,
      );
      const settle = (): void => {
        clearTimeout(timer);
        resolve(exchangeOf(received));
      };
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (exchangeOf(received).closeCode !== null) settle();
      });
      socket.once('close', settle);
      socket.write(Buffer.concat([Buffer.from(upgradeRequest(`127.0.0.1:${port}`, path, headers)), bytes]));
    });
  } finally {
    socket.destroy();
  }
}

function exchangeOf(received: Buffer): RawExchange {
  const end = received.indexOf('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received.toString('latin1'))?.[1] ?? 0);
  if (end < 0 || status !== 101) return { status, closeCode: null, texts: [] };
  const frames = parseServerFrames(received.subarray(end + 4));
  const close = frames.find((f) => f.opcode === 0x8);
  return {
    status,
    closeCode: close ? (close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005) : null,
    texts: frames.filter((f) => f.opcode === 0x1).map((f) => f.payload.toString('utf8')),
  };
}
