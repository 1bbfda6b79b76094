// Node subscribers in one process: SSE (node:http), WebSocket (`ws`) or Socket.IO
// (socket.io-client, websocket transport). Each counts deliveries, gaps and duplicates by the
// event's sequence (`id`, or `progress` for Nchan whose ids are not numbers) and records the
// latency of each event from its `records_processed` send time. `resume` drops every
// subscriber at once and reconnects them at once with Last-Event-ID, timing the catch-up.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { monoUs, serveRequests } from './common.mjs';

const SEQ = { id: /(?:^id: |"id":)(\d+)/m, progress: /"progress":(\d+)/ };
const SENT = /"records_processed":(\d+)/;
const LAST_ID = /^id: ?(.*)$/m;

let subscribers = [];
let latencies = [];
let options;

class Subscriber {
  next = 0;
  lastId = '';
  delivered = 0;
  gaps = 0;
  duplicates = 0;
  firstArrival = 0;
  lastArrival = 0;
  close = () => {};
  /** During a resume: when it reconnected, and when it got the first event sent after that. */
  resumedAt = 0;
  caughtUpAt = 0;

  constructor(target) {
    this.target = target;
  }

  take(seq, sentUs, lastId) {
    const now = monoUs();
    if (lastId !== undefined) this.lastId = lastId;
    if (seq < this.next) {
      if (seq >= options.first) this.duplicates++;
      return;
    }
    if (seq >= options.first && this.next >= options.first && seq > this.next) this.gaps += seq - this.next;
    else if (seq > options.first && this.next < options.first) this.gaps += seq - options.first;
    this.next = seq + 1;
    if (this.resumedAt && !this.caughtUpAt && sentUs >= this.resumedAt) this.caughtUpAt = now;
    if (seq < options.first) return;
    this.delivered++;
    if (!this.firstArrival) this.firstArrival = now;
    this.lastArrival = now;
    latencies.push(now - sentUs);
  }
}

function parsed(text, seqOf) {
  const seq = seqOf.exec(text);
  const sent = SENT.exec(text);
  return seq && sent ? [Number(seq[1]), Number(sent[1])] : null;
}

function sse(subscriber) {
  const url = `${options.base}${subscriber.target}`;
  const seqOf = SEQ[options.seqField];
  const headers = { accept: 'text/event-stream', ...(subscriber.lastId ? { 'last-event-id': subscriber.lastId } : {}) };
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${url}: ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = parsed(frame, seqOf);
          if (event) subscriber.take(...event, LAST_ID.exec(frame)?.[1]);
        }
      });
      resolve(() => req.destroy());
    });
    req.on('error', reject);
  });
}

function ws(subscriber) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${options.base}${subscriber.target}`, { perMessageDeflate: false });
    socket.on('message', (data) => {
      const event = parsed(data.toString(), SEQ.id);
      if (event) subscriber.take(...event);
    });
    socket.once('open', () => resolve(() => socket.terminate()));
    socket.once('error', reject);
  });
}

function socketIo(subscriber) {
  const { namespace, auth } = subscriber.target;
  return new Promise((resolve, reject) => {
    const socket = io(`${options.base}${namespace}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth,
    });
    socket.onAny((_event, payload) => {
      if (typeof payload?.id === 'number' && typeof payload.records_processed === 'number')
        subscriber.take(payload.id, payload.records_processed);
    });
    socket.once('connect', () => resolve(() => socket.close()));
    socket.once('connect_error', reject);
  });
}

const TRANSPORTS = { sse, ws, io: socketIo };

async function connectAll(batch) {
  const connect = TRANSPORTS[options.transport];
  for (let i = 0; i < batch.length; i += 200)
    await Promise.all(
      batch.slice(i, i + 200).map(async (s) => {
        s.close = await connect(s);
      }),
    );
}

const quantile = (sorted, q) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : -1;

serveRequests({
  async open(opened) {
    options = opened;
    subscribers = Array.from(
      { length: opened.subs },
      (_, i) => new Subscriber(opened.targets[i % opened.targets.length]),
    );
    latencies = [];
    await connectAll(subscribers);
    return subscribers.length;
  },
  /** Counts; latency quantiles only when `full` (sorting every latency is not free). */
  stats(full = false) {
    const sorted = full ? Float64Array.from(latencies).sort() : [];
    return {
      connected: subscribers.length,
      warm: subscribers.every((s) => s.next > options.warmLast),
      delivered: subscribers.reduce((n, s) => n + s.delivered, 0),
      gaps: subscribers.reduce((n, s) => n + s.gaps, 0),
      duplicates: subscribers.reduce((n, s) => n + s.duplicates, 0),
      p50Us: quantile(sorted, 0.5),
      p99Us: quantile(sorted, 0.99),
      firstArrivalUs: Math.min(...subscribers.map((s) => s.firstArrival || Infinity)),
      lastArrivalUs: Math.max(...subscribers.map((s) => s.lastArrival)),
      caughtUpMs: subscribers
        .filter((s) => s.resumedAt)
        .map((s) => (s.caughtUpAt ? (s.caughtUpAt - s.resumedAt) / 1000 : -1)),
    };
  },
  /** Drops every subscriber at once, waits `delayMs`, reconnects them at once from their last event id. */
  async resume(delayMs) {
    for (const s of subscribers) s.close();
    await sleep(delayMs);
    const at = monoUs();
    for (const s of subscribers) {
      s.resumedAt = at;
      s.caughtUpAt = 0;
    }
    await connectAll(subscribers);
    return subscribers.length;
  },
  close() {
    for (const s of subscribers) s.close();
  },
});
process.send({ ready: true });
