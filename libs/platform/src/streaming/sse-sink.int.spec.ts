import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { openRawSse } from '../../../../test/support/raw-sse-client.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { BatchedCounter } from '../metrics/batched-counter.js';
import { formatSse } from './sse.js';
import { SseSink, type SseFrame, type SseSinkPolicy } from './sse-sink.js';
import { StreamingCompressionMiddleware } from './streaming-compression.middleware.js';
import { TimerWheel } from './timer-wheel.js';

const frame = (id: number): SseFrame => ({ sse: Buffer.from(formatSse({ id, data: { type: 'progress', n: id } })) });

/** A real server whose SSE responses are SseSinks the test drives, with a wheel on a clock the test moves. */
describe('SseSink', () => {
  let server: Server;
  let url: string;
  let now = 1_000_000;
  const wheel = new TimerWheel(1000, () => now);
  const registry = new Registry();
  const counter = new Counter({
    name: 'frames_sent_total',
    help: 'x',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const sent = new BatchedCounter(counter, { endpoint: '/test' });
  const sinks: Array<SseSink<number>> = [];
  const closed: number[] = [];
  /** Each response's context is its index in `sinks`. */
  const policy: SseSinkPolicy<number> = {
    keepaliveSeconds: 15,
    bufferSize: 65536,
    limits: { idleSeconds: 60, maxSeconds: 0 },
    wheel,
    sent,
    errorMessage: () => ({ data: { type: 'error' } }),
    onClose: (index) => closed.push(index),
  };

  beforeAll(async () => {
    const middleware = new StreamingCompressionMiddleware({ minimumSize: 256, compressionLevel: 6, chunkSize: 8192 });
    server = createServer((req, res) =>
      middleware.use(req, res, () => {
        sinks.push(new SseSink(res, policy, sinks.length, 1000));
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    wheel.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  for (const encoding of ['identity', 'gzip']) {
    it(`writes a tick's frames as one valid body (${encoding}), then ends it and counts what it sent`, async () => {
      const before = (await counter.get()).values[0]?.value ?? 0;
      const client = await openRawSse(`${url}/stream`, { 'Accept-Encoding': encoding });
      const sink = await waitUntil(() => sinks[sinks.length - 1], 'the response');
      const shared = [frame(2), frame(3)];
      expect(sink.write([frame(1)])).toBe(true);
      expect(sink.write(shared)).toBe(true);
      sink.write([frame(4)]);
      sink.end();
      const frames = await client.done;
      expect(frames.map((f) => f.id)).toEqual(['1', '2', '3', '4']);
      expect(client.headers['content-encoding']).toBe(encoding === 'gzip' ? 'gzip' : undefined);
      await waitUntil(() => (closed.includes(sinks.indexOf(sink)) ? true : undefined), 'the close');
      expect((await counter.get()).values[0]?.value).toBe(before + 4);
    });
  }

  it('sends keepalives and ends an idle stream from the wheel, with no timer of its own', async () => {
    const client = await openRawSse(`${url}/stream`, {});
    const sink = await waitUntil(() => (sinks.length === 3 ? sinks[2] : undefined), 'the response');
    sink.write([frame(1)]);
    await client.next();
    const bytes = client.decodedBytes();
    expect(wheel.pending).toBeGreaterThan(0);
    const advance = (seconds: number) => {
      for (let second = 0; second < seconds; second++) {
        now += 1000;
        wheel.tick();
      }
    };
    advance(16);
    const keepalive = ': keepalive\n\n'.length;
    await waitUntil(() => (client.decodedBytes() === bytes + keepalive ? true : undefined), 'a keepalive');
    advance(45);
    const frames = await client.done;
    expect(frames.map((f) => f.id)).toEqual(['1']);
    expect(closed).toContain(2);
  });
});
