import type { Parameters } from 'fast-check';

/**
 * fast-check settings for one fuzz file: a fixed seed by default, so CI is reproducible and a
 * failure replays; FUZZ_SEED=<n> explores another part of the space. The seed is printed, and
 * fast-check's own failure report prints the seed and path of the shrunk counterexample.
 * Each run has a time limit, so a parser that hangs fails instead of stalling the suite.
 */
export function fuzzOptions(name: string): (numRuns: number) => Parameters<unknown> {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261127;
  console.log(`fuzz ${name}: seed ${seed} (FUZZ_SEED=${seed} replays it)`);
  return (numRuns) => ({ seed, numRuns, timeout: 5_000, markInterruptAsFailure: true });
}
