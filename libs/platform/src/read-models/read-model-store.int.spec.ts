import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from '@jest/globals';
import pg from 'pg';
import { describeReadModelStoreContract } from '#eventsourcing/testing';
import { PostgresReadModelStore } from './postgres-read-model-store.js';
import { SqliteReadModelStore } from './sqlite-read-model-store.js';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];
const directories: string[] = [];

afterAll(async () => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  try {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await admin.end();
  }
});

describeReadModelStoreContract('sqlite', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'read-models-'));
  directories.push(directory);
  const readModels = new SqliteReadModelStore(join(directory, 'read-models.sqlite'));
  return { readModels, dispose: () => readModels.close() };
});

describeReadModelStoreContract('postgres', async () => {
  const schema = `rm_test_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  const readModels = await PostgresReadModelStore.open({ connectionString, schema });
  return { readModels, dispose: () => readModels.close() };
});
