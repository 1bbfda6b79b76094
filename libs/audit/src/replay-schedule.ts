/** Fastest and slowest replay an auditor may ask for: 1000x, down to real time and slower. */
export const MAX_REPLAY_SPEED = 1000;

/**
 * Milliseconds after the replay starts at which each event is re-emitted: its original
 * distance from the first event, divided by `speed`. Clock skew between writers can make
 * a later event carry an earlier time; it then goes out right after its predecessor
 * rather than reordering the history.
 */
export function replayOffsets(occurredAts: readonly string[], speed: number): number[] {
  const first = Date.parse(occurredAts[0] ?? '');
  let previous = 0;
  return occurredAts.map((at) => {
    const offset = Math.max(previous, (Date.parse(at) - first) / speed);
    previous = Number.isFinite(offset) ? offset : previous;
    return previous;
  });
}
