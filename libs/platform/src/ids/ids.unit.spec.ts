import { describe, expect, it } from '@jest/globals';
import { assertSafeToken } from '#platform';

describe('assertSafeToken', () => {
  it('refuses subject wildcards', () => {
    expect(() => assertSafeToken('id', 'a.b')).toThrow(TypeError);
    expect(() => assertSafeToken('id', 'inv-123_x')).not.toThrow();
  });
});
