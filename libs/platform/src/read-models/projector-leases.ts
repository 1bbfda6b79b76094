import pg from 'pg';
import type { HostedRunner } from '#eventsourcing';
import { advisoryKey } from '../event-store/postgres/postgres-schema.js';
import type { Logger } from '../logging/logger.js';

export interface ProjectorLeasesOptions {
  readonly connectionString: string;
  /** The read models' schema: leases of different deployments never meet. */
  readonly schema: string;
  /** Projectors, workflow hosts, the MQTT bridge: each runs in one worker at a time. */
  readonly projectors: readonly HostedRunner[];
  readonly logger: Logger;
  /** Between two attempts at a lease someone else holds, or after the connection broke (default 2 s). */
  readonly retryMs?: number;
}

/**
 * One active projector per projection, and host per workflow, across every worker process:
 * each runs only while this process holds its session-level advisory lock. The lock goes with the
 * connection, so a worker that dies or loses PostgreSQL hands its projections over to
 * whichever worker tries next; the checkpoint check on commit keeps even an overlap of the
 * two harmless.
 */
export class ProjectorLeases {
  private client: pg.Client | null = null;
  private readonly held = new Set<HostedRunner>();
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: ProjectorLeasesOptions) {}

  /** Projections this process runs now. */
  get running(): string[] {
    return [...this.held].map((projector) => projector.name);
  }

  start(): void {
    this.attempt = this.tryAll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempt;
    await this.release();
  }

  private async tryAll(): Promise<void> {
    const { projectors, retryMs = 2_000 } = this.options;
    try {
      const client = this.client ?? (await this.connect());
      for (const projector of projectors) {
        if (this.stopped || this.held.has(projector)) continue;
        const key = advisoryKey(`read-models:projector:${this.options.schema}:${projector.name}`);
        const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS held', [
          key,
        ]);
        if (!rows[0]?.held) continue;
        this.held.add(projector);
        projector.start();
        this.options.logger.info({ projection: projector.name }, 'projector lease taken');
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'projector leases lost; trying again');
      await this.release();
    }
    if (this.stopped || this.held.size === projectors.length) return;
    this.timer = setTimeout(() => {
      this.attempt = this.tryAll();
    }, retryMs);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: `projector-leases-${this.options.schema}`,
      keepAlive: true,
    });
    // A lost connection took the locks with it: stop projecting until they are taken again.
    client.on('error', (error) => {
      if (this.client !== client) return;
      this.options.logger.warn({ err: error }, 'projector leases connection lost');
      void this.release().then(() => {
        if (!this.stopped) this.start();
      });
    });
    this.client = client;
    await client.connect();
    return client;
  }

  private async release(): Promise<void> {
    const held = [...this.held];
    this.held.clear();
    await Promise.all(held.map((projector) => projector.stop()));
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
