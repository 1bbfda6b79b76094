import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';

const INDEX = '<!doctype html><html lang="pt-BR"><script type="module" src="/assets/index-abc123.js"></script></html>';
const SCRIPT = `console.log(${JSON.stringify('painel '.repeat(200))});`;

let app: EmbeddedApp;
let webDir: string;

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'web-static-'));
  mkdirSync(join(webDir, 'assets'));
  writeFileSync(join(webDir, 'index.html'), INDEX);
  writeFileSync(join(webDir, 'assets/index-abc123.js'), SCRIPT);
  writeFileSync(join(webDir, 'assets/index-abc123.js.gz'), gzipSync(SCRIPT));
  writeFileSync(join(webDir, 'assets/index-abc123.js.br'), brotliCompressSync(SCRIPT));
  writeFileSync(join(webDir, 'secret.txt.br'), 'not served');
  app = await startEmbeddedApp({ OIDC_ISSUER: 'https://idp.example/realms/c', OIDC_CLIENT_ID: 'painel' }, { webDir });
});

afterAll(async () => {
  await app.stop();
  rmSync(webDir, { recursive: true, force: true });
});

/** A raw GET: fetch would decode the body and hide which encoding the server chose. */
function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(`${app.url}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('the dashboard served by the API', () => {
  it('serves index.html at / revalidated on every load, with an ETag that answers 304', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body.toString()).toBe(INDEX);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self' https://idp.example https:; object-src 'none'; base-uri 'none'; " +
        "form-action 'self'; frame-ancestors 'none'",
    );
    expect([page.headers['x-frame-options'], page.headers['referrer-policy']]).toEqual(['DENY', 'no-referrer']);
    const again = await get('/', { 'If-None-Match': String(page.headers.etag) });
    expect(again.status).toBe(304);
  });

  it('serves hashed assets as immutable, brotli or gzip from the files the build wrote', async () => {
    const br = await get('/assets/index-abc123.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toContain('Accept-Encoding');
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);
    const gzip = await get('/assets/index-abc123.js', { 'Accept-Encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);
    const plain = await get('/assets/index-abc123.js');
    expect(plain.headers['content-security-policy']).toBeUndefined();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it('tells the page how to sign in, and leaves every API path and unknown file to the API', async () => {
    const config = await get('/web-config.json');
    expect(JSON.parse(config.body.toString())).toEqual({
      auth_required: false,
      oidc: { issuer: 'https://idp.example/realms/c', client_id: 'painel', scope: 'openid profile' },
    });
    expect((await get('/health')).status).toBe(200);
    expect((await get('/api/v1/investigations/nope')).status).toBe(404);
    expect((await get('/secret.txt.br')).status).toBe(404);
    expect((await get('/../package.json')).status).toBe(404);
    expect((await get('/assets/%2e%2e%2f%2e%2e%2fpackage.json')).status).toBe(404);
  });
});
