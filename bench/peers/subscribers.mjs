// Node subscribers in one process: SSE (node:http), WebSocket (`ws`), Socket.IO
// (socket.io-client, websocket transport), and the project's multiplexed SSE and `/ws`, where
// one connection carries `perConn` subscribers, each following its own stream. Each subscriber
// counts deliveries, gaps and duplicates by the event's sequence (`id`, or `progress` for Nchan
// and the multiplexed SSE, whose ids are not numbers) and records the latency of each event
// from its `records_processed` send time. `resume` drops every connection at once and
// reconnects them at once with Last-Event-ID, timing the catch-up.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { monoUs, muxSsePath, serveRequests, WS_MUX_PATH } from './common.mjs';

const SEQ = { id: /(?:^id: |"id":)(\d+)/m, progress: /"progress":(\d+)/ };
const SENT = /"records_processed":(\d+)/;
const LAST_ID = /^id: ?(.*)$/m;
const STREAM = /"stream":"([^"]+)"/;

let subscribers = [];
let connections = [];
let latencies = [];
let options;

class Subscriber {
  next = 0;
  delivered = 0;
  gaps = 0;
  duplicates = 0;
  firstArrival = 0;
  lastArrival = 0;
  /** During a resume: when it reconnected, and when it got the first event sent after that. */
  resumedAt = 0;
  caughtUpAt = 0;

  constructor(target) {
    this.target = target;
  }

  take(seq, sentUs) {
    const now = monoUs();
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

/** One socket or response and the subscribers it carries, by the stream each follows. */
class Connection {
  lastId = '';
  close = () => {};

  constructor(subscribers) {
    this.subscribers = subscribers;
    this.byStream = new Map(subscribers.map((s) => [s.target, s]));
  }

  /** The subscriber of a multiplexed event's `stream`; the only one otherwise. */
  of(text) {
    return this.subscribers.length === 1 ? this.subscribers[0] : this.byStream.get(STREAM.exec(text)?.[1]);
  }

  get path() {
    const [first] = this.subscribers;
    if (options.transport === 'mux-sse') return muxSsePath(this.subscribers.map((s) => s.target));
    return options.transport === 'wsmux' ? WS_MUX_PATH : first.target;
  }
}

function parsed(text, seqOf) {
  const seq = seqOf.exec(text);
  const sent = SENT.exec(text);
  return seq && sent ? [Number(seq[1]), Number(sent[1])] : null;
}

function sse(connection) {
  const url = `${options.base}${connection.path}`;
  const seqOf = SEQ[options.seqField];
  const headers = { accept: 'text/event-stream', ...(connection.lastId ? { 'last-event-id': connection.lastId } : {}) };
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
          const lastId = LAST_ID.exec(frame)?.[1];
          if (lastId !== undefined) connection.lastId = lastId;
          const event = parsed(frame, seqOf);
          if (event) connection.of(frame)?.take(...event);
        }
      });
      resolve(() => req.destroy());
    });
    req.on('error', reject);
  });
}

function ws(connection) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${options.base}${connection.path}`, { perMessageDeflate: false });
    socket.on('message', (data) => {
      const event = parsed(data.toString(), SEQ.id);
      if (event) connection.subscribers[0].take(...event);
    });
    socket.once('open', () => resolve(() => socket.terminate()));
    socket.once('error', reject);
  });
}

/**
 * `/ws`: a `subscribe` per stream of the connection, open once each is `subscribed`; events come
 * tagged `{"stream","id",…}`, alone or several in `{"type":"batch","messages":[…]}`.
 */
function wsMux(connection) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${options.base}${connection.path}`, { perMessageDeflate: false });
    let pending = connection.subscribers.length;
    const take = (message) => {
      if (typeof message.id === 'number' && typeof message.records_processed === 'number')
        return connection.byStream.get(message.stream)?.take(message.id, message.records_processed);
      if (message.type === 'subscribed' && --pending === 0) resolve(() => socket.terminate());
      else if (message.type === 'error') reject(new Error(`/ws: ${JSON.stringify(message)}`));
    };
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'batch') for (const one of message.messages) take(one);
      else take(message);
    });
    socket.once('open', () => {
      for (const s of connection.subscribers) socket.send(JSON.stringify({ type: 'subscribe', stream: s.target }));
    });
    socket.once('error', reject);
  });
}

function socketIo(connection) {
  const subscriber = connection.subscribers[0];
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

const TRANSPORTS = { sse, ws, io: socketIo, 'mux-sse': sse, wsmux: wsMux };

async function connectAll(batch) {
  const connect = TRANSPORTS[options.transport];
  for (let i = 0; i < batch.length; i += 200)
    await Promise.all(
      batch.slice(i, i + 200).map(async (c) => {
        c.close = await connect(c);
      }),
    );
}

const quantile = (sorted, q) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : -1;

serveRequests({
  /** `perConn` (1) subscribers a connection, following consecutive targets. */
  async open(opened) {
    options = opened;
    const perConn = opened.perConn ?? 1;
    subscribers = Array.from(
      { length: opened.subs },
      (_, i) => new Subscriber(opened.targets[i % opened.targets.length]),
    );
    connections = Array.from(
      { length: Math.ceil(subscribers.length / perConn) },
      (_, j) => new Connection(subscribers.slice(j * perConn, (j + 1) * perConn)),
    );
    latencies = [];
    await connectAll(connections);
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
    for (const c of connections) c.close();
    await sleep(delayMs);
    const at = monoUs();
    for (const s of subscribers) {
      s.resumedAt = at;
      s.caughtUpAt = 0;
    }
    await connectAll(connections);
    return subscribers.length;
  },
  close() {
    for (const c of connections) c.close();
  },
});
process.send({ ready: true });
