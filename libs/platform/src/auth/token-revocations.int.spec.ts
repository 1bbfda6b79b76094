import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createScratchDatabase,
  holdAdvisoryLock,
  LOCK_HOLDER,
  terminateBackends,
  waitForLockWaiters,
  type ScratchDatabase,
} from '../../../../test/support/postgres-faults.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { EventStoreUnavailableError } from '#eventsourcing';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { postgresNames } from '../event-store/postgres/postgres-schema.js';
import type { Principal } from './principal.js';
import { TokenRevocations } from './token-revocations.js';

let database: ScratchDatabase;
beforeAll(async () => {
  database = await createScratchDatabase('revocations');
});
afterAll(async () => {
  await database.drop();
});

const tokenOf = (id: string): Principal => ({ id, roles: ['analyst'], issuedAt: Math.floor(Date.now() / 1000) - 60 });
const revoke = (revocations: TokenRevocations, userId: string) =>
  revocations.revoke({ userId, revokedBy: 'root', reason: null, correlationId: 'c' });

describe('token revocations folded by two api processes while PostgreSQL drops their connections', () => {
  it('a revocation refused mid-append is reported unavailable; the next one reaches the other process once', async () => {
    const open = () =>
      PostgresEventStore.open({ connectionString: database.url, schema: 'access', pollIntervalMs: 200 });
    const [storeA, storeB] = await Promise.all([open(), open()]);
    const [processA, processB] = await Promise.all([TokenRevocations.open(storeA), TokenRevocations.open(storeB)]);
    const seenByA: string[] = [];
    const watching = processA.revoked$.subscribe((revocation) => seenByA.push(revocation.userId));
    try {
      await revoke(processB, 'ana');
      await waitUntil(
        () => (processA.isRevoked(tokenOf('ana')) ? true : undefined),
        'process A to learn of the first revocation',
      );

      const lock = await holdAdvisoryLock(postgresNames('access').appendLockKey, database.url);
      const cutOff = revoke(processB, 'bia').then(
        () => 'revoked',
        (error: unknown) => error,
      );
      await waitForLockWaiters({ database: database.name }, 1);
      await terminateBackends({ database: database.name, sparing: [LOCK_HOLDER] });
      expect(await cutOff).toBeInstanceOf(EventStoreUnavailableError);
      await lock.release();
      expect(processB.isRevoked(tokenOf('bia'))).toBe(false);

      await revoke(processB, 'bia');
      await waitUntil(
        () => (processA.isRevoked(tokenOf('bia')) ? true : undefined),
        'process A to learn of the revocation after the outage',
      );
      expect(seenByA).toEqual(['ana', 'bia']);
      expect(processA.isRevoked(tokenOf('carla'))).toBe(false);
    } finally {
      watching.unsubscribe();
      processA.close();
      processB.close();
      await Promise.all([storeA.close(), storeB.close()]);
    }
  });
});
