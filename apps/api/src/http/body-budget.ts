import type { IncomingMessage } from 'node:http';
import { CountsByKey, type HttpSettings, type Metrics } from '#platform';
import { ApiError } from './api-error.js';
import { clientIp } from './client-ip.js';
import type { BodyParser } from './stream-fast-path.js';

const RETRY_AFTER_SECONDS = 1;

/** The body is compressed: its size is known only once inflated, where the parser limits it. */
const compressed = (req: IncomingMessage): boolean => {
  const encoding = req.headers['content-encoding'];
  return encoding !== undefined && encoding !== 'identity';
};

/** The Content-Length of a body sent as it is, else 0. */
const declaredLength = (req: IncomingMessage): number =>
  compressed(req) ? 0 : Number(req.headers['content-length'] ?? 0) || 0;

/**
 * What a body may hold in memory while it is read: its Content-Length, or MAX_BODY_BYTES when
 * that is unknown (chunked) or the body is compressed.
 */
const reservationOf = (req: IncomingMessage, maxBodyBytes: number): number =>
  compressed(req) || req.headers['transfer-encoding'] !== undefined
    ? maxBodyBytes
    : Math.min(declaredLength(req), maxBodyBytes);

/**
 * The body parser, within a budget: the bodies being read hold at most
 * MAX_BODY_BYTES_IN_FLIGHT of memory together, and those of one address a quarter of it. A
 * client that sends headers promising a body and then its bytes slowly (or never) made the
 * parser hold up to MAX_BODY_BYTES per connection for as long as the server waits for a
 * request (500 such connections: 475 MB), before any route, token or rate limit could refuse
 * it. Past the budget a body is not read: 429 for the address over its share, 503 for the
 * server, with Retry-After, and the connection is closed; so is it after a 413 for a body
 * whose Content-Length is over MAX_BODY_BYTES, answered before any of it is read. What a body
 * reserved is released when the parser is done with it, whether it parsed, was refused or its
 * client went away.
 */
export function budgetedBodyParser(parser: BodyParser, http: HttpSettings, metrics: Metrics): BodyParser {
  const { maxBodyBytes, maxBodyBytesInFlight: total } = http;
  const perAddress = Math.max(maxBodyBytes, Math.floor(total / 4));
  const byAddress = new CountsByKey();
  let inFlight = 0;
  return (req, res, next) => {
    if (declaredLength(req) > maxBodyBytes) {
      // The parser would read the whole body off the connection before it answered 413.
      res.shouldKeepAlive = false;
      return next(Object.assign(new Error('request entity too large'), { type: 'entity.too.large' }));
    }
    const bytes = reservationOf(req, maxBodyBytes);
    if (bytes === 0) return parser(req, res, next);
    const address = clientIp(req, http);
    const held = byAddress.of(address);
    const refusal =
      held + bytes > perAddress
        ? new ApiError(
            429,
            'TOO_MANY_REQUEST_BODIES',
            `this address is already sending ${held} bytes of request bodies; at most ${perAddress} at once`,
            undefined,
            RETRY_AFTER_SECONDS,
          )
        : inFlight + bytes > total
          ? new ApiError(
              503,
              'TOO_MANY_REQUEST_BODIES',
              `this server is already reading ${inFlight} bytes of request bodies (MAX_BODY_BYTES_IN_FLIGHT); retry shortly`,
              undefined,
              RETRY_AFTER_SECONDS,
            )
          : null;
    if (refusal) {
      // The body left unread is not waited for: the connection ends with the answer (HTTP/2: the stream does).
      res.shouldKeepAlive = false;
      return next(refusal);
    }
    inFlight += bytes;
    metrics.requestBodyBytesInFlight.set(inFlight);
    byAddress.add(address, bytes);
    let released = false;
    parser(req, res, (error?: unknown) => {
      if (!released) {
        released = true;
        inFlight -= bytes;
        metrics.requestBodyBytesInFlight.set(inFlight);
        byAddress.subtract(address, bytes);
      }
      next(error);
    });
  };
}
