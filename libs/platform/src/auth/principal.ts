import { AuthError } from './auth.errors.js';

export const ROLES = ['viewer', 'analyst', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: the token's `sub`, its known roles, and a display name when it has one. */
export interface Principal {
  readonly id: string;
  readonly roles: readonly Role[];
  readonly name?: string;
  /** Set only on the local user of an embedded server that runs without required tokens. */
  readonly anonymous?: true;
  /** The token's `iat` (epoch seconds), when it has one: revocations compare against it. */
  readonly issuedAt?: number;
  /** The token's `exp` (epoch seconds), when it has one: open connections end at it unless refreshed. */
  readonly expiresAt?: number;
}

/** The caller of a public route that sent no token: no roles, so nothing is granted by accident. */
export const NOBODY: Principal = Object.freeze({ id: 'anonymous', roles: Object.freeze([]) });

/** The user a verified token names; null for NOBODY and for the local user of an embedded server without tokens. */
export const verifiedUserId = (principal: Principal): string | null =>
  principal.anonymous || principal === NOBODY ? null : principal.id;

export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/**
 * Roles from the claims OIDC providers actually use: `roles` (array or string), `role`, and
 * Keycloak's `realm_access.roles`. Unknown roles are dropped rather than refused, so a
 * provider's own roles do not lock users out.
 */
export function rolesFromClaims(claims: Record<string, unknown>): Role[] {
  const realmAccess = claims.realm_access;
  const realmRoles =
    typeof realmAccess === 'object' && realmAccess !== null
      ? (realmAccess as Record<string, unknown>).roles
      : undefined;
  const candidates = [...asList(claims.roles), ...asList(claims.role), ...asList(realmRoles)];
  return ROLES.filter((role) => candidates.some((c) => c === role));
}

export function principalFromClaims(
  claims: Record<string, unknown>,
  rolesOf: (claims: Record<string, unknown>) => Role[] = rolesFromClaims,
): Principal {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0) throw new AuthError('TOKEN_INVALID', 'the token has no subject');
  const name = [claims.name, claims.preferred_username].find((n): n is string => typeof n === 'string' && n.length > 0);
  const issuedAt = typeof claims.iat === 'number' && Number.isFinite(claims.iat) ? claims.iat : undefined;
  const expiresAt = typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp : undefined;
  return {
    id: sub,
    roles: rolesOf(claims),
    ...(name === undefined ? {} : { name }),
    ...(issuedAt === undefined ? {} : { issuedAt }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}
