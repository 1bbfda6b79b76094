/** What follows the store in the background, one per process or per lease: a projector, a workflow host. */
export interface HostedRunner {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

import type { Observable, Subscription } from 'rxjs';

export interface WakeLoopOptions {
  readonly retryMs: number;
  readonly onError?: (error: unknown) => void;
  /** What wakes it while started besides wake(): the store's live feed, for a follower of the store. */
  readonly wakeOn?: () => Observable<unknown>;
}

/**
 * Runs `work` when woken, one run at a time: a wake during a run makes one more run after
 * it, so nothing woken for is missed and runs never overlap. A failing run is reported and
 * tried again after `retryMs`, keeping its place (the work reads its own checkpoint).
 */
export class WakeLoop {
  private running: Promise<void> | null = null;
  private again = false;
  private retry: NodeJS.Timeout | undefined;
  private stopped = true;
  private wakes: Subscription | null = null;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly options: WakeLoopOptions,
  ) {}

  /** Starts taking wakes, and runs at once. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wakes = this.options.wakeOn?.().subscribe({ next: () => this.wake(), error: () => undefined }) ?? null;
    this.wake();
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

  /** No run starts after this; resolves once the one under way settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakes?.unsubscribe();
    this.wakes = null;
    clearTimeout(this.retry);
    await this.settled();
  }

  /** Resolves once no run is under way. */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async runUntilIdle(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.work();
      } catch (error) {
        this.options.onError?.(error);
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.wake(), this.options.retryMs);
        return;
      }
    } while (this.again && !this.stopped);
  }
}
