import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  connect,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type Http2SecureServer,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { investigationStreamId } from '#investigations';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { appendProgress, investigationStarted } from './support/investigation-events.js';
import { selfSignedCert } from './support/self-signed-cert.js';
import { parseSseFrame } from './support/sse-client.js';
import { waitUntil } from './support/wait-until.js';

/**
 * An HTTP/2 client with a small stream window that stops reading one investigation stream:
 * the stream's window shuts, the server holds about SSE_BUFFER_SIZE for it however many
 * events pass, a sibling stream of the same connection keeps flowing, and once the client
 * reads again it gets every event once, in order.
 */
const BUFFER = 65_536;
/** Each progress event is ~350 bytes of SSE: ~5 MB in all, eighty times what may wait for the client. */
const EVENTS = 16_000;
const BATCH = 400;
/** What the server may hold for the stream: the limit, and one tick's or one page's frames past it. */
const HELD_BOUND = 2 * BUFFER + BATCH * 1_000;
const OWNER = 'ana';

const tls = selfSignedCert();
let app: EmbeddedApp;
let session: ClientHttp2Session;
const investigationId = randomUUID();
const path = `/api/v1/investigations/stream/${investigationId}`;

beforeAll(async () => {
  app = await startEmbeddedApp(
    {
      TLS_CERT: tls.certFile,
      TLS_KEY: tls.keyFile,
      SSE_BUFFER_SIZE: String(BUFFER),
      STREAM_IDLE_TIMEOUT: '0',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_PER_MINUTE_IP: '0',
    },
    { workers: false },
  );
}, 60_000);

afterAll(async () => {
  session?.destroy();
  await app?.stop();
  tls.remove();
});

/** The revisions of the complete SSE frames in `text`, and what is left of it after the last one. */
function revisionsIn(text: string): { revisions: number[]; rest: string } {
  const blocks = text.split('\n\n');
  const rest = blocks.pop() ?? '';
  const revisions = blocks.flatMap((block) => {
    const id = parseSseFrame(block)?.id;
    return id === undefined ? [] : [Number(id)];
  });
  return { revisions, rest };
}

/** A GET of the investigation stream whose revisions are kept as they come (once the stream is read). */
function openStream(auth: string): { stream: ClientHttp2Stream; revisions: number[] } {
  const stream = session.request({ ':path': path, authorization: auth });
  stream.end();
  const revisions: number[] = [];
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const read = revisionsIn(rest + chunk);
    revisions.push(...read.revisions);
    rest = read.rest;
  });
  return { stream, revisions };
}

function statusOf(path: string, auth: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path, authorization: auth });
    stream.end();
    stream.once('response', (headers) => {
      resolve(Number(headers[':status']));
      stream.close();
    });
    stream.once('error', reject);
  });
}

describe('an HTTP/2 client that stops reading one stream', () => {
  it('costs the server about SSE_BUFFER_SIZE, does not hold up its siblings, and gets every event once after', async () => {
    const auth = `Bearer ${await app.token(OWNER, 'analyst')}`;
    const storeStream = investigationStreamId(investigationId);
    await app.runtime.store.appendToStream(storeStream, [investigationStarted(investigationId, OWNER)], 'any');
    const server = app.api.app.getHttpServer() as unknown as Http2SecureServer;
    const serverStreams: ServerHttp2Stream[] = [];
    const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
      if (headers[':path'] === path) serverStreams.push(stream);
    };
    server.on('stream', onStream);
    // A small window per stream; the connection's as large as browsers make it, so that one
    // stalled stream does not take the whole connection's window from its siblings.
    session = connect(app.url.replace(/^http:/, 'https:'), { ca: tls.ca, settings: { initialWindowSize: 65_535 } });
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('error', reject);
    });
    session.setLocalWindowSize(32 * 1024 * 1024);
    await waitUntil(
      async () => ((await statusOf(`/api/v1/investigations/${investigationId}`, auth)) === 200 ? true : undefined),
      'the investigation summary',
    );

    const stalled = openStream(auth);
    stalled.stream.pause();
    const serverSide = await waitUntil(() => serverStreams[0], 'the server side of the stalled stream');
    const sibling = openStream(auth);
    server.off('stream', onStream);

    let held = 0;
    const sample = (): number => (held = Math.max(held, serverSide.writableLength));
    const sampler = setInterval(sample, 5);
    let appended = 1;
    try {
      appended = await appendProgress(
        app.runtime.store,
        storeStream,
        OWNER,
        { from: 1, to: EVENTS, batch: BATCH },
        sample,
      );
      // The sibling on the same connection has everything while the stalled stream still waits.
      await waitUntil(
        () => (sibling.revisions.at(-1) === appended ? true : undefined),
        `the sibling stream to reach revision ${appended}`,
        120_000,
      );
      sample();
    } finally {
      clearInterval(sampler);
    }
    expect(serverSide.destroyed).toBe(false);
    expect(stalled.revisions).toEqual([]);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(HELD_BOUND);
    expect(sibling.revisions).toEqual(Array.from({ length: appended }, (_, i) => i + 1));

    stalled.stream.resume();
    await waitUntil(
      () => (stalled.revisions.at(-1) === appended ? true : undefined),
      `the stalled stream, read again, to reach revision ${appended}`,
      120_000,
    );
    expect(stalled.revisions).toEqual(Array.from({ length: appended }, (_, i) => i + 1));
    process.stdout.write(
      `http2 slow reader: at most ${held} bytes held for the stalled stream of ${appended} events (bound ${HELD_BOUND})\n`,
    );
    stalled.stream.close();
    sibling.stream.close();
  }, 300_000);
});
