import { z } from 'zod';
import { ROLES, isRole, rolesFromClaims, type Role } from './principal.js';

/** Provider role or group name → the roles of this server it grants. */
export type RoleMap = ReadonlyMap<string, readonly Role[]>;

/** Reads a token's claims into this server's roles. */
export type RoleResolver = (claims: Record<string, unknown>) => Role[];

/**
 * JWT_ROLE_MAP: comma-separated `provider-name:role` pairs, e.g. `admins:admin,staff:analyst`.
 * A provider name may appear twice to grant two roles. Unset or empty: no mapping.
 */
export const roleMapSetting = z
  .string()
  .default('')
  .transform((raw, ctx): RoleMap => {
    const map = new Map<string, Role[]>();
    for (const pair of raw
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '')) {
      const cut = pair.lastIndexOf(':');
      const from = pair.slice(0, cut).trim();
      const to = pair.slice(cut + 1).trim();
      if (cut <= 0 || from === '' || !isRole(to)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${pair}" is not provider-name:role with a role among ${ROLES.join(', ')}`,
        });
        return z.NEVER;
      }
      map.set(from, [...(map.get(from) ?? []), to]);
    }
    return map;
  });

/**
 * The value at a claim path. Claim names may hold dots themselves (Auth0's namespaced
 * `https://cidadao.ai/roles`), so at each level the longest name present wins:
 * `resource_access.cidadao.roles` walks three objects, `https://cidadao.ai/roles` is one claim.
 */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i >= 1; i--) {
    const head = parts.slice(0, i).join('.');
    const inner = claims[head];
    if (Object.hasOwn(claims, head) && typeof inner === 'object' && inner !== null && !Array.isArray(inner))
      return claimAt(inner as Record<string, unknown>, parts.slice(i).join('.'));
  }
  return undefined;
}

const asNames = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');

export interface RoleClaimOptions {
  /** JWT_ROLES_CLAIM: where the provider puts roles or groups; unset: `roles`, `role`, `realm_access.roles`. */
  readonly claimPath?: string;
  /** JWT_ROLE_MAP: provider names to roles; names that are roles already count as themselves. */
  readonly roleMap?: RoleMap;
}

/**
 * Roles from a configured claim and a name mapping. Names neither mapped nor ours are
 * dropped, so a provider's own roles and groups do not lock users out or in.
 */
export function roleResolver(options: RoleClaimOptions): RoleResolver {
  const { claimPath, roleMap } = options;
  if (claimPath === undefined && (roleMap === undefined || roleMap.size === 0)) return rolesFromClaims;
  const names = (claims: Record<string, unknown>): string[] =>
    claimPath === undefined
      ? [...asNames(claims.roles), ...asNames(claims.role), ...asNames(claimAt(claims, 'realm_access.roles'))]
      : asNames(claimAt(claims, claimPath));
  return (claims) => {
    const granted = new Set<Role>();
    for (const name of names(claims)) {
      for (const role of roleMap?.get(name) ?? []) granted.add(role);
      if (isRole(name)) granted.add(name);
    }
    return ROLES.filter((role) => granted.has(role));
  };
}
