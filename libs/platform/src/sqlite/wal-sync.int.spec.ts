import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { WalSync } from './wal-sync.js';

const directory = mkdtempSync(join(tmpdir(), 'wal-sync-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A database in WAL mode whose commits only write the WAL, as the stores open theirs. */
function openDatabase(name: string): { readonly db: Database.Database; readonly filename: string } {
  const filename = join(directory, name);
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS rows (n INTEGER)');
  return { db, filename };
}

describe('WalSync', () => {
  it('answers syncs in the order they were asked for, after each commit before them', async () => {
    const { db, filename } = openDatabase('ordered.sqlite');
    const wal = new WalSync(filename);
    const answered: number[] = [];
    const syncs = Array.from({ length: 20 }, (_, n) => {
      db.prepare('INSERT INTO rows (n) VALUES (?)').run(n);
      return wal.sync().then(() => void answered.push(n));
    });
    await Promise.all(syncs);
    expect(answered).toEqual(Array.from({ length: 20 }, (_, n) => n));
    wal.close();
    db.close();
  });

  it('syncs what is left when closed, and answers syncs under way and after', async () => {
    const { db, filename } = openDatabase('closing.sqlite');
    const wal = new WalSync(filename);
    db.prepare('INSERT INTO rows (n) VALUES (1)').run();
    const underWay = wal.sync();
    wal.close();
    db.close();
    await expect(underWay).resolves.toBeUndefined();
    await expect(wal.sync()).resolves.toBeUndefined();
  });

  it('has nothing to sync for a database in memory', async () => {
    await expect(new WalSync(':memory:').sync()).resolves.toBeUndefined();
  });
});
