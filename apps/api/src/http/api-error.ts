/** An error a client can act on: rendered as `{ error_code, message }` with its HTTP status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string): ApiError =>
  new ApiError(404, `${what.toUpperCase()}_NOT_FOUND`, `${what} ${id} not found`);
