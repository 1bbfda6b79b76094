import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openRawSse } from '../../../../test/support/raw-sse-client.js';
import { releaseSentHeaders } from './sent-headers.js';

describe('releaseSentHeaders', () => {
  let server: Server;
  let url: string;
  const seen: Array<Record<string, unknown>> = [];
  let last: ServerResponse | undefined;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('X-Request-ID', 'r-1');
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      releaseSentHeaders(res);
      const before = { sent: res.headersSent, id: res.getHeader('X-Request-ID') };
      res.write('retry: 1000\n\n');
      res.flushHeaders();
      releaseSentHeaders(res);
      let refused: unknown = null;
      try {
        res.setHeader('X-Late', '1');
      } catch (error) {
        refused = (error as { code?: string }).code;
      }
      seen.push({ before, sent: res.headersSent, id: res.getHeader('X-Request-ID'), refused });
      res.write('id: 1\ndata: {"type":"progress"}\n\n');
      last = res;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('keeps nothing of a sent header block, and the stream goes on as before', async () => {
    const client = await openRawSse(`${url}/stream`);
    expect(client.headers['x-request-id']).toBe('r-1');
    expect(client.headers['content-type']).toBe('text/event-stream');
    expect((await client.next()).id).toBe('1');
    // Before anything was sent it changes nothing; after, the headers are gone from the response.
    expect(seen[0]).toEqual({
      before: { sent: true, id: 'r-1' },
      sent: true,
      id: undefined,
      refused: 'ERR_HTTP_HEADERS_SENT',
    });
    last?.write('id: 2\ndata: {"type":"progress"}\n\n');
    last?.end();
    expect((await client.done).map((frame) => frame.id)).toEqual(['1', '2']);
  });
});
