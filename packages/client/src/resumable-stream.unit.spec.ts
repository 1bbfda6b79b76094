import { describe, expect, it } from '@jest/globals';
import { CidadaoApiError, StreamDropped, StreamEnded } from './client-errors.js';
import { resumableStream, type ConnectRequest, type Frame, type StreamOptions } from './resumable-stream.js';
import { TokenSource } from './token-source.js';

type Event = { readonly type: string };
/** What one connection does: the frames it delivers, then how it ends. */
type Script = { frames: Frame[]; then?: Error };

const frame = (id: number, type: string): Frame => ({ id: String(id), data: { type } });
const kind = { isTerminal: (e: Event) => e.type === 'complete' };
const fast: StreamOptions = { initialDelayMs: 1, maxDelayMs: 2 };

/** A transport that plays one script per connection and records what each connection asked for. */
function scripted(...scripts: Script[]) {
  const requests: Array<Pick<ConnectRequest, 'lastEventId' | 'token'>> = [];
  const transport = async function* ({ lastEventId, token }: ConnectRequest): AsyncGenerator<Frame> {
    requests.push({ lastEventId, token });
    const script = scripts.shift();
    if (!script) throw new Error('no more connections expected');
    yield* script.frames;
    if (script.then) throw script.then;
  };
  return { transport, requests };
}

async function collect(
  transport: ReturnType<typeof scripted>['transport'],
  options: StreamOptions = fast,
  tokens = new TokenSource(undefined),
  streamKind: Parameters<typeof resumableStream<Event>>[1] = kind,
) {
  const ids: Array<string | undefined> = [];
  for await (const { id } of resumableStream<Event>(transport, streamKind, tokens, options)) ids.push(id);
  return ids;
}

describe('resumableStream', () => {
  it('resumes after the last id received, every message once, and stops at the terminal event', async () => {
    const { transport, requests } = scripted(
      { frames: [frame(1, 'progress'), frame(2, 'progress')], then: new StreamDropped('cut') },
      { frames: [] },
      { frames: [frame(3, 'progress'), frame(4, 'complete'), frame(5, 'after the end')] },
    );
    expect(await collect(transport, { ...fast, lastEventId: '0' })).toEqual(['1', '2', '3', '4']);
    expect(requests.map((r) => r.lastEventId)).toEqual(['0', '2', '2']);
  });

  it("waits what an in-stream error asks, then resumes; the error is not one of the stream's events", async () => {
    const delays: number[] = [];
    const interrupted = { id: undefined, data: { type: 'error', error_code: 'STREAM_FAILED', retry_after: 0.01 } };
    const { transport } = scripted(
      { frames: [frame(1, 'progress'), interrupted, frame(9, 'never read')] },
      { frames: [frame(2, 'complete')] },
    );
    const ids = await collect(transport, { ...fast, random: () => 0, onReconnect: (i) => delays.push(i.delayMs) });
    expect(ids).toEqual(['1', '2']);
    expect(delays).toEqual([10]);
  });

  it('ends quietly when the server says the stream is over (204), or closes it after a final message', async () => {
    expect(await collect(scripted({ frames: [frame(1, 'progress')], then: new StreamEnded('204') }).transport)).toEqual(
      ['1'],
    );
    const chat = { isTerminal: () => false, endsOnClose: (last: Event | undefined) => last?.type === 'done' };
    const { transport, requests } = scripted({ frames: [frame(1, 'chunk')] }, { frames: [frame(2, 'done')] });
    expect(await collect(transport, fast, new TokenSource(undefined), chat)).toEqual(['1', '2']);
    expect(requests).toHaveLength(2);
  });

  it('asks for a new token once on 401, and throws when the new one is refused too', async () => {
    let n = 0;
    const tokens = new TokenSource(() => `token-${++n}`);
    const refused = () => new CidadaoApiError(401, 'INVALID_TOKEN', 'expired');
    const { transport, requests } = scripted(
      { frames: [], then: refused() },
      { frames: [frame(1, 'progress')], then: refused() },
      { frames: [frame(2, 'complete')] },
    );
    expect(await collect(transport, fast, tokens)).toEqual(['1', '2']);
    expect(requests.map((r) => r.token)).toEqual(['token-1', 'token-2', 'token-3']);
    const twice = scripted({ frames: [], then: refused() }, { frames: [], then: refused() });
    await expect(collect(twice.transport, fast, new TokenSource(() => 'bad'))).rejects.toMatchObject({ status: 401 });
  });

  it('throws what a retry cannot fix at once, and retries what it can', async () => {
    const notFound = scripted({ frames: [], then: new CidadaoApiError(404, 'INVESTIGATION_NOT_FOUND', 'no') });
    await expect(collect(notFound.transport)).rejects.toMatchObject({ status: 404 });
    expect(notFound.requests).toHaveLength(1);
    const busy = scripted(
      { frames: [], then: new CidadaoApiError(503, 'STORE_UNAVAILABLE', 'down', 0.001) },
      { frames: [frame(1, 'complete')] },
    );
    expect(await collect(busy.transport)).toEqual(['1']);
  });

  it('gives up after maxAttempts failures in a row', async () => {
    const drop = () => ({ frames: [], then: new StreamDropped('cut') });
    const { transport } = scripted(drop(), drop(), drop());
    await expect(collect(transport, { ...fast, maxAttempts: 2 })).rejects.toThrow('gave up after 2 reconnections');
  });

  it('returns when the signal aborts, even while waiting to reconnect', async () => {
    const stop = new AbortController();
    const { transport } = scripted({ frames: [frame(1, 'progress')], then: new StreamDropped('cut') });
    const ids = await collect(transport, {
      initialDelayMs: 60_000,
      signal: stop.signal,
      onReconnect: () => stop.abort(),
    });
    expect(ids).toEqual(['1']);
  });
});
