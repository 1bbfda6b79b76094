import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';

let app: EmbeddedApp;
let postPaths: string[] = [];

/** POSTs a raw body with its own headers (fetch would refuse to send a Content-Encoding it did not make). */
function post(path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${app.url}${path}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  app = await startEmbeddedApp({ MAX_BODY_BYTES: '65536' });
  const doc = (await (await fetch(`${app.url}/api/docs-json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  postPaths = Object.entries(doc.paths)
    .filter(([, operations]) => 'post' in operations)
    .map(([path]) => path.replace(/\{[^}]+\}/g, '6f1c1f0e-3f5b-4a39-9f6c-2a1d6b0c9e11'));
});

afterAll(async () => {
  await app?.stop();
});

describe('request bodies a client encoded', () => {
  it('finds the POST routes to try', () => {
    expect(postPaths).toEqual(
      expect.arrayContaining(['/api/v1/investigations', '/api/v1/chat/message', '/api/v1/chat/stream']),
    );
  });

  it('answers 400 INVALID_BODY to a corrupt gzip, deflate or br body on every POST route', async () => {
    const json = Buffer.from(JSON.stringify({ query: 'contratos de saúde', message: 'olá' }));
    const corrupt: Record<string, Buffer> = {
      gzip: Buffer.concat([gzipSync(json).subarray(0, 12), Buffer.from('not the rest of it')]),
      deflate: Buffer.from('definitely not deflate'),
      br: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01]),
    };
    for (const path of postPaths) {
      for (const [encoding, body] of Object.entries(corrupt)) {
        const res = await post(path, body, { 'Content-Encoding': encoding });
        expect({ path, encoding, status: res.status }).toEqual({ path, encoding, status: 400 });
        expect(JSON.parse(res.body)).toMatchObject({ error_code: 'INVALID_BODY' });
      }
    }
  });

  it('stops a decompression bomb at MAX_BODY_BYTES with 413, however far it would inflate', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(128 * 1024);
    for (const path of postPaths) {
      const res = await post(path, bomb, { 'Content-Encoding': 'gzip' });
      expect({ path, status: res.status }).toEqual({ path, status: 413 });
      expect(JSON.parse(res.body)).toMatchObject({ error_code: 'PAYLOAD_TOO_LARGE' });
    }
  });

  it('reads a well-formed compressed body as the JSON it carries', async () => {
    const json = Buffer.from(JSON.stringify({ query: 'contratos de saúde', data_source: 'synthetic' }));
    for (const [encoding, body] of [
      ['gzip', gzipSync(json)],
      ['deflate', deflateSync(json)],
      ['br', brotliCompressSync(json)],
    ] as const) {
      const res = await post('/api/v1/investigations', body, { 'Content-Encoding': encoding });
      expect({ encoding, status: res.status }).toEqual({ encoding, status: 202 });
    }
  });
});
