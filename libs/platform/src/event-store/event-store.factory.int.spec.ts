import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { newEvent, newStreamId } from '#eventsourcing/testing';
import { createEventStore } from './event-store.factory.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const directory = mkdtempSync(join(tmpdir(), 'event-store-factory-'));
const schema = `es_test_${randomBytes(6).toString('hex')}`;

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`).finally(() => admin.end());
});

describe('createEventStore', () => {
  it.each([
    ['sqlite', 'sqliteFile'],
    ['postgres', 'databaseUrl (DATABASE_URL)'],
    ['kurrentdb', 'kurrentdbUrl (KURRENTDB_URL)'],
  ] as const)('refuses %s without %s, naming the option', async (kind, option) => {
    await expect(createEventStore({ kind })).rejects.toThrow(`event store '${kind}' needs ${option}`);
  });

  it('opens a sqlite store on the given file', async () => {
    const store = await createEventStore({ kind: 'sqlite', sqliteFile: join(directory, 'events.sqlite') });
    try {
      expect(store.kind).toBe('sqlite');
      await store.appendToStream(newStreamId(), [newEvent()], 'no_stream');
      expect(await store.headPosition()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('opens a postgres store with its schema migrated', async () => {
    const store = await createEventStore({ kind: 'postgres', databaseUrl, postgresSchema: schema });
    try {
      expect(store.kind).toBe('postgres');
      const { lastPosition } = await store.appendToStream(newStreamId(), [newEvent()], 'no_stream');
      expect(await store.headPosition()).toBe(lastPosition);
    } finally {
      await store.close();
    }
  });
});
