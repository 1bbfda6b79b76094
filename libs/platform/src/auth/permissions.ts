import type { Principal, Role } from './principal.js';

export const PERMISSIONS = [
  'investigation:start',
  'investigation:cancel',
  'investigation:watch',
  'chat:read',
  'audit:export',
  'audit:verify',
  'admin:revoke_tokens',
  'admin:webhooks',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** `own`: only on resources the principal owns; `any`: on every resource. */
export type Scope = 'own' | 'any';

const everything = Object.fromEntries(PERMISSIONS.map((p) => [p, 'any'])) as Record<Permission, Scope>;

/**
 * Who may start, cancel, watch, export, revoke. Watching covers reading the state and
 * streaming it. A chat session is its owner's without any grant; `chat:read` lets auditors
 * and admins read (never post into) everyone's, as they may watch every investigation.
 */
export const ROLE_GRANTS: Readonly<Record<Role, Readonly<Partial<Record<Permission, Scope>>>>> = {
  viewer: { 'investigation:watch': 'own' },
  analyst: { 'investigation:start': 'own', 'investigation:cancel': 'own', 'investigation:watch': 'own' },
  auditor: { 'investigation:watch': 'any', 'chat:read': 'any', 'audit:export': 'any', 'audit:verify': 'any' },
  admin: everything,
};

/** The broadest scope any of the principal's roles grants, or null when none grants it. */
export function scopeOf(principal: Principal, permission: Permission): Scope | null {
  let best: Scope | null = null;
  for (const role of principal.roles) {
    const scope = ROLE_GRANTS[role][permission];
    if (scope === 'any') return 'any';
    if (scope === 'own') best = 'own';
  }
  return best;
}

export const hasPermission = (principal: Principal, permission: Permission): boolean =>
  scopeOf(principal, permission) !== null;

/** Whether the principal may use the permission on a resource owned by `ownerId`. */
export function mayActOn(principal: Principal, permission: Permission, ownerId: string): boolean {
  const scope = scopeOf(principal, permission);
  return scope === 'any' || (scope === 'own' && ownerId === principal.id);
}

/** Every permission the principal's roles grant, with its broadest scope. */
export function grantsOf(principal: Principal): Partial<Record<Permission, Scope>> {
  const grants: Partial<Record<Permission, Scope>> = {};
  for (const permission of PERMISSIONS) {
    const scope = scopeOf(principal, permission);
    if (scope !== null) grants[permission] = scope;
  }
  return grants;
}
