import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { asOwnEvents, completedOn, ofStream, ownInvestigationEvents } from '../support/multiplexed-frames.js';
import type { SseFrame } from '../support/sse-client.js';
import { waitUntil } from '../support/wait-until.js';
import { launchBrowser } from './support/browser.js';
import { startInvestigationAt } from '../support/start-investigation.js';

/**
 * A browser's EventSource on GET /api/v1/streams: two investigations and the list on one
 * connection, which the server ends every second (STREAM_MAX_DURATION); the browser comes
 * back by itself with Last-Event-ID, and every stream goes on where it stood.
 */
let api: ApiProcess;
let browser: Browser;

beforeAll(async () => {
  api = await startApiProcess({
    SYNTHETIC_CONTRACTS: '4000',
    INVESTIGATION_PAGE_SIZE: '100',
    // Forty pages 100 ms apart: each run lasts seconds, past STREAM_MAX_DURATION however busy the machine.
    INVESTIGATION_STEP_DELAY_MS: '100',
    STREAM_MAX_DURATION: '1',
    SSE_RETRY_MS: '100',
  });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.dispose();
});

const startInvestigation = (): Promise<string> =>
  startInvestigationAt(api.url, { query: 'Contratos de saúde acima de R$ 1 milhão' });

/** What the page's EventSource received so far: each message's data and lastEventId, and how often it opened. */
async function received(page: Page): Promise<{ frames: SseFrame[]; opens: number }> {
  const got = await page.evaluate(() => {
    const w = globalThis as unknown as { received: Array<{ id: string; data: string }>; opens: number };
    return { received: w.received, opens: w.opens };
  });
  return {
    frames: got.received.map((m) => ({ id: m.id, data: JSON.parse(m.data) as Record<string, unknown> })),
    opens: got.opens,
  };
}

describe('EventSource on the multiplexed stream', () => {
  it('receives every stream and resumes them all after the server ends the connection', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      // The page is ready before the runs start, so they are still running when it subscribes.
      await page.goto(`${api.url}/health`);
      const [a, b] = [await startInvestigation(), await startInvestigation()];
      const streams = [`investigation:${a}`, `investigation:${b}`, 'investigations'];
      await page.evaluate(
        (path) => {
          const w = globalThis as unknown as { received: Array<{ id: string; data: string }>; opens: number };
          w.received = [];
          w.opens = 0;
          const source = new EventSource(path);
          source.onopen = () => (w.opens += 1);
          source.onmessage = (event) => w.received.push({ id: event.lastEventId, data: String(event.data) });
        },
        `/api/v1/streams?subscribe=${streams.join(',')}`,
      );

      const { frames, opens } = await waitUntil(
        async () => {
          const got = await received(page);
          const done = completedOn(got.frames, streams[0] ?? '') && completedOn(got.frames, streams[1] ?? '');
          return done ? got : undefined;
        },
        'both investigations to complete in the browser',
        120_000,
      );
      // The server ended the connection at least once mid-run, and the browser came back.
      expect(opens).toBeGreaterThan(1);
      expect(frames.filter((f) => f.data.type === 'subscriptions').length).toBe(opens);

      for (const [index, id] of [a, b].entries()) {
        const expected = await ownInvestigationEvents(api.url, id);
        expect(asOwnEvents(frames, streams[index] ?? '')).toEqual(expected);
      }
      const listIds = asOwnEvents(frames, 'investigations').map((e) => e.id);
      expect(listIds).toEqual([...new Set(listIds)].sort((x, y) => x - y));
      expect(ofStream(frames, 'investigations').length).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  }, 180_000);
});
