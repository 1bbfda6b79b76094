import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
  accept(message: RoutedCommand): void;
  /** The command is about to be delivered for the `deliveryCount`th time. */
  delivering(commandId: string, deliveryCount: number): void;
  settle(commandId: string): void;
  close(): void;
}

interface Row {
  readonly message: string;
  readonly delivery_count: number;
}

/** The journal in a SQLite file beside the event store (DATA_DIR/commands.sqlite). */
export class SqliteCommandJournal implements CommandJournal {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(filename: string) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
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
  }

  pending(): PendingCommand[] {
    return this.statements.pending
      .all()
      .map((row) => ({ message: JSON.parse(row.message) as RoutedCommand, deliveryCount: row.delivery_count }));
  }

  // Writes after close() are dropped: a handler that outlived the bus is redelivered after the
  // restart, which the idempotent deciders absorb.
  accept(message: RoutedCommand): void {
    if (!this.db.open) return;
    this.statements.accept.run(message.command.metadata.commandId, JSON.stringify(message));
  }

  delivering(commandId: string, deliveryCount: number): void {
    if (!this.db.open) return;
    this.statements.delivering.run(deliveryCount, commandId);
  }

  settle(commandId: string): void {
    if (!this.db.open) return;
    this.statements.settle.run(commandId);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
