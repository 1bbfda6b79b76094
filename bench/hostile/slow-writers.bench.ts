import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';

/**
 * What clients that send most of a request and stall make the API hold: N connections
 * from each of four loopback addresses, each promising a 1 MB JSON body and sending 900 KB
 * of it, then N WebSocket connections each sending 90 % of the largest frame it may send
 * (or of 1 MB, SLOW_WRITERS_FRAME_BYTES) and stalling. Prints the API's resident memory
 * before, with them held, and what each kind was answered. The API runs as `npm start`
 * runs it (embedded), with the rate limits off so only the memory bounds decide.
 *
 *   npm run build && node dist/bench/hostile/slow-writers.bench.js
 */
const PER_ADDRESS = Number(process.env.SLOW_WRITERS_PER_ADDRESS ?? 100);
const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
const FRAME_BYTES = Number(process.env.SLOW_WRITERS_FRAME_BYTES ?? 128 * 1024);
const BODY_BYTES = 1_000_000;

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

async function startApi(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_PER_MINUTE_IP: '0',
      MAX_STREAMS_PER_IP: '100000',
      MAX_CONCURRENT_STREAMS: '100000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    out += chunk.toString();
    const url = /"url":"http:\/\/localhost:(\d+)"/.exec(out)?.[1];
    if (url) {
      child.stdout?.resume();
      return { child, port: Number(url) };
    }
  }
  throw new Error(`the API did not start:\n${out}`);
}

async function open(port: number, localAddress: string): Promise<{ socket: Socket; answered: () => string }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  return { socket, answered: () => text };
}

/** A POST that promises BODY_BYTES of JSON and sends 90 % of it. */
async function slowBody(port: number, address: string) {
  const connection = await open(port, address);
  const head = `POST /api/v1/investigations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY_BYTES}\r\n\r\n`;
  connection.socket.write(head + `{"query":"${'a'.repeat(BODY_BYTES * 0.9)}`);
  return connection;
}

/** A WebSocket that sends 90 % of a FRAME_BYTES text frame. */
async function slowFrame(port: number, address: string) {
  const connection = await open(port, address);
  const key = randomBytes(16).toString('base64');
  connection.socket.write(
    `GET /api/v1/ws?connection_type=general HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  while (!connection.answered().includes('\r\n\r\n')) await pause(1);
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(FRAME_BYTES), 2);
  connection.socket.write(Buffer.concat([header, Buffer.alloc(Math.floor(FRAME_BYTES * 0.9))]));
  return connection;
}

function outcomes(connections: ReadonlyArray<{ answered: () => string; socket: Socket }>): string {
  const counts = new Map<string, number>();
  for (const c of connections) {
    const status = c.answered().split(' ')[1] ?? '';
    // A refusal that met the rest of the client's write is a reset: closed with the answer unread.
    const key = c.socket.destroyed ? `${status || 'reset'}, closed` : status ? `${status}, open` : 'reading';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${count} ${key}`).join('; ');
}

async function settle(pid: number): Promise<number> {
  await pause(1_500);
  return rssMb(pid);
}

type Opener = (port: number, address: string) => Promise<{ socket: Socket; answered: () => string }>;

/** One kind of slow writer against an API process of its own: what it held, and what they were answered. */
async function scenario(label: string, openOne: Opener): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'slow-writers-'));
  const { child, port } = await startApi(dataDir);
  const pid = child.pid as number;
  try {
    const before = await settle(pid);
    const connections = [];
    for (const address of ADDRESSES)
      for (let i = 0; i < PER_ADDRESS; i++) connections.push(await openOne(port, address));
    const held = await settle(pid);
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    console.log(
      `| ${label} | ${connections.length} | ${before.toFixed(0)} | +${(held - before).toFixed(0)} | ${outcomes(connections)} | ${load} |`,
    );
    connections.forEach((c) => c.socket.destroy());
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log('| slow writers | connections | API RSS before, MB | held, MB | answered | load average |');
console.log('|---|---:|---:|---:|---|---|');
await scenario('POST bodies: 1 MB promised, 900 KB sent', slowBody);
await scenario(`WebSocket frames: 90 % of ${FRAME_BYTES} bytes sent`, slowFrame);
