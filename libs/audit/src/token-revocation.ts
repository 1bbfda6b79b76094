/**
 * Token revocation: an admin revokes every token a user holds. Tokens are stateless JWTs,
 * so revoking means refusing, from now on, any token of that user issued at or before the
 * revocation instant; the user signs in again for a new one.
 */

/** One stream for every revocation: small, read whole at start by each api process. */
export const TOKEN_REVOCATIONS_STREAM = 'access-revocations';

export interface UserTokensRevokedData {
  readonly userId: string;
  /** Tokens of userId whose `iat` is at or before this instant (whole seconds, ISO) are refused. */
  readonly revokedBefore: string;
  readonly revokedBy: string;
  readonly reason: string | null;
}

export interface UserTokensRevoked {
  readonly type: 'UserTokensRevoked';
  readonly data: UserTokensRevokedData;
}

/** userId -> epoch seconds; the latest revocation wins, so replaying or reordering is harmless. */
export type Revocations = ReadonlyMap<string, number>;

export const isUserTokensRevoked = (event: { readonly type: string }): event is UserTokensRevoked =>
  event.type === 'UserTokensRevoked';

/** JWT `iat` has whole seconds: the revocation instant is truncated to match. */
export function revocationInstant(now: Date): string {
  return new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString();
}

export function evolveRevocations(state: Revocations, event: UserTokensRevoked): Revocations {
  const seconds = Date.parse(event.data.revokedBefore) / 1000;
  if ((state.get(event.data.userId) ?? -Infinity) >= seconds) return state;
  return new Map(state).set(event.data.userId, seconds);
}

/**
 * A token without `iat` cannot show it is newer than a revocation, so it counts as revoked
 * once its user has one.
 */
export function isTokenRevoked(state: Revocations, userId: string, issuedAt: number | undefined): boolean {
  const before = state.get(userId);
  if (before === undefined) return false;
  return issuedAt === undefined || issuedAt <= before;
}
