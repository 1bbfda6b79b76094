/** Fastest and slowest replay an auditor may ask for: 1000x, down to real time and slower. */
export const MAX_REPLAY_SPEED = 1000;

/**
 * The replay's clock, fed one event time after another: milliseconds after the replay
 * starts at which each event is re-emitted, its original distance from the first event
 * divided by `speed`. Clock skew between writers can make a later event carry an earlier
 * time; it then goes out right after its predecessor rather than reordering the history.
 * It keeps two numbers, so a history of any length replays in constant memory.
 */
export function replayClock(speed: number): (occurredAt: string) => number {
  let first: number | null = null;
  let previous = 0;
  return (occurredAt) => {
    const at = Date.parse(occurredAt);
    first ??= at;
    const offset = Math.max(previous, (at - first) / speed);
    previous = Number.isFinite(offset) ? offset : previous;
    return previous;
  };
}

/** The offsets of a whole history at once (see replayClock). */
export function replayOffsets(occurredAts: readonly string[], speed: number): number[] {
  const clock = replayClock(speed);
  return occurredAts.map(clock);
}
