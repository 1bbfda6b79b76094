import { describe, expect, it } from '@jest/globals';
import {
  evolveRevocations,
  isTokenRevoked,
  revocationInstant,
  type Revocations,
  type UserTokensRevoked,
} from './token-revocation.js';

const revoked = (userId: string, revokedBefore: string): UserTokensRevoked => ({
  type: 'UserTokensRevoked',
  data: { userId, revokedBefore, revokedBy: 'root', reason: null },
});
const seconds = (iso: string): number => Date.parse(iso) / 1000;

describe('token revocation', () => {
  it('refuses tokens issued at or before the revocation, for that user only', () => {
    const state = evolveRevocations(new Map(), revoked('ana', '2026-01-01T10:00:00.000Z'));
    expect(isTokenRevoked(state, 'ana', seconds('2026-01-01T09:59:59Z'))).toBe(true);
    expect(isTokenRevoked(state, 'ana', seconds('2026-01-01T10:00:00Z'))).toBe(true);
    expect(isTokenRevoked(state, 'ana', seconds('2026-01-01T10:00:01Z'))).toBe(false);
    expect(isTokenRevoked(state, 'bob', seconds('2026-01-01T09:00:00Z'))).toBe(false);
  });

  it('treats a token without iat as revoked once its user has a revocation', () => {
    const state = evolveRevocations(new Map(), revoked('ana', '2026-01-01T10:00:00.000Z'));
    expect(isTokenRevoked(state, 'ana', undefined)).toBe(true);
    expect(isTokenRevoked(state, 'bob', undefined)).toBe(false);
  });

  it('keeps the latest revocation whatever order the events are folded in', () => {
    const early = revoked('ana', '2026-01-01T10:00:00.000Z');
    const late = revoked('ana', '2026-01-02T10:00:00.000Z');
    const forward: Revocations = [early, late].reduce(evolveRevocations, new Map() as Revocations);
    const backward: Revocations = [late, early, late].reduce(evolveRevocations, new Map() as Revocations);
    expect(forward).toEqual(backward);
    expect(forward.get('ana')).toBe(seconds('2026-01-02T10:00:00Z'));
  });

  it('truncates the instant to whole seconds, as JWT iat is', () => {
    expect(revocationInstant(new Date('2026-01-01T10:00:00.987Z'))).toBe('2026-01-01T10:00:00.000Z');
  });
});
