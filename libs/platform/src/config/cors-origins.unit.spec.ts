import { describe, expect, it } from '@jest/globals';
import { isHandshakeOriginAllowed, serialisedOrigin } from './cors-origins.js';
import { loadSettings } from './settings.js';

describe("a handshake's Origin against CORS_ORIGINS", () => {
  const none = loadSettings({});

  it('in the default mode allows no Origin and the own origin only', () => {
    expect(isHandshakeOriginAllowed(none.CORS_ORIGINS, undefined, null)).toBe(true);
    expect(isHandshakeOriginAllowed(none.CORS_ORIGINS, 'http://api.example:8000', 'http://api.example:8000')).toBe(
      true,
    );
    expect(isHandshakeOriginAllowed(none.CORS_ORIGINS, 'https://evil.example', 'http://api.example:8000')).toBe(false);
    expect(isHandshakeOriginAllowed(none.CORS_ORIGINS, 'https://api.example:8000', 'http://api.example:8000')).toBe(
      false,
    );
    expect(isHandshakeOriginAllowed(none.CORS_ORIGINS, 'null', 'http://api.example:8000')).toBe(false);
    expect(isHandshakeOriginAllowed(none.CORS_ORIGINS, 'http://api.example:8000', null)).toBe(false);
  });

  it('in list mode allows the listed origins, in any mode every origin', () => {
    const list = loadSettings({ CORS_ORIGINS: 'https://painel.example' }).CORS_ORIGINS;
    expect(isHandshakeOriginAllowed(list, 'https://painel.example', null)).toBe(true);
    expect(isHandshakeOriginAllowed(list, 'https://evil.example', 'https://evil.example')).toBe(false);
    expect(
      isHandshakeOriginAllowed(loadSettings({ CORS_ORIGINS: '*' }).CORS_ORIGINS, 'https://evil.example', null),
    ).toBe(true);
  });

  it('compares origins as browsers serialise them', () => {
    expect(serialisedOrigin('HTTP://API.Example:80')).toBe('http://api.example');
    expect(serialisedOrigin('https://api.example:443')).toBe('https://api.example');
    expect(serialisedOrigin('null')).toBeNull();
    expect(serialisedOrigin('file:///etc/passwd')).toBeNull();
  });
});
