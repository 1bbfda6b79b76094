import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { investigationStreamId } from '#investigations';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { appendProgress, investigationStarted } from './support/investigation-events.js';
import { ofStream, positionOf } from './support/multiplexed-frames.js';
import { openSse, parseSseFrame, type SseFrame } from './support/sse-client.js';
import { stalledHttp } from './support/stalled-clients.js';
import { waitUntil } from './support/wait-until.js';

/**
 * A client that stops reading a multiplexed connection carrying the investigations list and
 * a busy investigation: every stream of it waits for drain (the list as its hub streams do),
 * so the server holds about SSE_BUFFER_SIZE for it however many events pass; the cursor of
 * the last event it did receive resumes every stream, nothing lost or twice.
 */
/** SSE_BUFFER_SIZE's default: the resume reads on at the pace it allows. */
const BUFFER = 65_536;
/** Enough to fill the loopback's kernel buffers many times over (each event is two frames, ~700 bytes). */
const EVENTS = 16_000;
const BATCH = 400;
/** What the server may hold for the client at any time: the limit, and one tick's or one page's frames past it. */
const HELD_BOUND = 2 * BUFFER + BATCH * 1_000;
const OWNER = 'ana';

let app: EmbeddedApp;
let token = '';
const investigationId = randomUUID();

beforeAll(async () => {
  app = await startEmbeddedApp(
    {
      SSE_BUFFER_SIZE: String(BUFFER),
      STREAM_IDLE_TIMEOUT: '0',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_PER_MINUTE_IP: '0',
      // The test writes the investigation's events itself: no workers run it on top.
    },
    { workers: false },
  );
  token = await app.token(OWNER, 'analyst');
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

/** The complete SSE frames of a raw HTTP/1.1 chunked answer read to where it was cut. */
function framesOf(raw: Buffer): SseFrame[] {
  let at = raw.indexOf('\r\n\r\n') + 4;
  let body = '';
  for (;;) {
    const line = raw.indexOf('\r\n', at);
    if (line < 0) break;
    const size = Number.parseInt(raw.subarray(at, line).toString(), 16);
    if (!(size > 0) || line + 2 + size > raw.length) break;
    body += raw.subarray(line + 2, line + 2 + size).toString();
    at = line + 4 + size;
  }
  const blocks = body.split('\n\n');
  return blocks.slice(0, -1).flatMap((block) => parseSseFrame(block) ?? []);
}

/** The client comes back: it reads what reached it, at least `bytes`, and drops the connection. */
function readThenDrop(socket: Socket, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total < bytes) return;
      socket.destroy();
      resolve(Buffer.concat(chunks));
    });
    socket.resume();
  });
}

describe('a multiplexed client that stops reading', () => {
  it('costs the server a bounded amount whatever passes, and resumes with its last cursor, every event once', async () => {
    const stream = investigationStreamId(investigationId);
    await app.runtime.store.appendToStream(stream, [investigationStarted(investigationId, OWNER)], 'any');
    const auth = { Authorization: `Bearer ${token}` };
    await waitUntil(
      async () =>
        (await fetch(`${app.url}/api/v1/investigations/${investigationId}`, { headers: auth })).ok ? true : undefined,
      'the investigation summary',
    );
    const server = app.api.app.getHttpServer() as import('node:http').Server;
    const accepted: Socket[] = [];
    const onConnection = (socket: Socket): number => accepted.push(socket);
    server.on('connection', onConnection);
    const names = ['investigations', `investigation:${investigationId}`];
    const client = await stalledHttp(app.url, `/api/v1/streams?subscribe=${names.join(',')}`, auth);
    const serverSide = await waitUntil(
      () => accepted.find((socket) => socket.remotePort === client.socket.localPort),
      'the server side of the stalled connection',
    );
    server.off('connection', onConnection);

    let held = 0;
    const sample = (): number => (held = Math.max(held, serverSide.writableLength));
    const sampler = setInterval(sample, 5);
    const last = await appendProgress(
      app.runtime.store,
      stream,
      OWNER,
      { from: 1, to: EVENTS, batch: BATCH },
      sample,
    ).finally(() => clearInterval(sampler));
    expect(serverSide.destroyed).toBe(false);
    expect(held).toBeLessThanOrEqual(HELD_BOUND);

    const received = framesOf(await readThenDrop(client.socket, 256 * 1024));
    const cursor = received.at(-1)?.id;
    if (cursor === undefined) throw new Error('the stalled client received no event before the cut');
    const resumed: SseFrame[] = [];
    let lastRevision = 0;
    let lastListed = 0;
    const session = await openSse(
      `${app.url}/api/v1/streams?subscribe=${names.join(',')}`,
      {
        headers: { ...auth, 'Last-Event-ID': cursor },
      },
      (frame) => {
        resumed.push(frame);
        // Kept as frames come: the server runs in this process, so a probe must not re-read them all.
        if (frame.data.stream === names[1]) lastRevision = positionOf(frame);
        else if (frame.data.stream === 'investigations') lastListed = Number(frame.data.last_event_id);
      },
    );
    const revisions = (frames: readonly SseFrame[]): number[] => ofStream(frames, names[1] ?? '').map(positionOf);
    await waitUntil(
      () => (lastRevision === last ? true : undefined),
      `the resumed connection to reach revision ${last}`,
      120_000,
    );
    const listed = (frames: readonly SseFrame[]) => ofStream(frames, 'investigations');
    await waitUntil(() => (lastListed === last ? true : undefined), 'the list to show the last revision', 60_000);
    session.close();

    // Both connections together: every revision once and in order, the list's positions rising, none twice.
    const all = [...received, ...resumed];
    expect(revisions(all)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    const positions = listed(all).map(positionOf);
    expect(positions).toEqual([...new Set(positions)].sort((a, b) => a - b));
    expect(revisions(received).length).toBeGreaterThan(0);
    expect(revisions(resumed).length).toBeGreaterThan(0);
  }, 300_000);
});
