import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { startNode, type RunningProcess } from './support/node-process.js';
import { CLIENT_FIXTURES, installedManifest, installPackedClient, type PackedClient } from './support/packed-client.js';
import { startRestartableApi, type RestartableApi } from './support/restartable-api.js';
import { waitUntil } from './support/wait-until.js';
import { startInvestigationAt } from './support/start-investigation.js';

const CHROMIUM = '/usr/bin/chromium';
const TRANSPORTS = ['sse', 'websocket', 'socketio'] as const;
const work = mkdtempSync(join(tmpdir(), 'client-package-'));
let api: RestartableApi;
let packed: PackedClient;
let browser: Browser | undefined;
const scripts: RunningProcess[] = [];

interface FollowResult {
  readonly results: ReadonlyArray<{ transport: string; ids: string[]; last: string; reconnects: number }>;
  readonly replay: string[];
}

const token = () => api.token('ana', 'analyst');

const startInvestigation = async (): Promise<string> =>
  startInvestigationAt(api.url, { token: await token(), query: 'Contratos de saúde em 2024' });

const midStream = (line: { progress?: Record<string, number> }): boolean =>
  TRANSPORTS.every((t) => (line.progress?.[t] ?? 0) >= 3);

/** Every transport saw the whole stream once, in order, ending at `complete`, across the cut. */
function expectEveryEventOnce({ results, replay }: FollowResult): void {
  expect(replay.length).toBeGreaterThan(5);
  expect(new Set(replay).size).toBe(replay.length);
  for (const result of results) {
    expect({ transport: result.transport, ids: result.ids, last: result.last }).toEqual({
      transport: result.transport,
      ids: replay,
      last: 'complete',
    });
    expect(result.reconnects).toBeGreaterThan(0);
  }
  expect(results.map((r) => r.transport)).toEqual([...TRANSPORTS]);
}

beforeAll(async () => {
  packed = installPackedClient(work);
  api = await startRestartableApi('client-package', 250);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(scripts.map((p) => p.stop('SIGKILL')));
  await api?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('@cidadao-ai/client from its packed tarball', () => {
  it('holds the built ESM, its types and README, no sources, and no runtime dependency', () => {
    expect(packed.files).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'package.json', 'README.md']),
    );
    expect(packed.files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(packed.files.filter((f) => f.includes('spec'))).toEqual([]);
    expect(installedManifest(packed)).toMatchObject({ name: '@cidadao-ai/client' });
    expect(installedManifest(packed).dependencies ?? {}).toEqual({});
  });

  it('in Node: SSE, WebSocket and Socket.IO each see every event once across an API restart', async () => {
    const investigationId = await startInvestigation();
    const script = startNode(join(packed.project, 'node-script.mjs'), {
      CLIENT_TEST_CONFIG: JSON.stringify({
        baseUrl: api.url,
        token: await token(),
        investigationId,
        wsModule: pathToFileURL(resolve('node_modules/ws/wrapper.mjs')).href,
        ioModule: pathToFileURL(resolve('node_modules/socket.io-client/build/esm/index.js')).href,
      }),
    });
    scripts.push(script);
    await script.waitForLog(midStream, 60_000);
    await api.restart();
    const done = await script.waitForLog((l) => 'result' in l, 90_000);
    expectEveryEventOnce(done.result as FollowResult);
  }, 180_000);

  it('in headless Chromium: the same three transports, the same guarantee', async () => {
    if (!existsSync(CHROMIUM)) {
      console.warn(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
      return;
    }
    // Pages fulfilled by the test have no address of their own: Chromium's local-network
    // checks would take them for public pages reaching into 127.0.0.1.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-features=LocalNetworkAccessChecks'],
    });
    const page = await browser.newPage();
    const files: Record<string, string> = {
      'page.html': join(CLIENT_FIXTURES, 'page.html'),
      'follow-transports.mjs': join(CLIENT_FIXTURES, 'follow-transports.mjs'),
      'socket.io.esm.min.js': resolve('node_modules/socket.io-client/dist/socket.io.esm.min.js'),
    };
    // The page and the installed package are served on the API's own origin, as a site would serve its bundle.
    await page.route(`${api.url}/client-test/**`, (route) => {
      const path = new URL(route.request().url()).pathname.replace('/client-test/', '');
      const file = path.startsWith('client/')
        ? join(packed.installed, 'dist', path.slice('client/'.length))
        : files[path];
      if (!file || !existsSync(file)) return route.fulfill({ status: 404 });
      const contentType = file.endsWith('.html') ? 'text/html' : 'text/javascript';
      return route.fulfill({ path: file, contentType });
    });
    const lines: Array<{ progress?: Record<string, number>; result?: FollowResult; failed?: string }> = [];
    const diagnostics: string[] = [];
    page.on('pageerror', (error) => diagnostics.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => diagnostics.push(`failed: ${request.url()} ${request.failure()?.errorText}`));
    page.on('console', (message) => {
      diagnostics.push(message.text());
      try {
        lines.push(JSON.parse(message.text()) as (typeof lines)[number]);
      } catch {
        // not one of the page's reports
      }
    });
    const investigationId = await startInvestigation();
    const config = encodeURIComponent(JSON.stringify({ token: await token(), investigationId }));
    await page.goto(`${api.url}/client-test/page.html#${config}`);
    await waitUntil(
      () => lines.find((l) => l.failed !== undefined || midStream(l)),
      'every transport in the middle of the stream',
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the page said:\n${diagnostics.slice(-20).join('\n')}`);
    });
    expect(lines.find((l) => l.failed !== undefined)?.failed).toBeUndefined();
    await api.restart();
    const done = await waitUntil(
      () => lines.find((l) => l.result !== undefined || l.failed !== undefined),
      'the end of every stream',
      90_000,
    );
    expect(done.failed).toBeUndefined();
    expectEveryEventOnce(done.result as FollowResult);
  }, 180_000);
});
