import { defineConfig } from 'vitest/config';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    pool: 'forks',
    // Two cores: more workers only make PostgreSQL and Chromium fight for them.
    maxWorkers: 2,
    // Many tests start the real `loften` (3–10 s a start on a busy two-core machine, several per
    // test): a generous limit, so a slow machine is not read as a failure; a hang still fails.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results/results.json' }]],
  },
});
