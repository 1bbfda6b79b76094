import { describe, expect, it } from '@jest/globals';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { requestIdsOf } from './request-ids.js';

function requestWith(headers: Record<string, string>): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = headers;
  return req;
}

/** What requestIdsOf left on the request: its one symbol-keyed property. */
function kept(req: IncomingMessage): unknown {
  const [symbol] = Object.getOwnPropertySymbols(req).filter((key) => key.description === 'requestIds');
  return symbol === undefined ? undefined : Reflect.get(req, symbol);
}

describe('requestIdsOf', () => {
  it('decides the ids once, and keeps only the request id when it is also the correlation id', () => {
    const req = requestWith({ 'x-request-id': 'req-1' });
    expect(requestIdsOf(req)).toEqual({ requestId: 'req-1', correlationId: 'req-1' });
    expect(kept(req)).toBe('req-1');
    expect(requestIdsOf(req)).toEqual({ requestId: 'req-1', correlationId: 'req-1' });

    const generated = requestWith({});
    const { requestId, correlationId } = requestIdsOf(generated);
    expect(correlationId).toBe(requestId);
    expect(requestIdsOf(generated).requestId).toBe(requestId);
    expect(kept(generated)).toBe(requestId);
  });

  it('keeps both ids when the client sent a correlation id of its own, and replaces unsafe ones', () => {
    const req = requestWith({ 'x-request-id': 'req-2', 'x-correlation-id': 'conversation-9' });
    expect(requestIdsOf(req)).toEqual({ requestId: 'req-2', correlationId: 'conversation-9' });
    expect(requestIdsOf(req)).toEqual({ requestId: 'req-2', correlationId: 'conversation-9' });
    const unsafe = requestWith({ 'x-request-id': 'bad\nid', 'x-correlation-id': 'conversation-9' });
    const ids = requestIdsOf(unsafe);
    expect(ids.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids.correlationId).toBe('conversation-9');
  });
});
