import { afterEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { silentLogger, TimerWheel } from '#platform';
import { WireFrame } from '../streaming/wire-frame.js';
import { PeerTimers } from './peer.js';
import { textFrameOf, WsPeer } from './ws-peer.js';

const PING_S = 60;
const IDLE_S = 300;

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

interface Served {
  readonly url: string;
  readonly peers: Promise<{ peer: WsPeer; ws: WebSocket }>;
  readonly http: Server;
  readonly wss: WebSocketServer;
}

/** A real `ws` server whose connections become peers on `timers`; the wheel's clock is the test's. */
async function serve(timers: PeerTimers): Promise<Served> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const peers = new Promise<{ peer: WsPeer; ws: WebSocket }>((resolve) =>
    wss.once('connection', (ws, req) => {
      const peer = new WsPeer(ws, req.socket, {
        kind: 'investigations',
        principal: { id: 'u-1', roles: ['analyst'] },
        correlationId: 'c-1',
        batching: false,
        websocket: { bufferSize: 4096, pingIntervalSeconds: PING_S, timeoutSeconds: IDLE_S, deflate: false },
        logger: silentLogger,
        timers,
      });
      resolve({ peer, ws });
    }),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}`, peers, http, wss };
}

describe('WsPeer on the timer wheel', () => {
  const cleanups: Array<() => Promise<void> | void> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function setup() {
    const clock = fakeClock();
    const wheel = new TimerWheel(1000, clock.now);
    const timers = new PeerTimers(wheel);
    cleanups.push(() => {
      wheel.stop();
      timers.onApplicationShutdown();
    });
    /** Moves the wheel's clock on and turns the wheel, as its one timer would. */
    const advance = (ms: number): void => {
      clock.advance(ms);
      wheel.tick();
    };
    return { wheel, timers, advance };
  }

  async function connect(served: Served, autoPong: boolean) {
    const client = new WebSocket(served.url, { autoPong });
    const closed = once(client, 'close') as Promise<[number, Buffer]>;
    cleanups.push(async () => {
      client.terminate();
      served.wss.close();
      await new Promise((resolve) => served.http.close(resolve));
    });
    await once(client, 'open');
    return { client, closed, ...(await served.peers) };
  }

  it('pings on the wheel and drops a peer that did not answer by the next ping', async () => {
    const { timers, wheel, advance } = setup();
    const { client, closed, ws } = await connect(await serve(timers), false);
    const pinged = once(client, 'ping');
    advance(PING_S * 1000);
    await pinged;
    expect(ws.readyState).toBe(WebSocket.OPEN);
    advance(PING_S * 1000);
    const [code] = await closed;
    expect(code).toBe(1006);
    expect(wheel.pending).toBe(0);
  });

  it('keeps a peer that answers its pings, and closes it (1000) once idle for WEBSOCKET_TIMEOUT', async () => {
    const { timers, wheel, advance } = setup();
    const { client, closed, ws, peer } = await connect(await serve(timers), true);
    for (let i = 0; i < 3; i++) {
      const ponged = once(ws, 'pong');
      advance(PING_S * 1000);
      await ponged;
    }
    expect(client.readyState).toBe(WebSocket.OPEN);
    peer.sendText('{"type":"progress"}');
    advance(IDLE_S * 1000 - 3 * PING_S * 1000);
    expect(client.readyState).toBe(WebSocket.OPEN);
    const gone = once(ws, 'close');
    advance(3 * PING_S * 1000);
    const [code, reason] = await closed;
    await gone;
    expect(code).toBe(1000);
    expect(reason.toString()).toBe(`idle for ${IDLE_S} s; reconnect with your last event id`);
    expect(wheel.pending).toBe(0);
  });

  it('resumes a caller waiting for the drain on the shared drain wheel, and forgets it once closed', async () => {
    const { timers } = setup();
    const { peer, closed, ws } = await connect(await serve(timers), true);
    await new Promise<void>((resolve) => peer.whenDrained(resolve));
    let resumed = false;
    ws.terminate();
    await closed;
    peer.whenDrained(() => (resumed = true));
    expect(timers.drains.pending).toBe(0);
    expect(resumed).toBe(false);
  });

  it('writes a hub frame as a text message framed once for every peer, whatever its length', async () => {
    const { timers } = setup();
    const { client, peer } = await connect(await serve(timers), true);
    const frames = [10, 200, 70_000].map(
      (size, i) => new WireFrame(i + 1, { type: 'chunk', content: 'é'.repeat(size) }),
    );
    const received: string[] = [];
    const all = new Promise<void>((resolve) =>
      client.on('message', (data, isBinary) => {
        expect(isBinary).toBe(false);
        received.push(String(data));
        if (received.length === frames.length) resolve();
      }),
    );
    for (const frame of frames) peer.sendFrame(frame);
    await all;
    expect(received).toEqual(frames.map((frame) => frame.ws));
    expect(textFrameOf(frames[0] as WireFrame)).toBe(textFrameOf(frames[0] as WireFrame));
  });
});
