import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

/**
 * Puts on disk what a SQLite connection in WAL mode with `synchronous = NORMAL` committed,
 * from libuv's thread pool rather than inside the commit: the commit only writes the WAL
 * (the OS has it: it survives the process dying), and `sync()` resolves once the WAL file
 * is fsynced (it survives the machine dying), which is what `synchronous = FULL` does while
 * blocking the event loop. Syncs resolve in the order they were asked for.
 */
export class WalSync {
  private fd: number | null = null;
  private last: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private closed = false;

  /** `filename`: the database file; ':memory:' has nothing to sync. */
  constructor(private readonly filename: string) {}

  /** Resolves once every commit made before the call is durable, and after every earlier sync. */
  sync(): Promise<void> {
    if (this.filename === ':memory:' || this.closed) return this.last;
    let fd: number;
    try {
      fd = this.fd ??= openSync(`${this.filename}-wal`, 'r');
    } catch (error) {
      // Answered as a failed sync, in its turn, rather than thrown into the commit that asked.
      const failed = this.last.then(() => Promise.reject(error as Error));
      this.last = failed.catch(() => undefined);
      return failed;
    }
    this.inFlight += 1;
    const synced = new Promise<void>((resolve, reject) =>
      fdatasync(fd, (error) => {
        this.inFlight -= 1;
        // After close() an error here means nothing: close() synced everything synchronously.
        if (error && !this.closed) reject(error);
        else resolve();
        if (this.closed && this.inFlight === 0) this.release();
      }),
    );
    const next = this.last.then(() => synced);
    this.last = next.catch(() => undefined);
    return next;
  }

  /** Syncs what is left at once, and closes the file once no sync is under way. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd === null) return;
    fdatasyncSync(this.fd);
    if (this.inFlight === 0) this.release();
  }

  private release(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
