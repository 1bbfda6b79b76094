/** The largest integer V8 keeps inside an object instead of as a number object of its own. */
const SMALL_INTEGER = 2 ** 30 - 1;

/** Something a wheel calls back once its time came; it reschedules itself if it wants to. */
export interface WheelTask {
  fire(nowMs: number): void;
  /**
   * The slot the task waits in, kept on the task by the one wheel it is scheduled on (a map
   * from task to slot would cost an entry per connection); undefined while it waits in none.
   * A task that declares it in its constructor keeps it in the object itself.
   */
  wheelSlot?: number | undefined;
}

/**
 * One timer for every stream of the process: keepalives, idle and duration limits are
 * slots of a one-second wheel instead of an interval per connection. A task costs an entry
 * in a set and its slot number; the wheel's only timer runs while tasks or tick listeners exist, unref'd.
 */
export class TimerWheel {
  private readonly slots = new Map<number, Set<WheelTask>>();
  private scheduled = 0;
  private readonly listeners = new Set<(nowMs: number) => void>();
  private timer: NodeJS.Timeout | null = null;
  private current: number;
  /** The wheel's first slot, in ms: times counted from it stay small integers for weeks. */
  private readonly originMs: number;

  constructor(
    private readonly resolutionMs = 1000,
    private readonly clock: () => number = Date.now,
  ) {
    this.current = Math.floor(clock() / resolutionMs);
    this.originMs = this.current * resolutionMs;
  }

  /** Now, as the wheel last saw it: cheap enough to read per event (read from the clock while it stands still). */
  get nowMs(): number {
    this.catchUpWhileStopped();
    return this.current * this.resolutionMs;
  }

  /**
   * nowMs counted from the wheel's origin. What a connection keeps of its times is best kept
   * this way: V8 holds a small integer in the object itself, a clock time as a number object
   * of its own beside it.
   */
  get elapsedMs(): number {
    const elapsed = this.nowMs - this.originMs;
    // The difference of two clock times is a number object even when it is whole; `| 0`
    // makes it the small integer it is (for about 12 days; a number object after that).
    return elapsed <= SMALL_INTEGER ? elapsed | 0 : elapsed;
  }

  /** Calls `task` once, `delayMs` from now (rounded up to the wheel's resolution); replaces its earlier schedule. */
  schedule(task: WheelTask, delayMs: number): void {
    this.cancel(task);
    // A wheel that stood still must not place a task at or behind the slot it restarts from.
    this.catchUpWhileStopped();
    const slot = Math.max(this.current + 1, Math.ceil((this.clock() + delayMs) / this.resolutionMs));
    let tasks = this.slots.get(slot);
    if (!tasks) {
      tasks = new Set();
      this.slots.set(slot, tasks);
    }
    tasks.add(task);
    task.wheelSlot = slot;
    this.scheduled++;
    this.run();
  }

  cancel(task: WheelTask): void {
    const slot = task.wheelSlot;
    if (slot === undefined) return;
    this.unslot(task);
    const tasks = this.slots.get(slot);
    tasks?.delete(task);
    if (tasks?.size === 0) this.slots.delete(slot);
  }

  /** Called on every tick (batched metrics); returns the unsubscribe. */
  onTick(listener: (nowMs: number) => void): () => void {
    this.listeners.add(listener);
    this.run();
    return () => {
      this.listeners.delete(listener);
      this.stopWhenIdle();
    };
  }

  get pending(): number {
    return this.scheduled;
  }

  /** Fires every task whose slot passed, in slot order. */
  tick(): void {
    const now = this.clock();
    const target = Math.floor(now / this.resolutionMs);
    for (; this.current < target;) {
      this.current++;
      const tasks = this.slots.get(this.current);
      if (!tasks) continue;
      this.slots.delete(this.current);
      for (const task of tasks) {
        // Cancelled or moved by a task of this slot fired before it: not due, already uncounted.
        if (task.wheelSlot !== this.current) continue;
        this.unslot(task);
        task.fire(now);
      }
    }
    for (const listener of this.listeners) listener(now);
    this.stopWhenIdle();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private unslot(task: WheelTask): void {
    task.wheelSlot = undefined;
    this.scheduled--;
  }

  /** While no timer turns the wheel, its slot follows the clock. */
  private catchUpWhileStopped(): void {
    if (this.timer === null) this.current = Math.floor(this.clock() / this.resolutionMs);
  }

  private run(): void {
    if (this.timer) return;
    this.current = Math.floor(this.clock() / this.resolutionMs);
    this.timer = setInterval(() => this.tick(), this.resolutionMs);
    this.timer.unref();
  }

  private stopWhenIdle(): void {
    if (this.scheduled === 0 && this.listeners.size === 0) this.stop();
  }
}
