/**
 * Bounds of the fuzz suites: a default sized for `npm test`, FUZZ_CASES for longer runs
 * (`npm run fuzz`), FUZZ_SEED to replay a failure (fast-check prints the seed it used).
 */
export function fuzzRuns(defaultRuns: number): number {
  const scale = Number(process.env.FUZZ_SCALE ?? '1');
  return Math.max(1, Math.round(defaultRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

export function fuzzSeed(): number {
  const seed = Number(process.env.FUZZ_SEED);
  return Number.isInteger(seed) ? seed : Date.now() ^ (Math.random() * 0x7fffffff);
}
