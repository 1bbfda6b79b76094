import { describe, expect, it } from '@jest/globals';
import { grantsOf, hasPermission, mayActOn, PERMISSIONS, scopeOf, type Permission } from './permissions.js';
import { principalFromClaims, rolesFromClaims, type Principal, type Role } from './principal.js';

const as = (...roles: Role[]): Principal => ({ id: 'ana', roles });

describe('role permissions', () => {
  it.each<[Role, Permission[]]>([
    ['viewer', ['investigation:watch']],
    ['analyst', ['investigation:start', 'investigation:cancel', 'investigation:watch']],
    ['auditor', ['investigation:watch', 'chat:read', 'audit:export', 'audit:verify']],
    ['admin', [...PERMISSIONS]],
  ])('%s is granted exactly %j', (role, granted) => {
    expect(PERMISSIONS.filter((p) => hasPermission(as(role), p))).toEqual(granted);
  });

  it('lists every grant of a principal with the broadest scope its roles give', () => {
    expect(grantsOf(as('viewer', 'auditor'))).toEqual({
      'investigation:watch': 'any',
      'chat:read': 'any',
      'audit:export': 'any',
      'audit:verify': 'any',
    });
    expect(grantsOf(as())).toEqual({});
  });

  it('limits viewers and analysts to their own investigations', () => {
    for (const role of ['viewer', 'analyst'] as const) {
      expect(mayActOn(as(role), 'investigation:watch', 'ana')).toBe(true);
      expect(mayActOn(as(role), 'investigation:watch', 'bob')).toBe(false);
    }
    expect(mayActOn(as('analyst'), 'investigation:cancel', 'bob')).toBe(false);
  });

  it('lets auditors watch any investigation but cancel none, and admins do anything to any', () => {
    expect(mayActOn(as('auditor'), 'investigation:watch', 'bob')).toBe(true);
    expect(mayActOn(as('auditor'), 'investigation:cancel', 'ana')).toBe(false);
    for (const permission of PERMISSIONS) expect(mayActOn(as('admin'), permission, 'bob')).toBe(true);
  });

  it('takes the broadest scope over several roles, and grants nothing without a role', () => {
    expect(scopeOf(as('viewer', 'auditor'), 'investigation:watch')).toBe('any');
    expect(scopeOf(as('viewer', 'analyst'), 'investigation:start')).toBe('own');
    expect(PERMISSIONS.some((p) => hasPermission(as(), p))).toBe(false);
  });
});

describe('principal from token claims', () => {
  it('reads roles from roles, role and Keycloak realm_access, keeping known ones only', () => {
    expect(rolesFromClaims({ roles: ['auditor', 'offline_access'] })).toEqual(['auditor']);
    expect(rolesFromClaims({ roles: 'viewer' })).toEqual(['viewer']);
    expect(rolesFromClaims({ role: 'admin', realm_access: { roles: ['analyst'] } })).toEqual(['analyst', 'admin']);
    expect(rolesFromClaims({ roles: 42 })).toEqual([]);
  });

  it('takes the subject as id and a name when there is one', () => {
    expect(principalFromClaims({ sub: 'ana', roles: ['analyst'], preferred_username: 'ana.souza' })).toEqual({
      id: 'ana',
      roles: ['analyst'],
      name: 'ana.souza',
    });
    expect(() => principalFromClaims({ roles: ['analyst'] })).toThrow(/no subject/);
  });
});
