import { describe, expect, it } from '@jest/globals';
import { routeOf, WS_ENDPOINTS } from './ws-routes.js';

describe('routeOf', () => {
  it('answers each documented endpoint, with or without a trailing slash', () => {
    expect(WS_ENDPOINTS.map((e) => e.kind)).toEqual(['general', 'chat', 'investigations', 'graphql']);
    expect(routeOf('/graphql')).toEqual({ kind: 'graphql' });
    expect(routeOf('/graphql/')).toEqual({ kind: 'graphql' });
    expect(routeOf('/graphql/x')).toEqual({ kind: 'unknown' });
    expect(routeOf('/api/v1/ws')).toEqual({ kind: 'general' });
    expect(routeOf('/api/v1/ws/')).toEqual({ kind: 'general' });
    expect(routeOf('/api/v1/ws/chat/session-123')).toEqual({ kind: 'chat', sessionId: 'session-123' });
    expect(routeOf('/api/v1/ws/investigations/inv_1/')).toEqual({ kind: 'investigations', investigationId: 'inv_1' });
    expect(routeOf('/socket.io/')).toEqual({ kind: 'socketio' });
  });

  it('treats malformed ids and other paths as unknown', () => {
    for (const path of [
      '/api/v1/ws/chat/a%20b',
      '/api/v1/ws/chat/',
      '/api/v1/ws/chat/a/b',
      '/api/v1/wsx',
      '/api/v1/ws/other/x',
      '/socket.io',
    ]) {
      expect({ path, route: routeOf(path) }).toEqual({ path, route: { kind: 'unknown' } });
    }
  });
});
