import { mkdirSync } from 'node:fs';
import { WalSync } from '../../sqlite/wal-sync.js';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../logging/logger.js';
import type { RoutedCommand } from '../command-bus.port.js';

/** A command accepted and not yet settled, as it is handed out again after a restart. */
export interface PendingCommand {
  readonly message: RoutedCommand;
  /** Deliveries already made or begun before the restart. */
  readonly deliveryCount: number;
}

/**
 * What makes the embedded bus durable: every accepted command is written before send()
 * resolves and removed once it is acked or dead-lettered, so a process that stops or is
 * killed hands the unsettled ones out again on its next start, as JetStream would.
 */
export interface CommandJournal {
  pending(): PendingCommand[];
  /** Resolves once the command is durable. */
  accept(message: RoutedCommand): Promise<void>;
  /**
   * The command is about to be delivered for the `deliveryCount`th time: on record before
   * anything the caller queues after this call runs (its handler, in a later microtask).
   */
  delivering(commandId: string, deliveryCount: number): void;
  settle(commandId: string): void;
  close(): void;
}

interface Row {
  readonly message: string;
  readonly delivery_count: number;
}

/** A delivery count or a settlement, written with the others of its run of microtasks. */
type Bookkeeping =
  | { readonly commandId: string; readonly deliveryCount: number }
  | { readonly commandId: string; readonly settled: true };

interface Accepting {
  readonly message: RoutedCommand;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The journal in a SQLite file beside the event store (DATA_DIR/commands.sqlite). The
 * commands accepted in one turn of the event loop are committed together, and accepted once
 * that commit is on disk. better-sqlite3 would fsync inside the commit (synchronous FULL),
 * blocking every request and command of the process for the disk's milliseconds; so the
 * commit only writes the WAL (synchronous NORMAL) and the WAL is then fsynced on libuv's
 * thread pool, with the same guarantee: a command is accepted after its row is durable, and
 * groups are accepted in the order they were committed. Delivery counts and settlements are
 * bookkeeping that survives the process being killed without an fsync of their own (the next
 * group's fsync covers them); lost by a power cut, they only make a settled command come
 * back, which the idempotent deciders absorb. They are written in one transaction per run of
 * microtasks, queued at the first of them: a burst's deliveries (one per accepted command, in
 * the microtasks that resume its senders) cost one write, still before any of their handlers
 * runs, since each handler is queued after its delivery is.
 */
export class SqliteCommandJournal implements CommandJournal {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly acceptGroup;
  private readonly bookkeepingGroup;
  private accepting: Accepting[] = [];
  private bookkeeping: Bookkeeping[] = [];
  private readonly wal: WalSync;

  constructor(
    filename: string,
    private readonly logger?: Logger,
  ) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('synchronous = NORMAL');
    this.wal = new WalSync(filename);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS pending_commands (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        command_id TEXT NOT NULL UNIQUE,
        message TEXT NOT NULL,
        delivery_count INTEGER NOT NULL DEFAULT 0
      )`);
    this.statements = {
      pending: this.db.prepare<[], Row>('SELECT message, delivery_count FROM pending_commands ORDER BY seq'),
      accept: this.db.prepare<[string, string]>(
        'INSERT OR IGNORE INTO pending_commands (command_id, message) VALUES (?, ?)',
      ),
      delivering: this.db.prepare<[number, string]>(
        'UPDATE pending_commands SET delivery_count = ? WHERE command_id = ?',
      ),
      settle: this.db.prepare<[string]>('DELETE FROM pending_commands WHERE command_id = ?'),
    };
    this.bookkeepingGroup = this.db.transaction((entries: readonly Bookkeeping[]) => {
      for (const entry of entries)
        if ('settled' in entry) this.statements.settle.run(entry.commandId);
        else this.statements.delivering.run(entry.deliveryCount, entry.commandId);
    });
    this.acceptGroup = this.db.transaction((group: readonly Accepting[]) => {
      for (const { message } of group)
        this.statements.accept.run(message.command.metadata.commandId, JSON.stringify(message));
    });
  }

  pending(): PendingCommand[] {
    return this.statements.pending
      .all()
      .map((row) => ({ message: JSON.parse(row.message) as RoutedCommand, deliveryCount: row.delivery_count }));
  }

  // Writes after close() are dropped: a handler that outlived the bus is redelivered after the
  // restart, which the idempotent deciders absorb.
  accept(message: RoutedCommand): Promise<void> {
    if (!this.db.open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.accepting.push({ message, resolve, reject });
      if (this.accepting.length === 1) setImmediate(() => this.commitAccepted());
    });
  }

  delivering(commandId: string, deliveryCount: number): void {
    this.keep({ commandId, deliveryCount });
  }

  settle(commandId: string): void {
    this.keep({ commandId, settled: true });
  }

  close(): void {
    if (!this.db.open) return;
    this.commitAccepted();
    this.writeBookkeeping();
    this.wal.close();
    this.db.close();
  }

  private keep(entry: Bookkeeping): void {
    if (!this.db.open) return;
    if (this.bookkeeping.length === 0) queueMicrotask(() => this.writeBookkeeping());
    this.bookkeeping.push(entry);
  }

  private writeBookkeeping(): void {
    const entries = this.bookkeeping;
    this.bookkeeping = [];
    if (entries.length === 0 || !this.db.open) return;
    try {
      this.bookkeepingGroup(entries);
    } catch (error) {
      // Lost bookkeeping makes settled commands come back and miscounts deliveries; nothing is lost.
      this.logger?.error(
        { err: error, entries: entries.length },
        'command journal: delivery counts and settlements not written; those commands may be handed out again after a restart',
      );
    }
  }

  private commitAccepted(): void {
    const group = this.accepting;
    this.accepting = [];
    if (group.length === 0) return;
    if (!this.db.open) return group.forEach((accepting) => accepting.resolve());
    try {
      this.acceptGroup.immediate(group);
    } catch (error) {
      for (const accepting of group) accepting.reject(error);
      return;
    }
    this.wal.sync().then(
      () => group.forEach((accepting) => accepting.resolve()),
      (error: unknown) => group.forEach((accepting) => accepting.reject(error)),
    );
  }
}
