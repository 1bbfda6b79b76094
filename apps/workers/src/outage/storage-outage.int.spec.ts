import { auditKey } from '#audit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { SyntheticContractSource } from '#analysis';
import { investigationStreamId } from '#investigations';
import {
  auditRecords,
  Metrics,
  PostgresAuditLog,
  PostgresEventStore,
  PostgresReadModelStore,
  type Logger,
} from '#platform';
import { JetStreamTestEnv } from '../../../../libs/platform/src/command-bus/jetstream/jetstream.testing.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../../test/support/postgres-faults.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { startWorkers, type RunningWorkers } from '../workers.js';

const INVESTIGATIONS = 4;
const CONTRACTS = 600;
/** Two deliveries only: the old nak-per-attempt would dead-letter a command on its second failed try. */
const MAX_DELIVER = 2;
/** Short enough for the outage to outlast it, long enough that a busy machine's stalls do not redeliver. */
const ACK_WAIT_MS = 5000;

let database: ScratchDatabase;
let env: JetStreamTestEnv;
let store: PostgresEventStore;
let audit: PostgresAuditLog;
let readModels: PostgresReadModelStore;
let workers: RunningWorkers | undefined;

/** Log lines, to wait on what the workers say about the outage. */
const lines: Array<{ msg: string; fields: object }> = [];
function recordingLogger(): Logger {
  const record = (fields: object, msg?: string): void => void lines.push({ msg: msg ?? '', fields });
  const logger: Logger = { debug: record, info: record, warn: record, error: record, child: () => logger };
  return logger;
}

beforeAll(async () => {
  database = await createScratchDatabase('workers_outage');
  env = await JetStreamTestEnv.open();
  store = await PostgresEventStore.open({ connectionString: database.url, schema: 'cidadao', pollIntervalMs: 200 });
  audit = await PostgresAuditLog.open({
    connectionString: database.url,
    schema: 'cidadao',
    key: auditKey('storage-outage-int-spec-key-'.padEnd(40, 'x')),
  });
  readModels = await PostgresReadModelStore.open({ connectionString: database.url, schema: 'cidadao' });
}, 30_000);

afterAll(async () => {
  await database.accept();
  await workers?.stop();
  await env.dispose();
  await Promise.all([store.close(), audit.close(), readModels.close()]);
  await database.drop();
});

const statusOf = async (id: string): Promise<string | undefined> => {
  const events = await store.readStream(investigationStreamId(id));
  return events.some((e) => e.type === 'InvestigationCompleted')
    ? 'completed'
    : events.some((e) => e.type === 'InvestigationFailed')
      ? 'failed'
      : undefined;
};

describe('workers while PostgreSQL refuses connections mid-investigation', () => {
  it('hold their commands through the outage and complete every investigation without a redelivery or a dead letter', async () => {
    const metrics = new Metrics();
    const bus = await env.connectBus({
      maxDeliver: MAX_DELIVER,
      ackWaitMs: ACK_WAIT_MS,
      retryDelayMs: () => 50,
      metrics,
    });
    workers = await startWorkers({
      store,
      readModels,
      bus,
      audit,
      metrics,
      logger: recordingLogger(),
      concurrency: 8,
      maxDeliver: MAX_DELIVER,
      ackWaitMs: ACK_WAIT_MS,
      pageSize: 50,
      stepDelayMs: 30,
      sourceFor: (_source, id) => new SyntheticContractSource({ seed: id, totalContracts: CONTRACTS }),
    });
    const ids = Array.from({ length: INVESTIGATIONS }, () => randomUUID());
    for (const id of ids) {
      await bus.send({
        target: { aggregate: 'investigation', id },
        command: {
          type: 'StartInvestigation',
          data: {
            investigationId: id,
            query: 'contratos de saúde',
            dataSource: 'synthetic',
            filters: {},
            anomalyTypes: [],
          },
          metadata: { commandId: randomUUID(), correlationId: id, userId: 'ana', issuedAt: new Date().toISOString() },
        },
      });
    }
    // Mid-run: every investigation has recorded a page, none has finished.
    await waitUntil(async () => {
      const pages = await Promise.all(
        ids.map(
          async (id) =>
            (await store.readStream(investigationStreamId(id))).filter(
              (e) => e.type === 'ProgressReported' && (e.data as { page: number }).page > 0,
            ).length,
        ),
      );
      return pages.every((n) => n > 0) ? true : undefined;
    }, 'every investigation to be under way');
    expect(await Promise.all(ids.map(statusOf))).toEqual(ids.map(() => undefined));

    await database.refuse();
    const refusedAt = Date.now();
    await waitUntil(
      () => (lines.some((l) => l.msg.startsWith('storage unreachable')) ? true : undefined),
      'the workers to notice the outage',
    );
    // Longer than the ack wait: without heartbeats the held commands would be redelivered.
    const outlasted = (): boolean =>
      Date.now() - refusedAt > 1.5 * ACK_WAIT_MS &&
      lines.filter((l) => l.msg === 'storage still unreachable').length >= 4;
    await waitUntil(() => (outlasted() ? true : undefined), 'an outage longer than the ack wait, four failed probes');
    await database.accept();

    await waitUntil(
      async () => ((await Promise.all(ids.map(statusOf))).every((s) => s !== undefined) ? true : undefined),
      'every investigation to end',
      60_000,
    );
    expect(await Promise.all(ids.map(statusOf))).toEqual(ids.map(() => 'completed'));
    const consumer = await env.consumerInfo();
    expect(consumer.num_redelivered).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString('commands_dead_lettered_total')).not.toMatch(
      /commands_dead_lettered_total\{[^}]*\} [1-9]/,
    );
    expect(lines.some((l) => l.msg === 'storage reachable again: resuming commands')).toBe(true);
    // The workers' audit records waited for the log rather than being dropped. A completion is
    // audited just after its event is appended, so wait for the last one to land.
    const completions = async (): Promise<string[]> => {
      const found: string[] = [];
      for await (const record of auditRecords(audit))
        if (record.eventType === 'investigation.completed') found.push(record.resourceId ?? '');
      return found.sort();
    };
    await waitUntil(
      async () => ((await completions()).length >= ids.length ? true : undefined),
      'every completion to be audited',
    );
    expect(await completions()).toEqual([...ids].sort());
  }, 90_000);
});
