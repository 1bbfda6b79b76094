import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { openIo } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { startApiProcess, type ApiProcess } from './support/api-process.js';
import { HOSTILE_FRAMES, sendAfterHandshake } from './support/raw-websocket.js';
import { waitUntil } from './support/wait-until.js';

/**
 * Socket.IO's transports fed what no socket.io-client would send, against the compiled api
 * process: broken engine.io and socket.io packets, oversized frames and bodies, binary
 * attachment claims, a numeric event name. Each costs at most that client's connection.
 */
let api: ApiProcess;
let url = '';
let port = 0;

beforeAll(async () => {
  api = await startApiProcess({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PER_MINUTE_IP: '0' });
  url = api.url;
  port = Number(new URL(url).port);
});

afterAll(async () => {
  await api?.dispose();
});

const alive = (): boolean => api.alive();

/** The server lives: /health answers and a new Socket.IO client joins a chat. */
async function expectServing(): Promise<void> {
  expect(alive()).toBe(true);
  expect((await fetch(`${url}/health`)).status).toBe(200);
  const fresh = openIo(`${url}/chat`, { auth: { sessionId: 'fresh' } });
  try {
    await fresh.waitFor((event) => event === 'history', 'history on a fresh Socket.IO connection');
  } finally {
    fresh.close();
  }
}

/** engine.io v4 over a plain `ws` client, joined to /chat: every text packet the server sends, and the close code. */
async function engineOverWs(): Promise<{ ws: WebSocket; packets: string[]; closed: Promise<number> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  const packets: string[] = [];
  ws.on('error', () => undefined);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const packet = data.toString();
    if (packet === '2') ws.send('3');
    packets.push(packet);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await waitUntil(() => (packets.some((p) => p.startsWith('0{')) ? true : undefined), 'the engine.io open packet');
  ws.send('40/chat,{"sessionId":"hostile"}');
  await waitUntil(
    () => (packets.some((p) => p.startsWith('42/chat,["history"')) ? true : undefined),
    'history on /chat',
  );
  return { ws, packets, closed };
}

describe('Socket.IO websocket transport', () => {
  it.each([
    ['a 2 MiB text frame', 'x'.repeat(2 << 20), 1009],
    ['a 200 KiB text frame', 'x'.repeat(200 << 10), 1009],
    ['an engine.io packet of unknown type', 'zzz', null],
    ['a socket.io packet with broken JSON', '42/chat,["message",{', null],
    ['a socket.io packet with a reserved event name', '42/chat,["connect",{}]', null],
    ['a binary event claiming too many attachments', '45999-/chat,["message",{"_placeholder":true,"num":0}]', null],
    ['a namespace nobody serves', '40/nowhere,{}', null],
  ] as const)('%s closes that connection only', async (_name, packet, code) => {
    const client = await engineOverWs();
    client.ws.send(packet);
    if (packet.startsWith('40/nowhere')) {
      await waitUntil(
        () => (client.packets.some((p) => p.startsWith('44/nowhere,')) ? true : undefined),
        'connect_error for an unknown namespace',
      );
      client.ws.close();
    }
    const closedWith = await client.closed;
    if (code !== null) expect(closedWith).toBe(code);
    await expectServing();
  });

  it('a binary attachment that points nowhere closes that connection only', async () => {
    const client = await engineOverWs();
    client.ws.send('451-/chat,["message",{"_placeholder":true,"num":7}]');
    client.ws.send(Buffer.from([1, 2, 3]));
    await client.closed;
    await expectServing();
  });

  it.each([
    ['a number', '42/chat,[123,{"content":"x"}]', 'unknown event \\"123\\"'],
    ['"error" with no argument', '42/chat,["error"]', 'unknown event \\"error\\"'],
    ['"error" with an object', '42/chat,["error",{"message":"x"}]', 'unknown event \\"error\\"'],
  ])(
    'an event named by %s is answered as an unknown event, and the connection stays',
    async (_name, packet, answer) => {
      const client = await engineOverWs();
      client.ws.send(packet);
      await waitUntil(
        () => (client.packets.some((p) => p.includes('UNKNOWN_MESSAGE_TYPE') && p.includes(answer)) ? true : undefined),
        'the UNKNOWN_MESSAGE_TYPE answer',
      );
      client.ws.send('42/chat,7["ping"]');
      await waitUntil(
        () => (client.packets.some((p) => p.startsWith('43/chat,7[{"type":"pong"')) ? true : undefined),
        'pong after that event',
      );
      client.ws.close();
      await expectServing();
    },
  );

  it.each(HOSTILE_FRAMES.map((f) => [f.name, f] as const))(
    'hand-built %s: closes with its code',
    async (_name, hostile) => {
      const exchange = await sendAfterHandshake(port, '/socket.io/?EIO=4&transport=websocket', hostile.bytes);
      expect(exchange).toMatchObject({ status: 101, closeCode: hostile.closeCode });
      await expectServing();
    },
  );
});

/** An engine.io polling session's id. */
async function pollingSession(): Promise<string> {
  const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
  const body = await res.text();
  return (JSON.parse(body.slice(1)) as { sid: string }).sid;
}

/** POSTs `body` to a polling session, chunked (no Content-Length) when asked; a reset is status 0. */
function postToSession(sid: string, body: Buffer | string, chunked = false): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`,
      {
        method: 'POST',
        headers: chunked
          ? { 'Content-Type': 'text/plain' }
          : { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', () => resolve({ status: 0, text: '' }));
    if (chunked) {
      const piece = Buffer.alloc(256 * 1024, 0x61);
      for (let sent = 0; sent < Buffer.byteLength(body); sent += piece.length) req.write(piece);
    } else req.write(body);
    req.end();
  });
}

describe('Socket.IO polling transport', () => {
  it.each([
    ['a 2 MiB body', 'x'.repeat(2 << 20), false],
    ['a 2 MiB chunked body without Content-Length', 'x'.repeat(2 << 20), true],
    ['garbage', '\u0000\u00ff garbage', false],
    ['bad UTF-8', Buffer.from([0x34, 0x32, 0xff, 0xfe, 0xc3, 0x28]), false],
    ['a base64 binary packet that is not base64', 'b!!!!', false],
    ['a binary event claiming too many attachments', '45999-/chat,["message"]', false],
    [
      'a binary placeholder that points nowhere',
      '40/chat,{"sessionId":"p"}\u001e451-/chat,["message",{"_placeholder":true,"num":3}]\u001ebAQID',
      false,
    ],
  ] as const)('%s: an answer below 500, and the server serves on', async (_name, body, chunked) => {
    const sid = await pollingSession();
    const answer = await postToSession(sid, body, chunked);
    expect(answer.status).toBeLessThan(500);
    await expectServing();
  });

  it('a body over 128 KiB is refused with 413, not held while it arrives', async () => {
    const sid = await pollingSession();
    expect((await postToSession(sid, 'x'.repeat(200 << 10))).status).toBe(413);
    await expectServing();
  });

  it('a numeric event name is answered as an unknown event', async () => {
    const sid = await pollingSession();
    const poll = async (): Promise<string> =>
      (await fetch(`${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`)).text();
    expect(await postToSession(sid, '40/chat,{"sessionId":"p"}')).toEqual({ status: 200, text: 'ok' });
    await waitUntil(
      async () => ((await poll()).includes('42/chat,["history"') ? true : undefined),
      'history over polling',
    );
    expect(await postToSession(sid, '42/chat,[123,{}]')).toEqual({ status: 200, text: 'ok' });
    const seen = await waitUntil(async () => {
      const text = await poll();
      return text.includes('UNKNOWN_MESSAGE_TYPE') ? text : undefined;
    }, 'the UNKNOWN_MESSAGE_TYPE answer on the next poll');
    expect(seen).toContain('unknown event \\"123\\"');
    await expectServing();
  });

  it('a POST that opens no session is refused with 400', async () => {
    const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(400);
    await expectServing();
  });
});

describe('what the operator sees', () => {
  it('counts malformed Socket.IO packets in streaming_errors_total and logs them at warn', async () => {
    await waitUntil(async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return /streaming_errors_total\{type="websocket",endpoint="socketio"\} [1-9]/.test(text) ? true : undefined;
    }, 'Socket.IO faults in streaming_errors_total');
    expect(await api.proc.waitForLog((l) => l.fault === 'socketio_client')).toMatchObject({
      level: 40,
      path: '/socket.io/',
    });
    expect(api.proc.output()).not.toMatch(/"level":(50|60)/);
    expect(api.proc.output()).not.toContain('Missing error handler');
  });
});
