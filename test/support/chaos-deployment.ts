import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { signToken } from '#platform';
import { NatsServerProcess } from '../../libs/platform/src/command-bus/jetstream/jetstream.testing.js';
import { startNode, type RunningProcess } from './node-process.js';
import { createScratchDatabase, type ScratchDatabase } from './postgres-faults.js';
import { waitUntil } from './wait-until.js';

const API = 'dist/apps/api/src/main.js';
const WORKERS = 'dist/apps/workers/src/main.js';

interface Managed {
  readonly name: string;
  readonly process: RunningProcess;
  /** Set before the test stops or kills it: any other exit is a crash. */
  stopping: boolean;
}

export interface Worker {
  readonly name: string;
  readonly process: RunningProcess;
  /** The worker's metrics listener, which also serves /health/ready. */
  readonly url: string;
}

/**
 * One distributed deployment that a test may break: an API and workers (the compiled
 * processes) on a PostgreSQL database and a NATS server of its own, so terminating
 * connections or killing NATS touches nothing else on the machine. The API listens on a
 * fixed port, so clients reconnect to the same address after it is restarted.
 */
export class ChaosDeployment {
  private readonly managed: Managed[] = [];
  private apiProcess: Managed | null = null;
  readonly workers: Worker[] = [];

  private constructor(
    readonly database: ScratchDatabase,
    readonly nats: NatsServerProcess,
    readonly env: Record<string, string>,
    readonly url: string,
    readonly jwtSecret: string,
  ) {}

  static async start(name: string, overrides: Record<string, string> = {}, workers = 2): Promise<ChaosDeployment> {
    const database = await createScratchDatabase(`chaos_${name}`);
    const nats = await NatsServerProcess.start().catch(async (error: unknown) => {
      await database.drop();
      throw error;
    });
    const port = await freePort();
    const jwtSecret = `chaos-${randomUUID()}-${randomUUID()}`;
    const env = {
      NATS_URL: nats.url,
      EVENT_STORE: 'postgres',
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      JWT_SECRET: jwtSecret,
      AUDIT_HMAC_KEY: `chaos-audit-${randomUUID()}`,
      COMMAND_ACK_WAIT_MS: '3000',
      SHUTDOWN_TIMEOUT_MS: '3000',
      // The test's clients poll hard; rate limits have tests of their own.
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_PER_MINUTE_IP: '0',
      ...overrides,
    };
    const deployment = new ChaosDeployment(database, nats, env, `http://127.0.0.1:${port}`, jwtSecret);
    try {
      await deployment.startApi();
      for (let i = 0; i < workers; i++) await deployment.startWorker(`w${i + 1}`);
    } catch (error) {
      await deployment.dispose();
      throw error;
    }
    return deployment;
  }

  token(subject = 'chaos', ttlSeconds = 600): Promise<string> {
    return signToken({ secret: this.jwtSecret, subject, roles: ['analyst'], ttlSeconds });
  }

  async startApi(): Promise<void> {
    const managed = this.spawn('api', API, {});
    this.apiProcess = managed;
    await managed.process.waitForLog((line) => line.msg === 'api listening');
  }

  async startWorker(name: string): Promise<Worker> {
    const managed = this.spawn(name, WORKERS, { WORKER_NAME: name });
    const started = await managed.process.waitForLog((line) => line.msg === 'workers started');
    const worker = { name, process: managed.process, url: `http://127.0.0.1:${String(started.metricsPort)}` };
    this.workers.push(worker);
    return worker;
  }

  async killApi(): Promise<void> {
    if (this.apiProcess) await this.kill(this.apiProcess);
  }

  async killWorker(worker: Worker): Promise<void> {
    const managed = this.managed.find((m) => m.process === worker.process);
    if (managed) await this.kill(managed);
    this.workers.splice(this.workers.indexOf(worker), 1);
  }

  /** Processes that exited without the test stopping them, with the end of their output. */
  crashed(): string[] {
    return this.managed
      .filter((m) => !m.stopping && (m.process.child.exitCode !== null || m.process.child.signalCode !== null))
      .map(
        (m) =>
          `${m.name} exited with ${m.process.child.exitCode ?? m.process.child.signalCode}:\n${m.process.output().slice(-2000)}`,
      );
  }

  /** Throws with their output if processes exited on their own: waiting on them would only time out. */
  expectAlive(): void {
    const crashed = this.crashed();
    if (crashed.length > 0) throw new Error(`processes exited on their own:\n${crashed.join('\n')}`);
  }

  /** GET /health/ready of the API and of every worker: their HTTP statuses, in that order. */
  async readiness(): Promise<number[]> {
    const status = (url: string): Promise<number> =>
      fetch(`${url}/health/ready`).then(
        (res) => res.status,
        () => 0,
      );
    return Promise.all([status(this.url), ...this.workers.map((worker) => status(worker.url))]);
  }

  /** Waits until every process reports `status` on /health/ready (200 or 503). */
  async waitForReadiness(status: number, what: string, timeoutMs = 30_000): Promise<void> {
    await waitUntil(
      async () => {
        this.expectAlive();
        return (await this.readiness()).every((s) => s === status) ? true : undefined;
      },
      what,
      timeoutMs,
    );
  }

  async dispose(): Promise<void> {
    for (const managed of this.managed) managed.stopping = true;
    await Promise.all(this.managed.map((managed) => managed.process.stop('SIGKILL')));
    await this.nats.dispose();
    await this.database.accept().catch(() => undefined);
    await this.database.drop();
  }

  private spawn(name: string, script: string, extra: Record<string, string>): Managed {
    const managed: Managed = { name, process: startNode(script, { ...this.env, ...extra }), stopping: false };
    this.managed.push(managed);
    return managed;
  }

  private async kill(managed: Managed): Promise<void> {
    managed.stopping = true;
    await managed.process.stop('SIGKILL');
  }
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
