import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Peer } from '../peer.js';
import { errorMessage, type OutboundMessage } from '../ws-messages.js';

/** An event's payload checked against its schema, or the error message its acknowledgement carries. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { ok: true; data: z.output<S> } | { ok: false; error: OutboundMessage } {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, data: result.data };
  return {
    ok: false,
    error: errorMessage(
      'VALIDATION_ERROR',
      result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    ),
  };
}

/** An event no handler knows gets an error (through its acknowledgement when it asked for one), as on the raw WebSocket. */
export function answerUnknownEvents(socket: Socket, peer: Peer, known: readonly string[]): void {
  // Socket.IO lets a client name an event with a number as well as a string.
  socket.onAny((event: string | number, ...args: unknown[]) => {
    if (typeof event === 'string' && known.includes(event)) return;
    const error = errorMessage(
      'UNKNOWN_MESSAGE_TYPE',
      `unknown event "${String(event).slice(0, 64)}"; this namespace accepts ${known.join(', ')}`,
    );
    const ack = args.at(-1);
    if (typeof ack === 'function') ack(error);
    else peer.send(error);
  });
}

/** The token of an `auth` event: `{ token }`, or the token alone. */
export function tokenOf(body: unknown): unknown {
  if (typeof body === 'object' && body !== null && 'token' in body) return body.token;
  return body;
}
