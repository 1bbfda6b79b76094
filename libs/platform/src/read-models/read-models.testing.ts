import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Fresh PostgreSQL schemas and temp directories for one suite, and their removal afterwards. */
export function scratchSpace(prefix: string) {
  const schemas: string[] = [];
  const directories: string[] = [];
  return {
    schema(): string {
      const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      return schema;
    },
    directory(): string {
      const directory = mkdtempSync(join(tmpdir(), `${prefix}-`));
      directories.push(directory);
      return directory;
    },
    async dispose(): Promise<void> {
      for (const directory of directories) rmSync(directory, { recursive: true, force: true });
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
