export type AuthErrorCode = 'UNAUTHORIZED' | 'TOKEN_EXPIRED' | 'TOKEN_INVALID' | 'TOKEN_REVOKED';

/** The caller could not be authenticated: a 401 over HTTP, close code 1008 on a WebSocket. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** Who the token names, when it was genuine (a revoked token): the audit record's user. */
    readonly subject: string | null = null,
  ) {
    super(message);
  }
}

/** The identity provider's keys could not be fetched: the token may be fine, so this is a 503. */
export class AuthUnavailableError extends Error {
  override readonly name = 'AuthUnavailableError';
}
