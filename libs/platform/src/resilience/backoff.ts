export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": half of each delay is fixed, half random. Every
 * process of a deployment loses PostgreSQL at the same instant; without the random half
 * they would all knock again at the same instants, and the fixed half keeps a retry from
 * coming back at once.
 */
export function jitteredBackoff(
  { minMs, maxMs }: BackoffOptions,
  random: () => number = Math.random,
): (attempt: number) => number {
  return (attempt) => {
    const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt));
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  };
}
