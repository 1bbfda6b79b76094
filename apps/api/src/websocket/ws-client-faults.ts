import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Logger, Metrics } from '#platform';
import { WS_CLOSE } from './ws-messages.js';

/**
 * A client that breaks the protocol (a frame too big, unmasked, bad UTF-8, a reserved
 * opcode or bit, a bad close code, an oversized ping) or drops its socket mid-handshake
 * ends only its own connection. An 'error' event nobody listens to would end the process,
 * every client's connections with it.
 */
export interface FaultScope {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Label of streaming_errors_total: the endpoint kind (general, chat, investigations, unknown, socketio). */
  readonly endpoint: string;
  /** The request path without its query: a token may ride in the query. */
  readonly path: string;
  readonly ip: string;
}

type ClientError = Error & { readonly code?: string };

/** A client that broke the protocol gets this long to acknowledge the close before its socket goes. */
const FAULT_CLOSE_GRACE_MS = 2_000;

/** The close code `ws` sends for each receiver error (RFC 6455 §7.4.1); the rest are protocol errors. */
const CLOSE_CODES: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: WS_CLOSE.TOO_BIG,
  WS_ERR_INVALID_UTF8: WS_CLOSE.INVALID_PAYLOAD,
};

function closeCodeOfFault(error: ClientError): number {
  return CLOSE_CODES[error.code ?? ''] ?? WS_CLOSE.PROTOCOL_ERROR;
}

function report(scope: FaultScope, error: ClientError, fields: Record<string, unknown>, msg: string): void {
  scope.metrics.streamingErrors.inc({ type: 'websocket', endpoint: scope.endpoint });
  scope.logger.warn(
    {
      fault: 'websocket_client',
      endpoint: scope.endpoint,
      path: scope.path,
      ip: scope.ip,
      error_code: error.code,
      reason: error.message,
      ...fields,
    },
    msg,
  );
}

/**
 * Node hands an upgraded socket over with no 'error' listener: until `ws` (or engine.io)
 * owns it, and on every refusal written straight to it, a reset would be uncaught. Once
 * another listener owns the socket's errors, its owner closes the connection and this one
 * only makes sure the socket is gone.
 */
export function guardUpgradeSocket(socket: Duplex, scope: FaultScope): void {
  const onError = (error: ClientError): void => {
    const owned = socket.listenerCount('error') > 1;
    socket.destroy();
    if (!owned) report(scope, error, { phase: 'handshake' }, 'websocket handshake failed: socket error; dropped it');
  };
  socket.on('error', onError);
}

/**
 * `ws` has already sent the close code (1009 too big, 1007 bad UTF-8, 1002 otherwise) and
 * stopped reading when it emits a protocol error: this records it and cuts a client that
 * never completes the closing handshake, rather than holding its socket for ws's 30 s.
 */
export function guardWebSocket(ws: WebSocket, scope: FaultScope, connection?: string): void {
  let cutoff: NodeJS.Timeout | null = null;
  ws.on('error', (error: ClientError) => {
    report(
      scope,
      error,
      { phase: 'frame', close_code: closeCodeOfFault(error), ...(connection === undefined ? {} : { connection }) },
      'websocket client broke the protocol; closed its connection',
    );
    cutoff ??= setTimeout(() => ws.terminate(), FAULT_CLOSE_GRACE_MS);
    cutoff.unref();
  });
  ws.once('close', () => {
    if (cutoff) clearTimeout(cutoff);
  });
}
