import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import { ENTITY_ID_CHARS } from '#eventsourcing';
import { eventIdValueSchema, type Logger } from '#platform';
import type { WsPeer } from './ws-peer.js';
import { errorMessage, MAX_INBOUND_MESSAGE_BYTES, type OutboundMessage } from './ws-messages.js';

const lastEventId = eventIdValueSchema;
const requestId = z.string().max(128).optional();

/** `investigation:<id>` or `chat:<session id>`, the general endpoint's stream names. */
export const streamNameSchema = z
  .string()
  .regex(new RegExp(`^(investigation|chat):${ENTITY_ID_CHARS}$`), 'must be investigation:<id> or chat:<session id>');

/** Every command a client may send on a raw WebSocket (each endpoint accepts some); the AsyncAPI document shows them. */
export const inboundMessageSchemas = {
  ping: z.object({ type: z.literal('ping'), request_id: requestId }),
  subscribe: z.object({
    type: z.literal('subscribe'),
    stream: streamNameSchema,
    last_event_id: lastEventId.optional(),
    session_token: z.string().min(1).max(256).optional(),
    request_id: requestId,
  }),
  unsubscribe: z.object({ type: z.literal('unsubscribe'), stream: streamNameSchema, request_id: requestId }),
  cancel: z.object({ type: z.literal('cancel'), reason: z.string().max(500).optional(), request_id: requestId }),
  resume: z.object({ type: z.literal('resume'), last_event_id: lastEventId, request_id: requestId }),
  message: z.object({
    type: z.literal('message'),
    content: z.unknown(),
    agent_id: z.unknown().optional(),
    request_id: requestId,
  }),
  typing: z.object({ type: z.literal('typing'), is_typing: z.boolean().default(true) }),
  /** A fresh token for the same user: the connection outlives the token it opened with. */
  auth: z.object({ type: z.literal('auth'), token: z.string().min(1).max(16_384), request_id: requestId }),
} as const;

export type InboundType = keyof typeof inboundMessageSchemas;
export type Inbound<K extends InboundType = InboundType> = { [T in K]: z.output<(typeof inboundMessageSchemas)[T]> }[K];

export type ParsedInbound<K extends InboundType> =
  { readonly ok: true; readonly message: Inbound<K> } | { readonly ok: false; readonly error: OutboundMessage };

const fail = (
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): { ok: false; error: OutboundMessage } => ({ ok: false, error: errorMessage(code, message, extra) });

function decode(data: Buffer | string): { ok: false; error: OutboundMessage } | { ok: true; value: unknown } {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (size > MAX_INBOUND_MESSAGE_BYTES)
    return fail(
      'MESSAGE_TOO_LARGE',
      `messages are limited to ${MAX_INBOUND_MESSAGE_BYTES} bytes; this one has ${size}`,
    );
  try {
    return { ok: true, value: JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as unknown };
  } catch {
    return fail('INVALID_JSON', 'the message is not valid JSON; send an object such as {"type":"ping"}');
  }
}

/**
 * Turns one client frame into a message this endpoint understands, or the error message to
 * send back. Never throws: a bad frame costs the client an error, never the connection.
 */
export function parseInbound<K extends InboundType>(data: Buffer | string, allowed: readonly K[]): ParsedInbound<K> {
  const decoded = decode(data);
  if (!decoded.ok) return decoded;
  const value = decoded.value;
  const type =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as { type?: unknown }).type
      : undefined;
  if (typeof type !== 'string') return fail('INVALID_MESSAGE', 'a message must be a JSON object with a string "type"');
  if (!(allowed as readonly string[]).includes(type)) {
    return fail(
      'UNKNOWN_MESSAGE_TYPE',
      `unknown message type "${type.slice(0, 64)}"; this endpoint accepts ${allowed.join(', ')}`,
    );
  }
  const parsed = inboundMessageSchemas[type as K].safeParse(value);
  if (!parsed.success) {
    const summary = parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
    const id = (value as { request_id?: unknown }).request_id;
    return fail(
      'VALIDATION_ERROR',
      `invalid ${type} message: ${summary}`,
      typeof id === 'string' ? { request_id: id } : {},
    );
  }
  return { ok: true, message: parsed.data as Inbound<K> };
}

/** Commands from one client waiting for the one before them; more is a flood. */
const MAX_QUEUED = 64;

const asBuffer = (data: RawData): Buffer =>
  Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);

const parseAuth = (buffer: Buffer) => parseInbound(buffer, ['auth'] as const);

async function refreshToken(peer: WsPeer, message: Inbound<'auth'>): Promise<void> {
  const echo = message.request_id === undefined ? {} : { request_id: message.request_id };
  const answer = peer.refreshToken
    ? await peer.refreshToken(message.token)
    : errorMessage('UNKNOWN_MESSAGE_TYPE', 'this connection takes no token');
  peer.send({ ...answer, ...echo });
}

/**
 * Reads a client's messages one at a time, in order: a `resume` must not overtake the
 * `cancel` sent before it. Bad frames get an error message; a failing handler gets an
 * INTERNAL_ERROR message and is logged; neither closes the connection.
 */
export function readInbox<K extends InboundType>(
  ws: WebSocket,
  peer: WsPeer,
  allowed: readonly K[],
  handle: (message: Inbound<K>) => Promise<void> | void,
  logger: Logger,
): void {
  let chain: Promise<void> = Promise.resolve();
  let queued = 0;
  ws.on('message', (data) => {
    peer.touch();
    if (queued >= MAX_QUEUED) {
      peer.send(errorMessage('TOO_MANY_PENDING', `more than ${MAX_QUEUED} messages wait for an answer; slow down`));
      peer.flush();
      return;
    }
    const buffer = asBuffer(data);
    const parsed = parseInbound(buffer, allowed);
    // Every endpoint takes a fresh token too; only messages it does not know are read as one.
    const auth = !parsed.ok && parsed.error.error_code === 'UNKNOWN_MESSAGE_TYPE' ? parseAuth(buffer) : null;
    queued++;
    // Errors take their turn too: replies come in the order of the messages they answer.
    chain = chain
      .then(() => {
        if (peer.closed) return undefined;
        if (auth?.ok) return refreshToken(peer, auth.message);
        if (auth && auth.error.error_code !== 'UNKNOWN_MESSAGE_TYPE') return peer.send(auth.error);
        if (!parsed.ok) return peer.send(parsed.error);
        return handle(parsed.message);
      })
      .catch((error: unknown) => {
        logger.error({ err: error, connection: peer.id }, 'websocket message handler failed');
        peer.send(errorMessage('INTERNAL_ERROR', 'the message could not be handled; retry shortly'));
      })
      .finally(() => {
        queued--;
        peer.flush();
      });
  });
}
