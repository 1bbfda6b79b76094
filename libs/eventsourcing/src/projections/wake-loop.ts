import type { Observable, Subscription } from 'rxjs';

/** What follows the store in the background, one per process or per lease: a projector, a workflow host, a bridge. */
export interface HostedRunner {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

export interface WakeLoopOptions {
  /** Delay before the next run after `failures` failed runs in a row (1 after the first). */
  readonly retryDelay: (failures: number) => number;
  readonly onError?: (error: unknown, failures: number) => void;
  /** What wakes it while started besides wake(): the store's live feed, for a follower of the store. */
  readonly wakeOn?: () => Observable<unknown>;
}

/** Resolves after the I/O already waiting has had its turn (setImmediate runs after the poll phase). */
const afterPendingIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs `work` when woken, one run at a time: a wake during a run asks for one more run after
 * it, however many wakes came; a failed run is tried again after the retry delay. What
 * follows a store (projectors, workflow hosts, the MQTT bridge) reads from its own checkpoint
 * on each run, so a wake is only a hint and coalescing them loses nothing.
 *
 * A run starts on the turn after its wake, never inside the commit that woke it: requests and
 * commands waiting on sockets go first, so followers never stand between a command and its
 * first event, and the commits of one busy turn cost one run, not one each.
 */
export class WakeLoop {
  private running: Promise<void> | null = null;
  private again = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private stopped = true;
  private wakes: Subscription | null = null;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly options: WakeLoopOptions,
  ) {}

  get active(): boolean {
    return !this.stopped;
  }

  /** Starts taking wakes, and runs at once. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wakes = this.options.wakeOn?.().subscribe({ next: () => this.wake(), error: () => undefined }) ?? null;
    this.wake();
  }

  /** No run starts after this; resolves once the run under way, if any, ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakes?.unsubscribe();
    this.wakes = null;
    clearTimeout(this.retry);
    await this.settled();
  }

  /** Resolves once no run is under way (failed runs included). */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runUntilIdle().finally(() => {
      this.running = null;
    });
  }

  private async runUntilIdle(): Promise<void> {
    do {
      await afterPendingIo();
      if (this.stopped) return;
      this.again = false;
      try {
        await this.work();
        this.failures = 0;
      } catch (error) {
        if (this.stopped) return;
        this.failures += 1;
        this.options.onError?.(error, this.failures);
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.wake(), this.options.retryDelay(this.failures));
        return;
      }
    } while (this.again && !this.stopped);
  }
}
