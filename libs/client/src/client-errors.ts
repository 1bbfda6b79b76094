/** The server answered with an error a retry cannot fix (bad input, no access, unknown id). */
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

/** An error body as the API sends it: `{ error_code, message }`. */
export async function apiErrorOf(response: Response): Promise<CidadaoApiError> {
  let body: { error_code?: unknown; message?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return new CidadaoApiError(
    response.status,
    typeof body.error_code === 'string' ? body.error_code : `HTTP_${response.status}`,
    typeof body.message === 'string' ? body.message : response.statusText,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}

/** Worth another try later: the server is busy, restarting or limiting us; not our request. */
export const isRetryableStatus = (status: number): boolean =>
  status === 429 || status === 502 || status === 503 || status === 504;
