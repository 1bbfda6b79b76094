import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { EventStoreUnavailableError } from '#eventsourcing';
import { WalSync } from '../../sqlite/wal-sync.js';
import {
  configureConnection,
  openGroupCommit,
  type AppendOutcome,
  type AppendRows,
  type GroupCommit,
} from './group-commit.js';

/** A group's outcomes once its commit is durable, or why it is not (its rows may be readable). */
export interface GroupWritten {
  readonly outcomes: readonly AppendOutcome[];
  readonly unsynced?: string;
}

/**
 * Commits groups of appends and makes them durable. Groups are answered in the order they
 * were written. A group whose transaction failed as a whole rejects; whether its rows are
 * in the file is then unknown.
 */
export interface GroupWriter {
  write(group: readonly AppendRows[]): Promise<GroupWritten>;
  /** Once every group written before has been answered. */
  close(): Promise<void>;
}

/**
 * Commits on the store's own connection, in the caller's turn of the event loop, and fsyncs
 * on libuv's thread pool (WalSync). For a database in memory, which no other connection sees.
 */
export class InThreadWriter implements GroupWriter {
  private readonly commit: GroupCommit;
  private readonly wal: WalSync;

  constructor(db: Database.Database, filename: string) {
    this.commit = openGroupCommit(db);
    this.wal = new WalSync(filename);
  }

  write(group: readonly AppendRows[]): Promise<GroupWritten> {
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.commit(group);
    } catch (error) {
      // In its turn, after every group written before.
      const fail = () => Promise.reject(error as Error);
      return this.wal.sync().then(fail, fail);
    }
    return this.wal.sync().then(
      () => ({ outcomes }),
      (error: unknown) => ({ outcomes, unsynced: String(error) }),
    );
  }

  async close(): Promise<void> {
    this.wal.close();
  }
}

/** A message to the writer thread. */
type WriterRequest = { readonly id: number; readonly group: readonly AppendRows[] } | { readonly close: true };
/** Its answer to one group. */
type WriterReply = { readonly id: number } & ({ readonly written: GroupWritten } | { readonly failed: string });

interface Pending {
  resolve(written: GroupWritten): void;
  reject(error: Error): void;
}

/**
 * Commits and fsyncs on a connection of its own in a worker thread, so that the inserts,
 * the WAL writes, checkpoints and fsyncs of the process's appends run on another core than
 * its requests and streams. The thread answers groups in order. It keeps the process alive
 * only while a group is under way. If it stops, the groups under way fail and the next
 * write starts another.
 */
export class ThreadWriter implements GroupWriter {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  /** Answers received and not settled yet, oldest first: one is settled per turn of the event loop. */
  private readonly replies: WriterReply[] = [];
  private nextId = 0;

  constructor(private readonly filename: string) {}

  write(group: readonly AppendRows[]): Promise<GroupWritten> {
    const worker = (this.worker ??= this.start());
    const id = (this.nextId += 1);
    return new Promise<GroupWritten>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, group } satisfies WriterRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === null) return;
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ close: true } satisfies WriterRequest);
    await exited;
  }

  private start(): Worker {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { driver, filename: this.filename } });
    worker.unref();
    // Each answer in a turn of the event loop of its own (a port hands over at once every
    // message that arrives while it is being read): sockets get turns between groups.
    worker.on('message', (reply: WriterReply) => {
      this.replies.push(reply);
      if (this.replies.length === 1) setImmediate(() => this.settleNext());
    });
    worker.on('error', (error) => this.stopped(worker, error.message));
    worker.on('exit', (code) => this.stopped(worker, `exited with code ${code}`));
    return worker;
  }

  private settleNext(): void {
    const reply = this.replies.shift();
    if (reply) this.settle(reply);
    if (this.replies.length > 0) setImmediate(() => this.settleNext());
  }

  private settle(reply: WriterReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('written' in reply) pending.resolve(reply.written);
    else pending.reject(new EventStoreUnavailableError(`sqlite group commit failed: ${reply.failed}`));
  }

  private stopped(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    // What it answered before it stopped stands.
    for (let reply = this.replies.shift(); reply; reply = this.replies.shift()) this.settle(reply);
    const error = new EventStoreUnavailableError(`sqlite writer thread stopped: ${why}`);
    // Answered in the order the groups were written (a Map iterates in insertion order).
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/** The writer thread: opens the file, then commits, fsyncs and answers each group in turn. */
function writerThread(
  require: NodeJS.Require,
  configure: typeof configureConnection,
  open: typeof openGroupCommit,
): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { closeSync, fdatasyncSync, openSync } = require('node:fs') as typeof import('node:fs');
  const { driver, filename } = workerData as { driver: string; filename: string };
  const Driver = require(driver) as typeof Database;
  const port = parentPort as import('node:worker_threads').MessagePort;
  const db = new Driver(filename);
  configure(db);
  const commit = open(db);
  let wal: number | null = null;
  port.on('message', (request: WriterRequest) => {
    if ('close' in request) {
      if (wal !== null) closeSync(wal);
      db.close();
      port.close();
      return;
    }
    let outcomes: AppendOutcome[];
    try {
      outcomes = commit(request.group);
    } catch (error) {
      port.postMessage({ id: request.id, failed: String(error) } satisfies WriterReply);
      return;
    }
    let unsynced: string | undefined;
    try {
      wal ??= openSync(`${filename}-wal`, 'r');
      fdatasyncSync(wal);
    } catch (error) {
      unsynced = String(error);
    }
    const written: GroupWritten = unsynced === undefined ? { outcomes } : { outcomes, unsynced };
    port.postMessage({ id: request.id, written } satisfies WriterReply);
  });
}

/** The thread's script: the writer thread and what it calls, from their own (compiled) source text. */
const WRITER_SOURCE = `(${writerThread.toString()})(require, ${configureConnection.toString()}, ${openGroupCommit.toString()});`;
