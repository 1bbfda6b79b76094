import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Anomaly } from '#analysis';
import type { ChatEvent } from '#chat';
import type { EventMetadata, NewEvent } from '#eventsourcing';
import { investigationEventCatalog, type InvestigationEvent } from '#investigations';
import { chatEventCatalog } from '#chat';
import { waitUntil } from '../../../../test/support/wait-until.js';

export const MQTT_TEST_URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** A topic prefix of one test alone on a shared broker. */
export const uniquePrefix = (name: string): string => `test/${name}-${randomUUID().slice(0, 8)}`;

/** Clears the retained states a test left on a shared broker (an empty retained message deletes one). */
export async function clearRetained(url: string, topics: readonly string[]): Promise<void> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5 });
  try {
    await Promise.all(topics.map((topic) => client.publishAsync(topic, '', { qos: 1, retain: true })));
  } finally {
    await client.endAsync();
  }
}

/** One message as a subscriber got it. */
export interface Received {
  readonly topic: string;
  readonly payload: { readonly type: string } & Record<string, unknown>;
  readonly retain: boolean;
  readonly userProperties: Readonly<Record<string, string | string[]>>;
}

const metadata = (): EventMetadata => ({
  eventId: randomUUID(),
  commandId: randomUUID(),
  correlationId: randomUUID(),
  userId: 'ana',
  occurredAt: new Date().toISOString(),
});

const at = (): string => new Date().toISOString();

const anomaly = (n: number, severity: Anomaly['severity']): Anomaly => ({
  anomaly_id: randomUUID(),
  anomaly_type: 'price_deviation',
  severity,
  score: 0.7,
  contract_id: `k${n}`,
  contract_ids: [`k${n}`],
  explanation: 'preço acima da mediana',
  evidence: {},
});

const investigation = (event: InvestigationEvent): NewEvent => investigationEventCatalog.encode(event, metadata());

/** An investigation's first events: started, a phase, `pages` progress reports each with an anomaly. */
export function investigationOpening(id: string, pages: number): NewEvent[] {
  const events: NewEvent[] = [
    investigation({
      type: 'InvestigationStarted',
      data: {
        investigationId: id,
        query: 'saúde',
        dataSource: 'synthetic',
        filters: {},
        anomalyTypes: [],
        startedAt: at(),
      },
    }),
    investigation({ type: 'PhaseStarted', data: { phase: 'analyzing_contracts', previousPhase: null, at: at() } }),
  ];
  for (let page = 1; page <= pages; page++) events.push(...investigationPage(page, pages * 2));
  return events;
}

/** One more page: an anomaly, then the progress report that counts it. */
export function investigationPage(page: number, of: number): NewEvent[] {
  return [
    investigation({ type: 'AnomalyDetected', data: { anomaly: anomaly(page, page % 2 ? 'high' : 'low'), at: at() } }),
    investigation({
      type: 'ProgressReported',
      data: {
        page,
        progress: Math.round((page / of) * 100),
        currentPhase: 'analyzing_contracts',
        recordsProcessed: page * 100,
        anomaliesDetected: page,
        totalEstimate: of * 100,
        sourceExhausted: page === of,
        at: at(),
      },
    }),
  ];
}

export function investigationEnd(records: number, anomalies: number): NewEvent[] {
  return [
    investigation({
      type: 'InvestigationCompleted',
      data: { totalAnomalies: anomalies, recordsProcessed: records, executionSeconds: 1.5, completedAt: at() },
    }),
  ];
}

/** One chat message answered in two chunks. */
export function chatExchange(sessionId: string): NewEvent[] {
  const messageId = randomUUID();
  const chat = (event: ChatEvent): NewEvent => chatEventCatalog.encode(event, metadata());
  return [
    chat({
      type: 'MessageReceived',
      data: { sessionId, messageId, content: 'oi', requestedAgentId: null, receivedAt: at() },
    }),
    chat({ type: 'IntentDetectionStarted', data: { messageId, at: at() } }),
    chat({ type: 'ResponseChunkGenerated', data: { messageId, seq: 1, content: 'Olá', at: at() } }),
    chat({ type: 'ResponseChunkGenerated', data: { messageId, seq: 2, content: '!', at: at() } }),
    chat({ type: 'ResponseCompleted', data: { messageId, totalTokens: 2, source: 'composer', at: at() } }),
  ];
}

/** A subscriber with the `mqtt` package, QoS 1; with `session`, a persistent session of that client id. */
export class MqttRecorder {
  readonly received: Received[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      // An empty message deletes a retained one: how tests clean up, not an event.
      if (payload.length === 0) return;
      this.received.push({
        topic,
        payload: JSON.parse(payload.toString()) as Received['payload'],
        retain: packet.retain,
        userProperties: packet.properties?.userProperties ?? {},
      });
    });
  }

  static async open(url: string, filter: string, session?: string): Promise<MqttRecorder> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 5,
      clientId: session ?? `recorder-${randomUUID().slice(0, 8)}`,
      clean: session === undefined,
      ...(session === undefined ? {} : { properties: { sessionExpiryInterval: 600 } }),
      reconnectPeriod: 100,
    });
    client.on('error', () => undefined);
    const recorder = new MqttRecorder(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return recorder;
  }

  /** Messages other than the retained summaries. */
  events(): Received[] {
    return this.received.filter((message) => !message.topic.endsWith('/state'));
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Debian's mosquitto_sub, printing each message as JSON (`-F %J`: topic, retain, user properties, payload). */
export class MosquittoSub {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly prefix: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Subscribed once a probe published under `prefix` comes back. */
  static async start(url: string, prefix: string, extra: readonly string[] = []): Promise<MosquittoSub> {
    const { hostname, port } = new URL(url);
    const args = [
      '-V',
      '5',
      '-h',
      hostname,
      '-p',
      port || '1883',
      '-q',
      '1',
      '-F',
      '%J',
      '-t',
      `${prefix}/#`,
      '-t',
      `${prefix}-probe`,
      ...extra,
    ];
    const sub = new MosquittoSub(spawn('mosquitto_sub', args, { stdio: ['ignore', 'pipe', 'inherit'] }), prefix);
    const probe = await mqtt.connectAsync(url, { protocolVersion: 5 });
    try {
      await waitUntil(async () => {
        await probe.publishAsync(`${prefix}-probe`, '{"type":"probe"}', { qos: 1 });
        return sub.lines().length > 0 ? true : undefined;
      }, 'mosquitto_sub to subscribe');
    } finally {
      await probe.endAsync(true);
    }
    return sub;
  }

  /** Every message so far, the probes left out. */
  received(): Received[] {
    return this.lines()
      .map((line) => JSON.parse(line) as MosquittoLine)
      .filter((line) => line.topic !== `${this.prefix}-probe` && line.payloadlen > 0)
      .map((line) => ({
        topic: line.topic,
        payload: line.payload,
        retain: line.retain === 1,
        userProperties: line.properties?.['user-properties'] ?? {},
      }));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  private lines(): string[] {
    return this.output.split('\n').filter((line) => line.trim() !== '');
  }
}

interface MosquittoLine {
  readonly topic: string;
  readonly retain: number;
  readonly payloadlen: number;
  readonly properties?: { readonly 'user-properties'?: Record<string, string> };
  readonly payload: Received['payload'];
}

/** A Mosquitto of one test on a port of its own, with persistence, that can be stopped and started again. */
export class PrivateBroker {
  private child: ChildProcess | null = null;

  private constructor(
    readonly url: string,
    private readonly dir: string,
    private readonly config: string,
  ) {}

  static async create(): Promise<PrivateBroker> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'));
    // Mosquitto started as root runs as its own user, which must be able to write here.
    chmodSync(dir, 0o777);
    const config = join(dir, 'mosquitto.conf');
    writeFileSync(
      config,
      `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${dir}/\nlog_dest none\n`,
    );
    return new PrivateBroker(`mqtt://127.0.0.1:${port}`, dir, config);
  }

  async start(): Promise<void> {
    this.child = spawn('mosquitto', ['-c', this.config], { stdio: 'ignore' });
    await waitUntil(async () => ((await this.accepts()) ? true : undefined), 'mosquitto to listen');
  }

  /** SIGTERM: Mosquitto writes its sessions and queued messages to disk as it goes. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async accepts(): Promise<boolean> {
    try {
      const client = await mqtt.connectAsync(this.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 500 });
      await client.endAsync(true);
      return true;
    } catch {
      return false;
    }
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Keeps the first message of each (topic's stream, event id): what a subscriber deduplicating by id keeps. */
export function dedupeById(messages: readonly Received[]): Received[] {
  const seen = new Set<string>();
  return messages.filter((message) => {
    const key = `${message.topic.split('/').slice(0, -1).join('/')}#${String(message.userProperties['event-id'])}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
