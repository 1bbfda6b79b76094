import { describe, expect, it } from '@jest/globals';
import { acceptsEncoding, acceptsGzip } from './accept-encoding.js';

describe('acceptsGzip', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['*', true],
    ['GZIP', true],
    ['x-gzip', true],
  ])('accepts %p', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it.each([
    [undefined, false],
    ['', false],
    ['identity', false],
    ['br, deflate', false],
    ['gzip;q=0', false],
    ['gzip;q=0.000', false],
    ['*;q=0', false],
    ['*, gzip;q=0', false],
    ['gzip;q=abc', false],
  ])('refuses %p', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it('reads a header sent several times', () => {
    expect(acceptsGzip(['br', 'gzip'])).toBe(true);
  });
});

describe('acceptsEncoding', () => {
  it.each([
    ['br', 'br', true],
    ['gzip, deflate, br', 'br', true],
    ['br;q=0, gzip', 'br', false],
    ['gzip', 'br', false],
    ['*', 'br', true],
    ['*, br;q=0', 'br', false],
  ] as const)('%p allows %p: %p', (header, coding, expected) => {
    expect(acceptsEncoding(header, coding)).toBe(expected);
  });
});
