import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, request, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Subject } from 'rxjs';
import { openRawSse } from '../../../../test/support/raw-sse-client.js';
import { writeSse, type SseMessage } from './sse.js';
import { StreamingCompressionMiddleware } from './streaming-compression.middleware.js';

const LARGE = JSON.stringify({
  items: Array.from({ length: 40 }, (_, i) => ({ i, name: `contrato ${i}`, valor: i * 1000 })),
});
const SMALL = JSON.stringify({ ok: true });
/** A bulk body (an export) written as fast as the response lets it: 200 chunks of 64 KiB. */
const BULK_CHUNK = 'seq,timestamp,event_type,message\n'.repeat(2048);
const BULK_CHUNKS = 200;
/** How many chunks /bulk's writer got in before write() first answered false. */
const bulkAccepted: number[] = [];

/** Writes like pipeline() does: until write() says false, then waits for 'drain'. */
async function writeBulk(res: ServerResponse): Promise<void> {
  res.setHeader('Content-Type', 'text/csv');
  let firstFalse: number | null = null;
  for (let n = 1; n <= BULK_CHUNKS; n++) {
    if (res.write(BULK_CHUNK)) continue;
    firstFalse ??= n;
    await new Promise((resolve) => res.once('drain', resolve));
  }
  bulkAccepted.push(firstFalse ?? BULK_CHUNKS);
  res.end();
}

/** A real server: the middleware in front of an SSE route fed by the test, and two JSON routes. */
function startServer(): Promise<{ server: Server; url: string; sources: Array<Subject<SseMessage>> }> {
  const sources: Array<Subject<SseMessage>> = [];
  const middleware = new StreamingCompressionMiddleware({ minimumSize: 256, compressionLevel: 6, chunkSize: 8192 });
  const server = createServer((req, res) =>
    middleware.use(req, res, () => {
      if (req.url === '/sse') {
        const source = new Subject<SseMessage>();
        sources.push(source);
        writeSse(res, source, { retryMs: 1000, keepaliveSeconds: 3600 });
        return;
      }
      if (req.url === '/bulk') return void writeBulk(res);
      res.setHeader('Content-Type', 'application/json');
      const body = req.url === '/large' ? LARGE : SMALL;
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(body);
    }),
  );
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sources }),
    ),
  );
}

function get(url: string, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .once('error', reject)
      .end();
  });
}

let server: Server;
let url: string;
let sources: Array<Subject<SseMessage>>;
beforeAll(async () => {
  ({ server, url, sources } = await startServer());
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('StreamingCompressionMiddleware', () => {
  it('gzips an SSE stream so that each event decompresses before the next is sent', async () => {
    const sse = await openRawSse(`${url}/sse`, { 'Accept-Encoding': 'gzip' });
    const source = sources.at(-1) as Subject<SseMessage>;
    expect(sse.headers['content-encoding']).toBe('gzip');
    expect(sse.headers.vary).toMatch(/Accept-Encoding/i);
    expect(sse.headers['content-length']).toBeUndefined();
    for (let n = 1; n <= 5; n++) {
      source.next({ id: n, data: { type: 'progress', n } });
      // The server holds event n+1 until the client decoded event n: nothing may be buffered.
      expect(await sse.next()).toEqual({ id: String(n), data: { type: 'progress', n } });
    }
    source.complete();
    expect((await sse.done).map((f) => f.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(sse.wireBytes()).toBeGreaterThan(0);
  });

  it('streams uncompressed when the client does not accept gzip', async () => {
    for (const headers of [{}, { 'Accept-Encoding': 'gzip;q=0, br' }] as Array<Record<string, string>>) {
      const sse = await openRawSse(`${url}/sse`, headers);
      const source = sources.at(-1) as Subject<SseMessage>;
      expect(sse.headers['content-encoding']).toBeUndefined();
      source.next({ id: 1, data: { type: 'progress' } });
      expect(await sse.next()).toEqual({ id: '1', data: { type: 'progress' } });
      source.complete();
      await sse.done;
      expect(sse.wireBytes()).toBe(sse.decodedBytes());
    }
  });

  it('leaves bodies under minimum_size alone and gzips larger ones', async () => {
    const small = await get(`${url}/small`, { 'Accept-Encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.headers.vary).toMatch(/Accept-Encoding/i);
    expect(small.body.toString()).toBe(SMALL);

    const large = await get(`${url}/large`, { 'Accept-Encoding': 'gzip, deflate' });
    expect(large.headers['content-encoding']).toBe('gzip');
    expect(large.headers['content-length']).toBeUndefined();
    expect(large.body.length).toBeLessThan(Buffer.byteLength(LARGE));
    expect(gunzipSync(large.body).toString()).toBe(LARGE);

    const identity = await get(`${url}/large`, {});
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.toString()).toBe(LARGE);
  });

  it('lets the stream go when the client disconnects mid-stream', async () => {
    const sse = await openRawSse(`${url}/sse`, { 'Accept-Encoding': 'gzip' });
    const source = sources.at(-1) as Subject<SseMessage>;
    source.next({ id: 1, data: { type: 'progress' } });
    await sse.next();
    sse.close();
    await sse.done;
    // The response owns the subscription: once the socket closes, nobody listens to the source.
    await new Promise<void>((resolve) => {
      const check = (): void => (source.observed ? void setImmediate(check) : resolve());
      check();
    });
    expect(source.observed).toBe(false);
  });

  it('passes backpressure through gzip: a bulk writer waits for zlib, not only for the socket', async () => {
    const bulk = await get(`${url}/bulk`, { 'Accept-Encoding': 'gzip' });
    expect(bulk.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(bulk.body).toString()).toBe(BULK_CHUNK.repeat(BULK_CHUNKS));
    // Before, write() mirrored only the socket, which stays empty while zlib works: the
    // writer queued all 12.5 MiB into zlib at once (a million-row export: hundreds of MB).
    expect(bulkAccepted).toHaveLength(1);
    expect(bulkAccepted[0]).toBeLessThanOrEqual(2);
  });
});
