import { describe, expect, it } from '@jest/globals';
import { TimerWheel, type WheelTask } from './timer-wheel.js';

function fakeClock(start = 10_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

class Recorder implements WheelTask {
  readonly fired: number[] = [];
  wheelSlot: number | undefined = undefined;
  fire(nowMs: number): void {
    this.fired.push(nowMs);
  }
}

describe('TimerWheel', () => {
  it('fires no task that another task of the same slot cancelled or moved while the slot fired, and keeps its count', () => {
    const clock = fakeClock();
    const wheel = new TimerWheel(1000, clock.now);
    const cancelled = new Recorder();
    const moved = new Recorder();
    const first: WheelTask = {
      wheelSlot: undefined,
      fire: () => {
        wheel.cancel(cancelled);
        wheel.schedule(moved, 3000);
      },
    };
    for (const task of [first, cancelled, moved]) wheel.schedule(task, 500);
    clock.advance(1000);
    wheel.tick();
    expect([cancelled.fired, moved.fired, wheel.pending]).toEqual([[], [], 1]);
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      wheel.tick();
    }
    // The moved task fires once, at its new time; nothing is left and the wheel stops.
    expect([cancelled.fired, moved.fired, wheel.pending]).toEqual([[], [14_000], 0]);
    wheel.stop();
  });

  it('fires a task scheduled on a slot boundary after the wheel stood still', () => {
    const clock = fakeClock(1_000);
    const wheel = new TimerWheel(20, clock.now);
    const task = new Recorder();
    clock.advance(1_000);
    wheel.schedule(task, 0);
    clock.advance(20);
    wheel.tick();
    expect(task.fired).toEqual([2_020]);
    wheel.stop();
  });

  it('fires a task once its slot passed, not before', () => {
    const clock = fakeClock();
    const wheel = new TimerWheel(1000, clock.now);
    const task = new Recorder();
    wheel.schedule(task, 2500);
    for (let i = 0; i < 2; i++) {
      clock.advance(1000);
      wheel.tick();
    }
    expect(task.fired).toEqual([]);
    clock.advance(1000);
    wheel.tick();
    expect(task.fired).toEqual([13_000]);
    clock.advance(5000);
    wheel.tick();
    expect(task.fired).toHaveLength(1);
    wheel.stop();
  });

  it('moves a rescheduled task and forgets a cancelled one', () => {
    const clock = fakeClock();
    const wheel = new TimerWheel(1000, clock.now);
    const moved = new Recorder();
    const cancelled = new Recorder();
    wheel.schedule(moved, 1000);
    wheel.schedule(cancelled, 1000);
    wheel.schedule(moved, 3000);
    wheel.cancel(cancelled);
    expect(wheel.pending).toBe(1);
    clock.advance(1000);
    wheel.tick();
    expect(moved.fired).toEqual([]);
    clock.advance(2000);
    wheel.tick();
    expect(moved.fired).toEqual([13_000]);
    expect(cancelled.fired).toEqual([]);
    expect(wheel.pending).toBe(0);
    wheel.stop();
  });

  it("keeps a task's slot on the task itself, and nothing once it fired or was cancelled", () => {
    const clock = fakeClock();
    const wheel = new TimerWheel(1000, clock.now);
    const fired = new Recorder();
    const cancelled = new Recorder();
    wheel.schedule(fired, 1000);
    wheel.schedule(cancelled, 2000);
    expect([fired.wheelSlot, cancelled.wheelSlot]).toEqual([11, 12]);
    wheel.cancel(cancelled);
    wheel.cancel(cancelled);
    expect(cancelled.wheelSlot).toBeUndefined();
    expect(wheel.pending).toBe(1);
    clock.advance(1000);
    wheel.tick();
    expect(fired.fired).toEqual([11_000]);
    expect(fired.wheelSlot).toBeUndefined();
    expect(wheel.pending).toBe(0);
    wheel.stop();
  });

  it('catches up on slots a late tick skipped, and calls tick listeners every tick', () => {
    const clock = fakeClock();
    const wheel = new TimerWheel(1000, clock.now);
    const early = new Recorder();
    const later = new Recorder();
    const ticks: number[] = [];
    const stopListening = wheel.onTick((now) => ticks.push(now));
    wheel.schedule(early, 1000);
    wheel.schedule(later, 2000);
    clock.advance(5000);
    wheel.tick();
    expect([early.fired, later.fired, ticks]).toEqual([[15_000], [15_000], [15_000]]);
    stopListening();
    wheel.stop();
  });
});
