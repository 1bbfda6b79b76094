import { toErrorResponse } from '../http/api-exception.filter.js';

/** What a client receives: the seed's shapes, each with a `type`. */
export type OutboundMessage = { readonly type: string } & Readonly<Record<string, unknown>>;

/** WebSocket close codes: the seed's three, plus the standard ones this server also uses. */
export const WS_CLOSE = {
  NORMAL: 1000,
  /** The client broke the WebSocket protocol (unmasked frame, reserved opcode or bit, bad close code). */
  PROTOCOL_ERROR: 1002,
  /** A text message that is not UTF-8. */
  INVALID_PAYLOAD: 1007,
  /** Authentication or authorisation failed (seed): refresh the token and reconnect. */
  POLICY: 1008,
  TOO_BIG: 1009,
  /** Server error (seed): retry with exponential backoff. */
  SERVER_ERROR: 1011,
  /** Graceful shutdown (seed): reconnect at once and resume with the last event id. */
  SERVICE_RESTART: 1012,
  /** The client reads too slowly for its send buffer: reconnect and resume. */
  TRY_AGAIN_LATER: 1013,
} as const;

/**
 * Inbound messages above this get an error message; frames above the hard cap close the socket
 * (1009). The cap is what a connection may hold of a message still arriving (and Socket.IO of a
 * polling body): a client that sends most of a frame and stalls holds that much, on each of the
 * MAX_CONCURRENT_STREAMS connections (128 MB at the defaults, where 1 MB made it a gigabyte).
 */
export const MAX_INBOUND_MESSAGE_BYTES = 64 * 1024;
export const MAX_INBOUND_FRAME_BYTES = 128 * 1024;

export function errorMessage(
  errorCode: string,
  message: string,
  extra: Readonly<Record<string, unknown>> = {},
): OutboundMessage {
  return { type: 'error', error_code: errorCode, message, ...extra };
}

/** Any failure as the seed's in-stream error shape, with the HTTP status it would have had. */
export function errorFrom(
  error: unknown,
  extra: Readonly<Record<string, unknown>> = {},
): { status: number; message: OutboundMessage } {
  const { status, body, retryAfter } = toErrorResponse(error);
  const retry = retryAfter === undefined ? {} : { retry_after: retryAfter };
  return { status, message: errorMessage(body.error_code, body.message, { ...retry, ...extra }) };
}

/**
 * The close code for a failure before or while streaming. WebSocket has no 404: the 4000
 * range is the application's, so 4404 reads as "not found" and tells a client not to retry.
 */
/** The close code of a refusal: a full server or a client over its stream quota comes back later. */
export function closeCodeOf(error: { readonly status: number; readonly code: string }): number {
  return error.code === 'TOO_MANY_STREAMS' ? WS_CLOSE.TRY_AGAIN_LATER : closeCodeFor(error.status);
}

export function closeCodeFor(status: number): number {
  if (status === 401 || status === 403) return WS_CLOSE.POLICY;
  if (status >= 500) return WS_CLOSE.SERVER_ERROR;
  return 4000 + status;
}

/** Close reasons are capped at 123 bytes by the protocol. */
export function closeReason(text: string): string {
  const buffer = Buffer.from(text);
  return buffer.length <= 123
    ? text
    : buffer
        .subarray(0, 120)
        .toString('utf8')
        .replace(/\uFFFD$/, '') + '...';
}
