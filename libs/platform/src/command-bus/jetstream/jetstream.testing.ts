import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConsumerInfo, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { CommandConsumption, CommandHandler, ConsumeOptions } from '../command-bus.port.js';
import { waitFor, within } from '../command-bus.testing.js';
import { JetStreamCommandBus } from './jetstream-command-bus.js';
import type { JetStreamCommandBusOptions } from './jetstream-options.js';

/** Test support for the JetStream specs. */

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

type BusOverrides = Omit<JetStreamCommandBusOptions, 'servers' | 'streamName' | 'subjectPrefix' | 'consumerName'>;

/**
 * One test's own stream, subject prefix and consumer on the shared server, plus an admin
 * connection to inspect them. dispose() stops what the test consumed, closes its buses and
 * deletes the stream.
 */
export class JetStreamTestEnv {
  private readonly buses: JetStreamCommandBus[] = [];
  private readonly consumptions: CommandConsumption[] = [];

  private constructor(
    private readonly admin: NatsConnection,
    readonly jsm: JetStreamManager,
    readonly names: { streamName: string; subjectPrefix: string; consumerName: string },
  ) {}

  static async open(): Promise<JetStreamTestEnv> {
    const suffix = randomBytes(5).toString('hex');
    const admin = await connect({ servers: NATS_URL });
    const names = { streamName: `T_${suffix}`, subjectPrefix: `t_${suffix}`, consumerName: `w_${suffix}` };
    return new JetStreamTestEnv(admin, await jetstreamManager(admin), names);
  }

  async connectBus(overrides: BusOverrides = {}): Promise<JetStreamCommandBus> {
    const bus = await JetStreamCommandBus.connect({
      servers: NATS_URL,
      ...this.names,
      ackWaitMs: 1000,
      retryDelayMs: () => 50,
      ...overrides,
    });
    this.buses.push(bus);
    return bus;
  }

  /** A number is the concurrency of a consumption without lanes. */
  async consume(
    bus: JetStreamCommandBus,
    handler: CommandHandler,
    options: number | ConsumeOptions = 1,
  ): Promise<CommandConsumption> {
    const consumption = await bus.consume(handler, typeof options === 'number' ? { concurrency: options } : options);
    this.consumptions.push(consumption);
    return consumption;
  }

  /** The default lane's durable consumer, or the one of the named durable. */
  consumerInfo(durableName = this.names.consumerName): Promise<ConsumerInfo> {
    return this.jsm.consumers.info(this.names.streamName, durableName);
  }

  /** Over every consumer of the stream: commands not delivered yet, plus those delivered and not acked or terminated. */
  async outstanding(): Promise<number> {
    let total = 0;
    for await (const info of this.jsm.consumers.list(this.names.streamName)) {
      total += info.num_pending + info.num_ack_pending;
    }
    return total;
  }

  /** Waits until every command of the stream is acked or terminated. */
  settled(): Promise<void> {
    return waitFor(async () => (await this.outstanding()) === 0, 'every command to be acked');
  }

  async dispose(): Promise<void> {
    await Promise.all(this.consumptions.map((consumption) => consumption.stop()));
    await Promise.all(this.buses.map((bus) => bus.close()));
    await this.jsm.streams.delete(this.names.streamName).catch(() => false);
    await this.admin.close();
  }
}

/** A nats-server of the test's own, on a free port, that the test may kill and restart. */
export class NatsServerProcess {
  private child?: ChildProcess;

  private constructor(
    private readonly port: number,
    private readonly storeDir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<NatsServerProcess> {
    const server = new NatsServerProcess(await freePort(), await mkdtemp(join(tmpdir(), 'command-bus-nats-')));
    try {
      await server.restart();
    } catch (error) {
      await server.dispose();
      throw error;
    }
    return server;
  }

  /** Starts it again on the same port and store, as a supervisor would after a crash. */
  async restart(): Promise<void> {
    await this.kill();
    const child = spawn(
      '/usr/sbin/nats-server',
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.child = child;
    await within(ready(child), 'nats-server to start', 15_000);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.kill();
    await rm(this.storeDir, { recursive: true, force: true });
  }
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${output}`)));
    child.once('error', reject);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
