/**
 * Bounds of the fuzz suites: a default sized for `npm test`, FUZZ_SCALE to multiply it for
 * longer runs (`npm run fuzz` runs 20x), FUZZ_SEED to replay a failure (its seed is printed).
 */
export function fuzzRuns(defaultRuns: number): number {
  const scale = Number(process.env.FUZZ_SCALE ?? '1');
  return Math.max(1, Math.round(defaultRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

export function fuzzSeed(): number {
  const seed = Number(process.env.FUZZ_SEED);
  return Number.isInteger(seed) ? seed : Math.floor(Math.random() * 2 ** 31);
}
