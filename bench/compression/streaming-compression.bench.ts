import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createRuntime, loadSections, Metrics, silentLogger } from '#platform';
import { startWorkersFromRuntime } from '#workers';
import { startApi } from '../../apps/api/src/bootstrap.js';

/**
 * Bandwidth of real investigation streams with and without the streaming gzip: each
 * investigation is watched live by two clients at once, one sending Accept-Encoding: gzip,
 * one not, and the bytes each receives on the wire are counted.
 *
 *   npm run build && node dist/bench/compression/streaming-compression.bench.js
 */
const INVESTIGATIONS = [
  'Contratos de saúde acima de R$ 1 milhão',
  'contratos de educação em 2024 com o mesmo fornecedor',
  'compras fracionadas de informática do ministério da saúde',
  'todos os contratos',
];
const ENV = {
  SYNTHETIC_CONTRACTS: '2000',
  INVESTIGATION_PAGE_SIZE: '100',
  INVESTIGATION_STEP_DELAY_MS: '20',
  STREAMING_COMPRESSION_LEVEL: '6',
  STREAMING_CHUNK_SIZE: '8192',
};

interface Received {
  /** Everything the socket carried: status line, headers, chunk framing and body. */
  readonly wire: number;
  /** The body as sent (compressed or not). */
  readonly sent: number;
  /** The body decoded: the SSE text. */
  readonly text: Buffer;
}

/**
 * Reads a whole stream as sent, without decoding (node:http leaves Content-Encoding alone),
 * on a connection of its own so that the socket's byte count is this response's.
 */
function readStream(url: string, gzip: boolean): Promise<Received> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false, headers: gzip ? { 'Accept-Encoding': 'gzip' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (gzip && res.headers['content-encoding'] !== 'gzip') reject(new Error('the server did not gzip the stream'));
        resolve({ wire: res.socket.bytesRead, sent: raw.length, text: gzip ? gunzipSync(raw) : raw });
      });
      res.on('error', reject);
    })
      .once('error', reject)
      .end();
  });
}

async function start(url: string, query: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, data_source: 'synthetic' }),
  });
  if (res.status !== 202) throw new Error(`start answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { investigation_id: string }).investigation_id;
}

const percent = (part: number, whole: number): string => `${((1 - part / whole) * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cidadao-bench-gzip-'));
  const runtime = await createRuntime(loadSections({ DATA_DIR: dataDir, ...ENV }), silentLogger, new Metrics());
  const workers = await startWorkersFromRuntime(runtime);
  const api = await startApi(runtime, 0, '127.0.0.1');
  const totals = { rawWire: 0, gzipWire: 0, raw: 0, gzip: 0, wholeBody: 0, events: 0 };
  try {
    console.log(
      '| investigation | events | body raw | body gzip (flushed per event) | saved | on the wire raw | on the wire gzip | saved | whole body gzipped at once |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const query of INVESTIGATIONS) {
      const id = await start(api.url, query);
      const streamUrl = `${api.url}/api/v1/investigations/stream/${id}`;
      const [raw, gzip] = await Promise.all([readStream(streamUrl, false), readStream(streamUrl, true)]);
      if (!raw.text.equals(gzip.text)) throw new Error('the gzip stream did not decode to the raw stream');
      const events = (raw.text.toString().match(/^id: /gm) ?? []).length;
      const wholeBody = gzipSync(raw.text, { level: Number(ENV.STREAMING_COMPRESSION_LEVEL) }).length;
      totals.raw += raw.sent;
      totals.gzip += gzip.sent;
      totals.rawWire += raw.wire;
      totals.gzipWire += gzip.wire;
      totals.wholeBody += wholeBody;
      totals.events += events;
      console.log(
        `| ${query} | ${events} | ${raw.sent} | ${gzip.sent} | ${percent(gzip.sent, raw.sent)} | ${raw.wire} | ${gzip.wire} | ${percent(gzip.wire, raw.wire)} | ${wholeBody} (${percent(wholeBody, raw.sent)}) |`,
      );
    }
    console.log(
      `| **all** | ${totals.events} | ${totals.raw} | ${totals.gzip} | **${percent(totals.gzip, totals.raw)}** | ${totals.rawWire} | ${totals.gzipWire} | **${percent(totals.gzipWire, totals.rawWire)}** | ${totals.wholeBody} (${percent(totals.wholeBody, totals.raw)}) |`,
    );
  } finally {
    await api.close();
    await workers.stop();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
