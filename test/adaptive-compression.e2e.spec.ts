import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { finishedInvestigation } from './support/finished-investigation.js';
import { openRawSse } from './support/raw-sse-client.js';
import type { SseFrame } from './support/sse-client.js';

const run = promisify(execFile);

/**
 * The investigation stream through the adaptive gzip, read by the clients users have: curl
 * --compressed and Node's zlib; a client that does not accept gzip gets the same stream
 * untouched. Once with the default threshold (the events are compressed) and once with a
 * threshold no frame reaches (every frame a stored block, in the same gzip member).
 */
const setups: ReadonlyArray<[string, Record<string, string>, boolean]> = [
  ['frames compressed', {}, true],
  ['frames verbatim in stored blocks', { STREAMING_COMPRESSION_MIN_FRAME: '1048576' }, false],
];

function parse(text: string): SseFrame[] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n'))
    .filter((lines) => lines.some((l) => l.startsWith('data: ')))
    .map((lines) => ({
      id: lines.find((l) => l.startsWith('id: '))?.slice(4),
      data: JSON.parse(lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '') as Record<string, unknown>,
    }));
}

describe.each(setups)('adaptive SSE compression, %s', (_name, env, shrinks) => {
  let app: EmbeddedApp;
  let url = '';
  beforeAll(async () => {
    app = await startEmbeddedApp({ SYNTHETIC_CONTRACTS: '600', INVESTIGATION_PAGE_SIZE: '50', ...env });
    url = `${app.url}/api/v1/investigations/stream/${await finishedInvestigation(app.url)}`;
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('decodes the same events with curl --compressed, Node zlib and without gzip', async () => {
    const identity = await openRawSse(url);
    const plain = await identity.done;
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.wireBytes()).toBe(identity.decodedBytes());
    expect(plain.at(-1)?.data.type).toBe('complete');

    const gzip = await openRawSse(url, { 'Accept-Encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.headers.vary).toMatch(/Accept-Encoding/i);
    expect(await gzip.done).toEqual(plain);
    if (shrinks) expect(gzip.wireBytes()).toBeLessThan(gzip.decodedBytes() / 2);
    else expect(gzip.wireBytes()).toBeGreaterThan(gzip.decodedBytes());

    const curl = await run('curl', ['--silent', '--show-error', '--compressed', '--dump-header', '-', url], {
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(curl.stdout).toMatch(/^content-encoding: gzip\r?$/im);
    expect(parse(curl.stdout.slice(curl.stdout.indexOf('\r\n\r\n') + 4))).toEqual(plain);
  });
});
