import { describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { openSse, type SseSession } from '../../../../test/support/sse-client.js';

const SECRET = 'limits-secret-limits-secret-limits-secret';
const TERMINAL = new Set(['complete', 'error', 'cancelled']);

async function withApp(env: Record<string, string>, run: (app: EmbeddedApp) => Promise<void>): Promise<void> {
  const app = await startEmbeddedApp(env);
  try {
    await run(app);
  } finally {
    await app.stop();
  }
}

/** Polls until `check` passes: the outcome is awaited as a condition, never as a fixed sleep. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

async function startInvestigation(app: EmbeddedApp): Promise<string> {
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'contratos de saúde' }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { investigation_id: string }).investigation_id;
}

/** Resolves once the workers recorded the investigation's first progress, so its stream has history. */
async function running(app: EmbeddedApp, id: string): Promise<void> {
  await eventually(async () => {
    const doc = (await (await fetch(`${app.url}/api/v1/investigations/${id}`)).json()) as {
      status: string;
      current_phase: string | null;
    };
    expect(doc.status).toBe('running');
    expect(doc.current_phase).not.toBeNull();
  });
}

/** streaming_errors_total{type="sse",endpoint="/investigations/stream"}, as Prometheus scrapes it. */
async function sseErrors(app: EmbeddedApp): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('streaming_errors_total{type="sse",endpoint="/investigations/stream"}'));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('rate limits', () => {
  it('limits each user (RATE_LIMIT_PER_MINUTE) and each address (RATE_LIMIT_PER_MINUTE_IP) with 429 and Retry-After', async () => {
    await withApp({ JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_PER_MINUTE_IP: '8' }, async (app) => {
      const as = async (sub: string) => ({ Authorization: `Bearer ${await app.token(sub, 'viewer')}` });
      const ana = await as('ana');
      for (let i = 0; i < 3; i++)
        expect((await fetch(`${app.url}/api/v1/investigations/x`, { headers: ana })).status).toBe(404);
      const limited = await fetch(`${app.url}/api/v1/investigations/x`, { headers: ana });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(await limited.json()).toMatchObject({
        error_code: 'RATE_LIMITED',
        message: expect.stringContaining('this user'),
      });
      expect((await fetch(`${app.url}/api/v1/investigations/x`, { headers: await as('bob') })).status).toBe(404);
      // Five requests so far from this address; failed logins count against it too.
      for (let i = 0; i < 3; i++) expect((await fetch(`${app.url}/api/v1/investigations/x`)).status).toBe(401);
      const byAddress = await fetch(`${app.url}/api/v1/investigations/x`, { headers: await as('carla') });
      expect(byAddress.status).toBe(429);
      expect(byAddress.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await byAddress.json()).toMatchObject({
        error_code: 'RATE_LIMITED',
        message: expect.stringContaining('this address'),
      });
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
    });
  });
});

describe('Socket.IO sessions and the address budget', () => {
  it('counts each new session (polling handshake or WebSocket) against RATE_LIMIT_PER_MINUTE_IP, not its own traffic', async () => {
    await withApp({ RATE_LIMIT_PER_MINUTE_IP: '3' }, async (app) => {
      const handshake = () => fetch(`${app.url}/socket.io/?EIO=4&transport=polling`);
      const first = await handshake();
      expect(first.status).toBe(200);
      const { sid } = JSON.parse((await first.text()).slice(1)) as { sid: string };
      // The session's own posts are not new requests.
      for (let i = 0; i < 5; i++) {
        const posted = await fetch(`${app.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
          method: 'POST',
          body: '3',
        });
        expect([posted.status, await posted.text()]).toEqual([200, 'ok']);
      }
      expect((await handshake()).status).toBe(200);
      // An empty sid starts a session too, and is counted as one.
      expect((await fetch(`${app.url}/socket.io/?EIO=4&transport=polling&sid=`)).status).toBe(200);
      const refused = await handshake();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await refused.json()).toMatchObject({
        error_code: 'RATE_LIMITED',
        message: expect.stringContaining('this address'),
      });
      const upgrade = await new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(`${app.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
        ws.on('error', () => undefined);
        ws.once('unexpected-response', (_req, res) => {
          ws.terminate();
          resolve(res.statusCode ?? 0);
        });
        ws.once('open', () => {
          ws.terminate();
          resolve('open');
        });
      });
      expect(upgrade).toBe(429);
    });
  });
});

describe('body size (MAX_BODY_BYTES)', () => {
  it('refuses a larger body with 413 and accepts a smaller one', async () => {
    await withApp({ MAX_BODY_BYTES: '1024' }, async (app) => {
      const send = (query: string) =>
        fetch(`${app.url}/api/v1/investigations`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ query }),
        });
      const tooLarge = await send('contratos '.repeat(120));
      expect(tooLarge.status).toBe(413);
      expect(await tooLarge.json()).toMatchObject({ error_code: 'PAYLOAD_TOO_LARGE' });
      expect((await send('contratos de saúde')).status).toBe(202);
    });
  });
});

describe('stream limits', () => {
  it('refuses streams beyond MAX_CONCURRENT_STREAMS with 503 TOO_MANY_STREAMS, counted in streaming_errors_total', async () => {
    await withApp({ MAX_CONCURRENT_STREAMS: '2', INVESTIGATION_STEP_DELAY_MS: '60000' }, async (app) => {
      const id = await startInvestigation(app);
      const url = `${app.url}/api/v1/investigations/stream/${id}`;
      const before = await sseErrors(app);
      const open: SseSession[] = [await openSse(url), await openSse(url)];
      try {
        expect(open.map((s) => s.status)).toEqual([200, 200]);
        const refused = await fetch(url);
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toBe('5');
        expect(await refused.json()).toMatchObject({ error_code: 'TOO_MANY_STREAMS' });
        expect(await sseErrors(app)).toBe(before + 1);
        open[0]?.close();
        const next = await eventually(async () => {
          const session = await openSse(url);
          if (session.status !== 200) throw new Error(`still refused: ${session.status}`);
          return session;
        });
        open.push(next);
      } finally {
        for (const session of open) session.close();
      }
    });
  });

  it('ends a stream with no event for STREAM_IDLE_TIMEOUT seconds; the client resumes after its last id', async () => {
    await withApp({ STREAM_IDLE_TIMEOUT: '1', INVESTIGATION_STEP_DELAY_MS: '60000' }, async (app) => {
      const id = await startInvestigation(app);
      await running(app, id);
      const first = await openSse(`${app.url}/api/v1/investigations/stream/${id}`);
      const frames = await first.done;
      expect(frames.length).toBeGreaterThan(0);
      expect(frames.some((f) => TERMINAL.has(String(f.data.type)))).toBe(false);
      const resumed = await openSse(`${app.url}/api/v1/investigations/stream/${id}`, {
        headers: { 'Last-Event-ID': frames.at(-1)?.id ?? '' },
      });
      expect(await resumed.done).toEqual([]);
    });
  });

  it('ends a busy stream after STREAM_MAX_DURATION seconds; resuming carries on without a gap or a repeat', async () => {
    await withApp(
      { STREAM_MAX_DURATION: '1', INVESTIGATION_STEP_DELAY_MS: '100', SYNTHETIC_CONTRACTS: '5000' },
      async (app) => {
        const id = await startInvestigation(app);
        const first = await (await openSse(`${app.url}/api/v1/investigations/stream/${id}`)).done;
        expect(first.some((f) => TERMINAL.has(String(f.data.type)))).toBe(false);
        const rest: typeof first = [];
        while (!TERMINAL.has(String(rest.at(-1)?.data.type ?? first.at(-1)?.data.type))) {
          const after = rest.at(-1)?.id ?? first.at(-1)?.id ?? '0';
          rest.push(
            ...(await (
              await openSse(`${app.url}/api/v1/investigations/stream/${id}`, { headers: { 'Last-Event-ID': after } })
            ).done),
          );
        }
        expect(rest.at(-1)?.data.type).toBe('complete');
        const replay = await (await openSse(`${app.url}/api/v1/investigations/stream/${id}`)).done;
        expect([...first, ...rest]).toEqual(replay);
      },
    );
  });
});
