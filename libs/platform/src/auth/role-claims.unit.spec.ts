import { describe, expect, it } from '@jest/globals';
import { loadSettings } from '../config/settings.js';
import { claimAt, roleResolver } from './role-claims.js';

const mapOf = (text: string) => loadSettings({ JWT_ROLE_MAP: text }).JWT_ROLE_MAP;

describe('JWT_ROLE_MAP', () => {
  it('reads provider-name:role pairs, a name granting several roles', () => {
    const map = mapOf(' admins:admin, staff:analyst,staff:auditor ,urn:x:group:viewer');
    expect([...map]).toEqual([
      ['admins', ['admin']],
      ['staff', ['analyst', 'auditor']],
      ['urn:x:group', ['viewer']],
    ]);
    expect(mapOf('').size).toBe(0);
  });

  it('refuses a pair without a name or with a role this server does not have', () => {
    for (const bad of ['admins', ':admin', 'admins:root'])
      expect(() => mapOf(bad)).toThrow(/JWT_ROLE_MAP: .* is not provider-name:role/);
  });
});

describe('claimAt', () => {
  const claims = {
    'https://cidadao.ai/roles': ['admins'],
    resource_access: { cidadao: { roles: ['staff'] }, 'app.v2': { roles: ['x'] } },
    groups: ['staff', 'others'],
  };

  it('finds namespaced claims whole, nested claims by walking, and dotted names inside', () => {
    expect(claimAt(claims, 'https://cidadao.ai/roles')).toEqual(['admins']);
    expect(claimAt(claims, 'resource_access.cidadao.roles')).toEqual(['staff']);
    expect(claimAt(claims, 'resource_access.app.v2.roles')).toEqual(['x']);
    expect(claimAt(claims, 'groups')).toEqual(['staff', 'others']);
    expect(claimAt(claims, 'resource_access.other.roles')).toBeUndefined();
    expect(claimAt(claims, 'groups.length')).toBeUndefined();
  });
});

describe('roleResolver', () => {
  it('reads the usual claims when nothing is configured', () => {
    const roles = roleResolver({});
    expect(roles({ roles: ['viewer'], realm_access: { roles: ['auditor', 'offline_access'] } })).toEqual([
      'viewer',
      'auditor',
    ]);
  });

  it('reads only the configured claim, mapping provider names and keeping our own', () => {
    const roles = roleResolver({ claimPath: 'groups', roleMap: mapOf('admins:admin,staff:analyst') });
    expect(roles({ groups: ['staff', 'unknown'], roles: ['admin'] })).toEqual(['analyst']);
    expect(roles({ groups: ['admins', 'viewer'] })).toEqual(['viewer', 'admin']);
    expect(roles({ groups: 'staff' })).toEqual(['analyst']);
    expect(roles({ groups: [42, null] })).toEqual([]);
    expect(roles({})).toEqual([]);
  });

  it('maps the usual claims too when only JWT_ROLE_MAP is set', () => {
    const roles = roleResolver({ roleMap: mapOf('cidadao-admins:admin') });
    expect(roles({ realm_access: { roles: ['cidadao-admins'] } })).toEqual(['admin']);
  });

  it('covers Auth0 namespaced claims and Keycloak client roles', () => {
    const auth0 = roleResolver({ claimPath: 'https://cidadao.ai/roles', roleMap: mapOf('Auditors:auditor') });
    expect(auth0({ 'https://cidadao.ai/roles': ['Auditors'] })).toEqual(['auditor']);
    const keycloak = roleResolver({ claimPath: 'resource_access.cidadao.roles' });
    expect(keycloak({ resource_access: { cidadao: { roles: ['analyst'] }, other: { roles: ['admin'] } } })).toEqual([
      'analyst',
    ]);
  });
});
