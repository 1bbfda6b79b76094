import { describe, expect, it } from '@jest/globals';
import { tokenState, untilNextChange, WARN_BEFORE_MS } from './expiry';

const expiresAt = 1_000_000_000;
const facts = { token: 'a.b.c', expiresAt, rejected: false };

describe('where the token stands', () => {
  it('is fine until the warning, expiring until its expiry, then expired', () => {
    expect(tokenState(facts, expiresAt - WARN_BEFORE_MS - 1)).toEqual({ kind: 'fine' });
    expect(tokenState(facts, expiresAt - WARN_BEFORE_MS)).toEqual({ kind: 'expiring', at: expiresAt });
    expect(tokenState(facts, expiresAt - 1)).toEqual({ kind: 'expiring', at: expiresAt });
    expect(tokenState(facts, expiresAt)).toEqual({ kind: 'expired' });
  });

  it('is refused once the server answered 401, whatever the clock says', () => {
    expect(tokenState({ ...facts, rejected: true }, 0)).toEqual({ kind: 'refused' });
    expect(tokenState({ ...facts, expiresAt: null, rejected: true }, 0)).toEqual({ kind: 'refused' });
  });

  it('says nothing without a token or a known expiry', () => {
    expect(tokenState({ ...facts, token: null }, expiresAt + 1)).toEqual({ kind: 'fine' });
    expect(tokenState({ ...facts, expiresAt: null }, expiresAt + 1)).toEqual({ kind: 'fine' });
  });

  it('wakes at the warning, then at the expiry, then never', () => {
    expect(untilNextChange(facts, expiresAt - WARN_BEFORE_MS - 500)).toBe(500);
    expect(untilNextChange(facts, expiresAt - 700)).toBe(700);
    expect(untilNextChange(facts, expiresAt)).toBeNull();
    expect(untilNextChange({ ...facts, rejected: true }, 0)).toBeNull();
  });
});
