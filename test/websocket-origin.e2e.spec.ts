import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ioOnce, openIo } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { WebSocket } from 'ws';
import { connectWs, wsUrl } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';

/**
 * Browsers send Origin on every WebSocket handshake and apply no CORS to it: the server
 * refuses foreign pages itself, on the raw paths, /graphql and both Socket.IO transports alike.
 */
const FOREIGN = 'https://evil.example';
const LISTED = 'https://painel.example';

/** 'open' when the upgrade succeeded, else the refusal's status and error code. */
function upgrade(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('error', reject);
    ws.once('open', () => {
      ws.terminate();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        ws.terminate();
        resolve(refusal(res.statusCode ?? 0, body));
      });
    });
  });
}

function refusal(status: number, body: string): string {
  try {
    return `${status} ${(JSON.parse(body) as { error_code?: string }).error_code ?? body}`;
  } catch {
    return `${status} ${body}`;
  }
}

/** What each transport answers a handshake carrying `origin`. */
async function answers(
  app: EmbeddedApp,
  origin: string,
  headers: Record<string, string> = {},
): Promise<Record<string, string>> {
  const all = { Origin: origin, ...headers };
  const polling = await fetch(`${app.url}/socket.io/?EIO=4&transport=polling`, { headers: all });
  const body = await polling.text();
  return {
    raw: await upgrade(wsUrl(app.url, '/api/v1/ws/chat/origin'), all),
    graphql: await upgrade(wsUrl(app.url, '/graphql'), all),
    socketio_websocket: await upgrade(wsUrl(app.url, '/socket.io/?EIO=4&transport=websocket'), all),
    socketio_polling: polling.status === 200 ? 'open' : refusal(polling.status, body),
  };
}

const OPEN = { raw: 'open', graphql: 'open', socketio_websocket: 'open', socketio_polling: 'open' };
const REFUSED = {
  raw: '403 ORIGIN_NOT_ALLOWED',
  graphql: '403 ORIGIN_NOT_ALLOWED',
  socketio_websocket: '403 ORIGIN_NOT_ALLOWED',
  socketio_polling: '403 ORIGIN_NOT_ALLOWED',
};

describe('default CORS_ORIGINS (same origin only)', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await startEmbeddedApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses a handshake from another origin, or from an opaque one, with 403 ORIGIN_NOT_ALLOWED', async () => {
    expect(await answers(app, FOREIGN)).toEqual(REFUSED);
    expect(await answers(app, 'null')).toEqual(REFUSED);
    // Same host, other scheme or port: another origin.
    expect(await answers(app, app.url.replace('http:', 'https:'))).toEqual(REFUSED);
    expect(await answers(app, 'http://127.0.0.1:1')).toEqual(REFUSED);
  });

  it("accepts the server's own origin, and clients that send none", async () => {
    expect(await answers(app, app.url)).toEqual(OPEN);
    const noOrigin = await connectWs(wsUrl(app.url, '/api/v1/ws/chat/origin'));
    await noOrigin.close();
    const io = openIo(`${app.url}/chat`, { auth: { sessionId: 'origin' }, transports: ['polling'] });
    await ioOnce(io.socket, 'connect');
    io.close();
  });

  it('ignores X-Forwarded-Host and -Proto from a peer TRUST_PROXY does not name', async () => {
    expect(await answers(app, FOREIGN, { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.example' })).toEqual(
      REFUSED,
    );
  });
});

describe('default CORS_ORIGINS behind a trusted proxy (TRUST_PROXY=loopback)', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await startEmbeddedApp({ TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('takes its own origin from X-Forwarded-Proto and -Host', async () => {
    const proxied = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'api.example' };
    expect(await answers(app, 'https://api.example', proxied)).toEqual(OPEN);
    expect(await answers(app, FOREIGN, proxied)).toEqual(REFUSED);
    expect(await answers(app, app.url, proxied)).toEqual(REFUSED);
  });
});

describe('CORS_ORIGINS as a list', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await startEmbeddedApp({ CORS_ORIGINS: LISTED });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('accepts the listed origins and refuses any other the same way on every transport', async () => {
    expect(await answers(app, LISTED)).toEqual(OPEN);
    expect(await answers(app, FOREIGN)).toEqual(REFUSED);
  });
});

describe('CORS_ORIGINS=*', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await startEmbeddedApp({ CORS_ORIGINS: '*' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('accepts every origin', async () => {
    expect(await answers(app, FOREIGN)).toEqual(OPEN);
    expect(await answers(app, 'null')).toEqual(OPEN);
  });
});
