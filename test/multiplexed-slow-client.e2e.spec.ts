import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { investigationStreamId } from '#investigations';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { investigationStarted, progressReported } from './support/investigation-events.js';
import { stalledHttp } from './support/stalled-clients.js';
import { waitUntil } from './support/wait-until.js';

/**
 * A client that stops reading a multiplexed connection carrying the investigations list and
 * a busy investigation: every stream of it waits for drain (the list as its hub streams do),
 * so the server holds about SSE_BUFFER_SIZE for it however many events pass.
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
  app = await startEmbeddedApp({
    SSE_BUFFER_SIZE: String(BUFFER),
    STREAM_IDLE_TIMEOUT: '0',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_MINUTE_IP: '0',
  });
  token = await app.token(OWNER, 'analyst');
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

describe('a multiplexed client that stops reading', () => {
  it('costs the server a bounded amount whatever passes, and the connection stays open', async () => {
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
    let appended = 1;
    try {
      while (appended < EVENTS) {
        const batch = Array.from({ length: BATCH }, (_, i) => progressReported(appended + i + 1, OWNER));
        await app.runtime.store.appendToStream(stream, batch, 'any');
        appended += BATCH;
        sample();
      }
    } finally {
      clearInterval(sampler);
    }
    expect(serverSide.destroyed).toBe(false);
    expect(held).toBeLessThanOrEqual(HELD_BOUND);

    client.socket.destroy();
  }, 240_000);
});
