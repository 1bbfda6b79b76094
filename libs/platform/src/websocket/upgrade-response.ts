import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Refuses an upgrade with a plain HTTP response and closes the socket. Used before the
 * handshake, where no close code can be sent yet (unknown path, WebSocket disabled).
 */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  body: { error_code: string; message: string },
  headers: Record<string, string> = {},
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const json = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(json)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${json}`);
  socket.once('finish', () => socket.destroy());
}
