/** Why a token is asked for: none yet, the cached one is about to expire, or the server rejected it (401, 1008). */
export type TokenReason = 'initial' | 'expiring' | 'rejected';

/** Returns the bearer token to use (a JWT); null or undefined: call without one. */
export type GetToken = (context: {
  readonly reason: TokenReason;
}) => string | null | undefined | Promise<string | null | undefined>;

/** Seconds since the epoch at which a JWT expires, or null when it is not a JWT with `exp`. */
export function expiryOf(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    );
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : null;
  } catch {
    return null;
  }
}

/**
 * The token every request and connection uses: asked of `getToken` once, again shortly
 * before the JWT's `exp`, and again when the server rejected it. Callers that ask at the
 * same time share one call.
 */
export class TokenSource {
  private cached: { token: string | undefined } | null = null;
  private pending: Promise<string | undefined> | null = null;

  constructor(
    private readonly getToken: GetToken | undefined,
    /** Ask for a new token this long before the current one expires. */
    private readonly refreshBeforeMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token to send now. */
  current(): Promise<string | undefined> {
    if (!this.getToken) return Promise.resolve(undefined);
    if (!this.cached) return this.ask('initial');
    const token = this.cached.token;
    const exp = token === undefined ? null : expiryOf(token);
    if (exp !== null && exp * 1000 - this.refreshBeforeMs <= this.now()) return this.ask('expiring');
    return Promise.resolve(token);
  }

  /** The server refused `rejected`: a new token, unless another caller already fetched one. */
  renew(rejected: string | undefined): Promise<string | undefined> {
    if (this.cached && this.cached.token !== rejected) return Promise.resolve(this.cached.token);
    return this.ask('rejected');
  }

  /** True when renewing can help: there is a source of tokens. */
  get renewable(): boolean {
    return this.getToken !== undefined;
  }

  private ask(reason: TokenReason): Promise<string | undefined> {
    const getToken = this.getToken;
    if (!getToken) return Promise.resolve(undefined);
    this.pending ??= Promise.resolve(getToken({ reason }))
      .then((token) => {
        this.cached = { token: token ?? undefined };
        return token ?? undefined;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}
