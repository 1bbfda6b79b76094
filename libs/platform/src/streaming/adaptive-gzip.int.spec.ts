import { describe, expect, it } from '@jest/globals';
import { createGunzip, gunzipSync } from 'node:zlib';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { AdaptiveGzip, type GzipOutput } from './adaptive-gzip.js';

/** Frames as an investigation stream writes them: SSE text. */
const event = (id: number, padding: number): Buffer =>
  Buffer.from(
    `id: ${id}\ndata: ${JSON.stringify({ type: 'progress', id, records: id * 100, note: 'contratos '.repeat(padding) })}\n\n`,
  );
const KEEPALIVE = Buffer.from(': keepalive\n\n');

interface Wire {
  readonly output: GzipOutput;
  readonly pieces: Buffer[];
  ended: boolean;
  /** Times the compressor said everything it took was handed on. */
  drains: number;
}

function wire(): Wire {
  const state: Wire = {
    pieces: [],
    ended: false,
    drains: 0,
    output: {
      write: (bytes) => void state.pieces.push(Buffer.from(bytes)),
      end: () => void (state.ended = true),
      fail: (error) => {
        throw error;
      },
      backlog: () => 0,
      cork: () => undefined,
      uncork: () => undefined,
      drained: () => void (state.drains += 1),
    },
  };
  return state;
}

/** A real gunzip fed the wire as it arrives: what it has decoded so far. */
function decoder(): { feed: (bytes: Buffer) => void; text: () => string } {
  const gunzip = createGunzip();
  const decoded: Buffer[] = [];
  gunzip.on('data', (chunk: Buffer) => decoded.push(chunk));
  return { feed: (bytes) => void gunzip.write(bytes), text: () => Buffer.concat(decoded).toString() };
}

describe('AdaptiveGzip', () => {
  it('says when what it compressed is all handed on, so a writer paced on its queue goes on at once', async () => {
    const out = wire();
    const gzip = new AdaptiveGzip(out.output, { level: 6, chunkSize: 8192, minFrameBytes: 64 });
    for (let id = 1; id <= 200; id++) gzip.write(event(id, 40));
    expect(gzip.pending).toBeGreaterThan(0);
    await waitUntil(() => out.drains > 0 || undefined, 'the compressor to say it drained', 5_000);
    expect(gzip.pending).toBe(0);
    gzip.end();
    expect(gunzipSync(Buffer.concat(out.pieces)).toString()).toContain('"id":200');
  });

  it('writes one gzip member of stored and deflated blocks that zlib decodes, every frame on arrival', async () => {
    const out = wire();
    let nowMs = 0;
    const gzip = new AdaptiveGzip(out.output, { level: 6, chunkSize: 8192, minFrameBytes: 256, now: () => nowMs });
    const gunzip = decoder();
    let fed = 0;
    let expected = '';
    const modes: string[] = [];
    const send = async (frame: Buffer): Promise<void> => {
      nowMs += 10;
      gzip.write(frame);
      modes.push(gzip.policy.mode);
      expected += frame.toString();
      await waitUntil(() => (gzip.pending === 0 ? true : undefined), 'the frame handed to the socket');
      for (; fed < out.pieces.length; fed++) gunzip.feed(out.pieces[fed] as Buffer);
      await waitUntil(() => (gunzip.text() === expected ? true : undefined), `frame ${modes.length} decoded`);
    };

    await send(Buffer.from('retry: 3000\n\n'));
    for (let i = 1; i <= 3; i++) await send(KEEPALIVE);
    for (let i = 1; i <= 20; i++) await send(event(i, 60));
    for (let i = 1; i <= 20; i++) await send(KEEPALIVE);
    for (let i = 21; i <= 40; i++) await send(event(i, 60));
    gzip.end();
    await waitUntil(() => (out.ended ? true : undefined), 'the response ended');

    expect(modes.slice(0, 4)).toEqual(['store', 'store', 'store', 'store']);
    expect(modes).toContain('compress');
    // Back to verbatim among the keepalives, then compressed again.
    expect(modes.slice(30, 44)).toContain('store');
    expect(modes.at(-1)).toBe('compress');
    const body = Buffer.concat(out.pieces);
    expect(gunzipSync(body).toString()).toBe(expected);
    // A verbatim frame is on the wire as it is; the events shrank.
    expect(body.includes(KEEPALIVE)).toBe(true);
    expect(body.length).toBeLessThan(Buffer.byteLength(expected) / 3);
  });

  it('splits a verbatim frame over 64 KiB into several stored blocks', async () => {
    const out = wire();
    const gzip = new AdaptiveGzip(out.output, { level: 6, chunkSize: 8192, minFrameBytes: 1_000_000 });
    const big = Buffer.alloc(200_000, 'a');
    gzip.write(big);
    gzip.end();
    await waitUntil(() => (out.ended ? true : undefined), 'the response ended');
    const body = Buffer.concat(out.pieces);
    expect(body.length).toBeGreaterThan(big.length);
    expect(gunzipSync(body).equals(big)).toBe(true);
  });

  it('ends an empty body as a valid empty gzip member', async () => {
    const out = wire();
    const gzip = new AdaptiveGzip(out.output, { level: 6, chunkSize: 8192, minFrameBytes: 256 });
    gzip.end();
    await waitUntil(() => (out.ended ? true : undefined), 'the response ended');
    expect(gunzipSync(Buffer.concat(out.pieces)).length).toBe(0);
  });
});
