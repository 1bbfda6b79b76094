import type { IncomingMessage, ServerResponse } from 'node:http';
import { newId } from '#platform';

/** The ids one request is known by in logs, responses and the events it causes. */
export interface RequestIds {
  /** X-Request-ID: this hop. */
  readonly requestId: string;
  /** X-Correlation-ID: the whole conversation; the events' metadata.correlationId. */
  readonly correlationId: string;
}

const SAFE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/**
 * The ids, kept on the request itself (a property costs a stream less than a WeakMap entry):
 * the request id alone when it is also the correlation id, as for most requests, else both.
 */
const ASSIGNED = Symbol('requestIds');

const headerValue = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  // Ids end up in logs and stored events: anything that could forge a log line is replaced.
  return first !== undefined && SAFE_ID.test(first) ? first : undefined;
};

/**
 * The request's ids, decided once: X-Request-ID if the client sent a safe one, else a new
 * id; the correlation id is X-Correlation-ID, else the request id.
 */
export function requestIdsOf(req: IncomingMessage): RequestIds {
  const assigned = Reflect.get(req, ASSIGNED) as RequestIds | string | undefined;
  if (typeof assigned === 'string') return { requestId: assigned, correlationId: assigned };
  if (assigned) return assigned;
  const requestId = headerValue(req, 'x-request-id') ?? newId();
  const correlationId = headerValue(req, 'x-correlation-id') ?? requestId;
  const ids = { requestId, correlationId };
  Reflect.set(req, ASSIGNED, correlationId === requestId ? requestId : ids);
  return ids;
}

/** Decides the ids and echoes them, so a client can quote them when reporting a problem. */
export function echoRequestIds(req: IncomingMessage, res: ServerResponse): RequestIds {
  const ids = requestIdsOf(req);
  res.setHeader('X-Request-ID', ids.requestId);
  res.setHeader('X-Correlation-ID', ids.correlationId);
  return ids;
}
