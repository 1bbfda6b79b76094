import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { AuditCloudEvent, CloudEvent } from '#audit';
import type { AuditExportRecord } from '#client';
import { signToken } from '#platform';
import { distributedDeployment, NATS_URL } from './support/distributed-deployment.js';
import { streamMessages } from './support/jetstream-messages.js';
import { startNode, type RunningProcess } from './support/node-process.js';
import { openSse, type SseSession } from './support/sse-client.js';
import { waitUntil } from './support/wait-until.js';

/**
 * The downstream JetStream feed of a distributed deployment: a worker running the relay is
 * SIGKILLed while investigations run, a new one takes over from the stream's last message,
 * and a consumer sees every stored event of those investigations exactly once, in order.
 */
const INVESTIGATIONS = 3;
const deployment = distributedDeployment('relay', {
  SYNTHETIC_CONTRACTS: '600',
  INVESTIGATION_PAGE_SIZE: '50',
  INVESTIGATION_STEP_DELAY_MS: '100',
  COMMAND_ACK_WAIT_MS: '3000',
  METRICS_PORT: '0',
});
const { env, eventsStream, eventsSubject, auditStream, auditSubject } = deployment;

interface HistoryItem {
  readonly id: number;
  readonly position: number;
  readonly stream_id: string;
  readonly type: string;
  readonly metadata: { readonly eventId: string };
}

const processes: RunningProcess[] = [];
let apiUrl = '';
let auth: Record<string, string> = {};
let nc: NatsConnection;
let jsm: JetStreamManager;

const startRelayWorker = async (name: string): Promise<RunningProcess> => {
  const worker = startNode('dist/apps/workers/src/main.js', { ...env, EVENT_RELAY: 'true', WORKER_NAME: name });
  processes.push(worker);
  await worker.waitForLog((l) => l.msg === 'workers started');
  return worker;
};

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL });
  jsm = await jetstreamManager(nc);
  auth = {
    Authorization: `Bearer ${await signToken({ secret: deployment.jwtSecret, subject: 'e2e', roles: ['analyst'], ttlSeconds: 600 })}`,
  };
  const api = startNode('dist/apps/api/src/main.js', env);
  processes.push(api);
  const listening = await api.waitForLog((l) => l.msg === 'api listening');
  apiUrl = String(listening.url).replace('localhost', '127.0.0.1');
  await startRelayWorker('a');
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await nc.close();
  await deployment.dispose();
});

describe('event relay in a distributed deployment', () => {
  it('feeds JetStream every investigation event exactly once although the relaying worker is SIGKILLed midway', async () => {
    const ids = await Promise.all(Array.from({ length: INVESTIGATIONS }, (_, i) => startInvestigation(i)));
    const sessions: SseSession[] = await Promise.all(
      ids.map((id) => openSse(`${apiUrl}/api/v1/investigations/stream/${id}`, { headers: auth })),
    );
    await Promise.all(sessions.map((s) => s.waitFor(4)));
    const relayedBeforeKill = await waitUntil(
      async () => (await relayed()).messages || undefined,
      'worker a to relay events',
    );
    await processes[1]?.stop('SIGKILL');
    await startRelayWorker('b');

    for (const frames of await Promise.all(sessions.map((s) => s.done)))
      expect(frames.at(-1)?.data.type).toBe('complete');
    const history = (await Promise.all(ids.map(eventsOf))).flat().sort((x, y) => x.position - y.position);
    const last = history.at(-1)?.position ?? 0;
    await waitUntil(
      async () => ((await relayed()).position >= last ? true : undefined),
      'the new worker to relay the rest',
      30_000,
    );

    const feed = await streamMessages<CloudEvent>(nc, eventsStream, `${eventsSubject}.investigation.>`);
    expect(feed.map(({ subject, event }) => ({ natsSubject: subject, ...contractOf(event) }))).toEqual(
      history.map((e) => ({
        natsSubject: `${eventsSubject}.investigation.${e.type}`,
        specversion: '1.0',
        id: e.metadata.eventId,
        type: `br.gov.cidadao-ai.investigation.${e.type}`,
        source: '/cidadao-ai/investigation',
        subject: e.stream_id,
        position: e.position,
        revision: e.id,
      })),
    );
    expect(new Set(feed.map((m) => m.event.id)).size).toBe(feed.length);
    // The kill landed mid-feed: the old worker relayed part of it, the new one the rest.
    expect(relayedBeforeKill).toBeLessThan(feed.length);
  }, 120_000);

  it('feeds the audit log to its own stream, every record once and in seq order', async () => {
    const auditor = {
      Authorization: `Bearer ${await signToken({ secret: deployment.jwtSecret, subject: 'siem', roles: ['auditor'], ttlSeconds: 600 })}`,
    };
    const exported = (await (await fetch(`${apiUrl}/api/v1/audit/export?format=ndjson`, { headers: auditor })).text())
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AuditExportRecord);
    const lastSeq = exported.at(-1)?.seq ?? 0;
    expect(exported.map((r) => r.event_type)).toEqual(
      expect.arrayContaining(['investigation.started', 'data_source.called', 'investigation.completed']),
    );
    await waitUntil(
      async () => ((await relayed(auditStream)).position >= lastSeq ? true : undefined),
      'the audit relay to reach the export',
      30_000,
    );
    const relayedRecords = (await streamMessages<AuditCloudEvent>(nc, auditStream, `${auditSubject}.>`)).filter(
      (m) => m.event.position <= lastSeq,
    );
    expect(
      relayedRecords.map(({ subject, event }) => ({
        subject,
        type: event.type,
        position: event.position,
        hash: event.data.hash,
      })),
    ).toEqual(
      exported.map((r) => ({
        subject: `${auditSubject}.${r.event_type}`,
        type: `br.gov.cidadao-ai.audit.${r.event_type}`,
        position: r.seq,
        hash: r.hash,
      })),
    );
  }, 60_000);
});

async function startInvestigation(i: number): Promise<string> {
  const res = await fetch(`${apiUrl}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `${deployment.schema}-${i}`, ...auth },
    body: JSON.stringify({ query: `Análise geral de contratos, lote ${i}`, data_source: 'synthetic' }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { investigation_id: string }).investigation_id;
}

async function eventsOf(id: string): Promise<HistoryItem[]> {
  const res = await fetch(`${apiUrl}/api/v1/investigations/${id}/events`, { headers: auth });
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: HistoryItem[] }).events;
}

/** How far the feed got: messages in the stream and the position its last one carries. */
async function relayed(stream = eventsStream): Promise<{ messages: number; position: number }> {
  const { state } = await jsm.streams.info(stream).catch(() => ({ state: { messages: 0, last_seq: 0 } }));
  if (state.messages === 0) return { messages: 0, position: 0 };
  const last = await jsm.streams.getMessage(stream, { seq: state.last_seq });
  return { messages: state.messages, position: last?.json<{ position: number }>().position ?? 0 };
}

const contractOf = ({ specversion, id, type, source, subject, position, revision }: CloudEvent) => ({
  specversion,
  id,
  type,
  source,
  subject,
  position,
  revision,
});
