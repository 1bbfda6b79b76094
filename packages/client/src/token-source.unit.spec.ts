import { describe, expect, it } from '@jest/globals';
import { expiryOf, TokenSource, type TokenReason } from './token-source.js';

const jwt = (claims: object): string =>
  ['{"alg":"HS256"}', JSON.stringify(claims)].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig';

describe('TokenSource', () => {
  it("reads a JWT's exp, and null for anything else", () => {
    expect(expiryOf(jwt({ sub: 'ana', exp: 1_900_000_000 }))).toBe(1_900_000_000);
    expect(expiryOf(jwt({ sub: 'ana' }))).toBeNull();
    expect(expiryOf('opaque-token')).toBeNull();
    expect(expiryOf('a.%%%.b')).toBeNull();
  });

  it('asks once, again shortly before exp, and again when the server rejects the token', async () => {
    let now = 1_000_000_000_000;
    const asked: TokenReason[] = [];
    const tokens = new TokenSource(
      ({ reason }) => {
        asked.push(reason);
        return jwt({ n: asked.length, exp: Math.floor(now / 1000) + 120 });
      },
      30_000,
      () => now,
    );
    const first = await tokens.current();
    expect(await tokens.current()).toBe(first);
    now += 95_000;
    const second = await tokens.current();
    expect(second).not.toBe(first);
    expect(await tokens.renew(first)).toBe(second);
    const third = await tokens.renew(second);
    expect(third).not.toBe(second);
    expect(asked).toEqual(['initial', 'expiring', 'rejected']);
  });

  it('shares one call between callers that ask at the same time', async () => {
    let calls = 0;
    const tokens = new TokenSource(async () => `t${++calls}`);
    expect(await Promise.all([tokens.current(), tokens.current(), tokens.current()])).toEqual(['t1', 't1', 't1']);
    expect(calls).toBe(1);
  });

  it('sends nothing without a source of tokens', async () => {
    const tokens = new TokenSource(undefined);
    expect(await tokens.current()).toBeUndefined();
    expect(tokens.renewable).toBe(false);
  });
});
