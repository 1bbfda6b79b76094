import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';

/** An error of Node's HTTP parser or request timer, as `clientError` hands it over. */
interface ClientError extends Error {
  readonly code?: string;
}

export interface ClientErrorAnswer {
  readonly status: number;
  readonly reason: string;
  readonly code: string;
  readonly message: string;
}

/** How long a client that does not read its error answer keeps its socket. */
const FLUSH_MS = 5_000;

/** The statuses Node's own handler gives these errors; any other is a 400. */
const KNOWN: Readonly<Record<string, ClientErrorAnswer>> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'HEADERS_TOO_LARGE',
    message: 'the request headers are too large',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    reason: 'Payload Too Large',
    code: 'PAYLOAD_TOO_LARGE',
    message: 'the chunk extensions of the request body are too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'REQUEST_TIMEOUT',
    message: 'the request was not received in time',
  },
};

/**
 * The answer to a request Node refused before any route saw it, with the `{error_code,
 * message}` body every other error has. A URL with raw bytes outside ASCII (curl sends
 * `?q=saúde` as typed) is the usual case: the message says to percent-encode it.
 */
export function clientErrorAnswer(error: ClientError): ClientErrorAnswer {
  const known = error.code === undefined ? undefined : KNOWN[error.code];
  if (known) return known;
  const what = error.message.replace(/^Parse Error: /, '');
  const hint = error.code === 'HPE_INVALID_URL' ? ' (percent-encode characters outside ASCII, e.g. q=sa%C3%BAde)' : '';
  return {
    status: 400,
    reason: 'Bad Request',
    code: 'MALFORMED_REQUEST',
    message: `malformed HTTP request: ${what}${hint}`,
  };
}

/**
 * Answers requests Node's HTTP parser refuses with that JSON error instead of an empty one,
 * then closes the connection: the parser cannot tell where a next request would start. A
 * socket already gone, or one with a response under way, is only destroyed.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: ClientError, socket: Socket & { _httpMessage?: unknown }) => {
    if (error.code === 'ECONNRESET' || !socket.writable || socket._httpMessage) {
      socket.destroy();
      return;
    }
    const { status, reason, code, message } = clientErrorAnswer(error);
    const body = JSON.stringify({ error_code: code, message });
    // Closed once the answer is flushed, not when the client closes its side: one that never does
    // holds no socket. One that does not read gets FLUSH_MS to take it.
    socket.setTimeout(FLUSH_MS, () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  });
}

/**
 * Node answers an HTTP/1.1 request without `Host` with an empty 400 of its own; with this on
 * the server it reaches {@link refuseWithoutHost}, which says why.
 */
export const HOST_CHECKED_HERE: Pick<ServerOptions, 'requireHostHeader'> = { requireHostHeader: false };

/** Answers an HTTP/1.1 request that has no `Host` header with a JSON 400 and closes; false for any other request. */
export function refuseWithoutHost(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.httpVersion !== '1.1' || req.headers.host !== undefined) return false;
  const body = JSON.stringify({ error_code: 'MISSING_HOST', message: 'an HTTP/1.1 request must carry a Host header' });
  res.shouldKeepAlive = false;
  res.writeHead(400, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}
