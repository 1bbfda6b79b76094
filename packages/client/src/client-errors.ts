/** The server answered with an error a retry cannot fix (bad input, no access, unknown id), or a retry may (429, 503). */
export class CidadaoApiError extends Error {
  override readonly name = 'CidadaoApiError';
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    /** Seconds the server asked to wait (429, 503), when it said. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(`${status} ${errorCode}: ${message}`);
  }
}

/** The server said the stream is over (204 No Content on resume): nothing more will come. */
export class StreamEnded extends Error {
  override readonly name = 'StreamEnded';
}

/** The connection dropped; `retryAfterMs` when the server said how long to wait (0: at once). */
export class StreamDropped extends Error {
  override readonly name = 'StreamDropped';
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

interface ErrorBody {
  readonly error_code?: unknown;
  readonly message?: unknown;
  readonly retry_after?: unknown;
}

/** An error body (`{ error_code, message }`) as a CidadaoApiError. */
export function apiErrorFrom(status: number, body: ErrorBody, fallbackMessage: string, retryAfter?: unknown) {
  const seconds = Number(retryAfter ?? body.retry_after);
  return new CidadaoApiError(
    status,
    typeof body.error_code === 'string' ? body.error_code : `HTTP_${status}`,
    typeof body.message === 'string' ? body.message : fallbackMessage,
    Number.isFinite(seconds) && seconds > 0 ? seconds : null,
  );
}

/** An HTTP error response as a CidadaoApiError. */
export async function apiErrorOf(response: Response): Promise<CidadaoApiError> {
  let body: ErrorBody = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  return apiErrorFrom(response.status, body, response.statusText, response.headers.get('retry-after') ?? undefined);
}

/** Worth another try later: the server is busy, restarting or limiting us; not our request. */
export const isRetryableStatus = (status: number): boolean =>
  status === 429 || status === 502 || status === 503 || status === 504;

/**
 * What a WebSocket close code means for a stream (the server's codes): 1008 refused
 * credentials, 4000 + an HTTP status for other refusals, 1012 a restart (come back at once),
 * anything else a drop.
 */
export function closeError(code: number, reason: string): Error {
  if (code === 1008) return new CidadaoApiError(401, 'UNAUTHORIZED', reason || 'authentication failed');
  if (code >= 4000 && code < 5000) return new CidadaoApiError(code - 4000, `HTTP_${code - 4000}`, reason);
  return new StreamDropped(`connection closed (${code}${reason ? `: ${reason}` : ''})`, code === 1012 ? 0 : null);
}
