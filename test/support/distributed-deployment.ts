import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface DistributedDeployment {
  /** Environment of every API and worker process of this deployment. */
  readonly env: Record<string, string>;
  readonly schema: string;
  readonly jwtSecret: string;
  /** JetStream stream and subject prefix an EVENT_RELAY worker of this deployment publishes to. */
  readonly eventsStream: string;
  readonly eventsSubject: string;
  /** Where the audit relay (EVENT_RELAY) publishes the audit records. */
  readonly auditStream: string;
  readonly auditSubject: string;
  /** Drops the PostgreSQL schema and the JetStream streams this deployment used. */
  dispose(): Promise<void>;
}

/**
 * Settings for processes of one distributed deployment on this machine's NATS and
 * PostgreSQL, with a schema, streams, subjects and consumer of its own so tests never collide.
 */
export function distributedDeployment(name: string, overrides: Record<string, string> = {}): DistributedDeployment {
  const run = `${name}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const schema = `e2e_${run}`;
  const stream = `E2E_${run}`.toUpperCase();
  const jwtSecret = `e2e-secret-${run}-${randomUUID()}`;
  const env = {
    NATS_URL,
    EVENT_STORE: 'postgres',
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    NATS_COMMANDS_STREAM: stream,
    NATS_COMMANDS_SUBJECT: `e2e_${run}`,
    NATS_COMMANDS_CONSUMER: `workers_${run}`,
    NATS_EVENTS_STREAM: `E2E_EVENTS_${run}`.toUpperCase(),
    NATS_EVENTS_SUBJECT: `e2e_events_${run}`,
    NATS_AUDIT_STREAM: `E2E_AUDIT_${run}`.toUpperCase(),
    NATS_AUDIT_SUBJECT: `e2e_audit_${run}`,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    JWT_SECRET: jwtSecret,
    // Every process of a deployment chains the one audit log with the same key.
    AUDIT_HMAC_KEY: `e2e-audit-key-${run}-${randomUUID()}`,
    ...overrides,
  };
  return {
    env,
    schema,
    jwtSecret,
    eventsStream: env.NATS_EVENTS_STREAM,
    eventsSubject: env.NATS_EVENTS_SUBJECT,
    auditStream: env.NATS_AUDIT_STREAM,
    auditSubject: env.NATS_AUDIT_SUBJECT,
    dispose: async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await client.end();
      const nc = await connect({ servers: NATS_URL });
      const jsm = await jetstreamManager(nc);
      // Missing when no process of the deployment ran the relay.
      for (const name of [stream, env.NATS_EVENTS_STREAM, env.NATS_AUDIT_STREAM])
        await jsm.streams.delete(name).catch(() => false);
      await nc.close();
    },
  };
}
