import { writeSync } from 'node:fs';

/** How long a write waits for a reader that is behind before trying again. */
const BEHIND_WAIT_MS = 10;

/**
 * Where the logs go: standard output, each line written whole before the call returns (a
 * crash right after a line must not lose it). A reader that is behind (EAGAIN on a
 * non-blocking descriptor) is waited for. A reader that is gone (EPIPE: the log collector
 * or the terminal went away), or any other failure, ends the logging for good: the process
 * goes on serving, and stops when told to, without logs. (pino's default destination retries
 * such a line forever when it is flushed, holding the event loop: the process then ignores
 * SIGTERM.)
 */
export class StdoutSink {
  private ended = false;
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));

  constructor(private readonly fd = 1) {}

  write(line: string): void {
    if (this.ended) return;
    const bytes = Buffer.from(line);
    let written = 0;
    while (written < bytes.length) {
      try {
        written += writeSync(this.fd, bytes, written);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
          this.ended = true;
          return;
        }
        Atomics.wait(this.sleeper, 0, 0, BEHIND_WAIT_MS);
      }
    }
  }
}
