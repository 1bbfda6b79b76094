import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { loadSections } from '#platform';
import { handshakeOriginAllowed, requestOrigin } from './request-origin.js';

/** A request as the HTTP server hands it over: headers and the peer's address. */
function req(headers: Record<string, string>, remoteAddress = '127.0.0.1', encrypted = false): IncomingMessage {
  return { headers, socket: { remoteAddress, encrypted } } as unknown as IncomingMessage;
}

describe('the origin a request was addressed to', () => {
  const direct = loadSections({}).http;
  const behindProxy = loadSections({ TRUST_PROXY: 'loopback' }).http;
  const forwarded = { host: '127.0.0.1:8000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example' };

  it('is the Host header with the connection scheme', () => {
    expect(requestOrigin(req({ host: '127.0.0.1:8000' }), direct)).toBe('http://127.0.0.1:8000');
    expect(requestOrigin(req({ host: 'api.example:443' }, '10.0.0.9', true), direct)).toBe('https://api.example');
    expect(requestOrigin(req({}), direct)).toBeNull();
    expect(requestOrigin(req({ host: 'api.example@evil.example' }), direct)).toBeNull();
  });

  it('honours X-Forwarded-Proto and -Host from a trusted proxy only', () => {
    expect(requestOrigin(req(forwarded), behindProxy)).toBe('https://api.example');
    expect(
      requestOrigin(
        req({ ...forwarded, 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'api.example, inner' }),
        behindProxy,
      ),
    ).toBe('https://api.example');
    expect(requestOrigin(req(forwarded), direct)).toBe('http://127.0.0.1:8000');
    expect(requestOrigin(req(forwarded, '203.0.113.7'), behindProxy)).toBe('http://127.0.0.1:8000');
  });

  it('decides a handshake from both', () => {
    expect(handshakeOriginAllowed(req({ ...forwarded, origin: 'https://api.example' }), behindProxy)).toBe(true);
    expect(handshakeOriginAllowed(req({ ...forwarded, origin: 'https://api.example' }), direct)).toBe(false);
    expect(handshakeOriginAllowed(req({ host: '127.0.0.1:8000' }), direct)).toBe(true);
  });
});
