// N subscribers of one stream, SSE or WebSocket, in one process. Each counts deliveries,
// gaps and duplicates by the event's id (or `progress` for Nchan, whose ids are not numbers)
// and records the latency of each event from its `records_processed` send time.
import http from 'node:http';
import WebSocket from 'ws';
import { monoUs, serveRequests } from './common.mjs';

const SEQ = { id: /(?:^id: |"id":)(\d+)/m, progress: /"progress":(\d+)/ };
const SENT = /"records_processed":(\d+)/;

let subscribers = [];
let latencies = [];
let timedFrom = Infinity;

class Subscriber {
  next = 0;
  delivered = 0;
  gaps = 0;
  duplicates = 0;
  lastArrival = 0;

  constructor(nextSeq) {
    this.next = nextSeq;
  }

  take(seq, sentUs) {
    const now = monoUs();
    if (seq < this.next) return void this.duplicates++;
    if (seq > this.next) this.gaps += seq - this.next;
    this.next = seq + 1;
    this.delivered++;
    this.lastArrival = now;
    if (seq >= timedFrom) latencies.push(now - sentUs);
  }
}

function parse(text, seqOf) {
  const seq = seqOf.exec(text);
  const sent = SENT.exec(text);
  return seq && sent ? [Number(seq[1]), Number(sent[1])] : null;
}

function sse(url, subscriber, seqOf) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${url}: ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const parsed = parse(frame, seqOf);
          if (parsed) subscriber.take(...parsed);
        }
      });
      resolve(() => req.destroy());
    });
    req.on('error', reject);
  });
}

function ws(url, subscriber) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('message', (data) => {
      const parsed = parse(data.toString(), SEQ.id);
      if (parsed) subscriber.take(...parsed);
    });
    socket.once('open', () => resolve(() => socket.terminate()));
    socket.once('error', reject);
  });
}

const closers = [];

serveRequests({
  /** Opens `count` subscribers of `url` (`ws://` or `http://`), `batch` at a time. */
  async connect(url, count, nextSeq, seqField) {
    subscribers = Array.from({ length: count }, () => new Subscriber(nextSeq));
    for (let i = 0; i < count; i += 200) {
      const batch = subscribers.slice(i, i + 200);
      const opened = await Promise.all(
        batch.map((s) => (url.startsWith('ws') ? ws(url, s) : sse(url, s, SEQ[seqField]))),
      );
      closers.push(...opened);
    }
    return count;
  },
  /** Latencies count from event `seq` on. */
  timeFrom(seq) {
    timedFrom = seq;
    latencies = [];
  },
  /** How many subscribers have every event up to `seq`. */
  upTo: (seq) => subscribers.filter((s) => s.next > seq).length,
  report() {
    const sorted = Float64Array.from(latencies).sort();
    const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
    return {
      delivered: latencies.length,
      gaps: subscribers.reduce((n, s) => n + s.gaps, 0),
      duplicates: subscribers.reduce((n, s) => n + s.duplicates, 0),
      lastArrival: Math.max(...subscribers.map((s) => s.lastArrival)),
      p50: at(0.5),
      p99: at(0.99),
    };
  },
  close() {
    for (const close of closers.splice(0)) close();
  },
});
process.send({ ready: true });
