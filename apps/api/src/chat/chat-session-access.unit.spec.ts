import { describe, expect, it } from '@jest/globals';
import { ANONYMOUS_PRINCIPAL, type Principal, type Role } from '#platform';
import { accessTo, isSessionOwner, ownerFor } from './chat-session-access.js';
import { hashSessionToken, newSessionToken, sessionTokenMatches } from './chat-session-token.js';

const user = (id: string, ...roles: Role[]): Principal => ({ id, roles });
const as = (principal: Principal, sessionToken?: string) => ({ principal, sessionToken });

describe('chat session access', () => {
  it('gives a signed-in owner their session, and nobody else but readers of every session', () => {
    const owner = ownerFor(user('ana', 'viewer'), null);
    expect(owner).toEqual({ userId: 'ana', tokenHash: null });
    expect(accessTo(owner, as(user('ana', 'analyst')))).toBe('owner');
    expect(accessTo(owner, as(user('bob', 'analyst')))).toBeNull();
    expect(accessTo(owner, as(user('vera', 'viewer')))).toBeNull();
    expect(accessTo(owner, as(user('carol', 'auditor')))).toBe('reader');
    expect(accessTo(owner, as(user('root', 'admin')))).toBe('reader');
  });

  it('binds an anonymous session to its secret, of which only the hash is kept', () => {
    const secret = newSessionToken();
    const owner = ownerFor(ANONYMOUS_PRINCIPAL, secret);
    expect(owner).toEqual({ userId: 'anonymous', tokenHash: hashSessionToken(secret) });
    expect(owner.tokenHash).not.toContain(secret);
    expect(isSessionOwner(owner, as(ANONYMOUS_PRINCIPAL, secret))).toBe(true);
    expect(isSessionOwner(owner, as(ANONYMOUS_PRINCIPAL))).toBe(false);
    expect(isSessionOwner(owner, as(ANONYMOUS_PRINCIPAL, newSessionToken()))).toBe(false);
    // A signed-in user whose subject happens to be "anonymous" still needs the secret.
    expect(isSessionOwner(owner, as(user('anonymous', 'admin')))).toBe(false);
  });

  it('never gives an anonymous caller a session with no secret on record', () => {
    expect(isSessionOwner({ userId: 'anonymous', tokenHash: null }, as(ANONYMOUS_PRINCIPAL, newSessionToken()))).toBe(
      false,
    );
  });

  it('compares secrets by digest, refusing empty and malformed ones', () => {
    const secret = newSessionToken();
    expect(sessionTokenMatches(secret, hashSessionToken(secret))).toBe(true);
    expect(sessionTokenMatches('', hashSessionToken(''))).toBe(false);
    expect(sessionTokenMatches(secret, 'not-hex')).toBe(false);
  });
});
