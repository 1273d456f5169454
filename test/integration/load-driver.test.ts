import { describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load-driver.js';
import { createPostgresUrl, createSqliteUrl, targets } from '../support/databases.js';

/**
 * The load driver of `npm run bench:load`, briefly and with few clients: a real server, real
 * logins, reads and writes at once, and afterwards every acknowledged write found in the
 * database. No latency is asserted (this machine is shared); only that nothing failed or got lost.
 */
for (const target of targets) {
  describe.skipIf(target.skip)(`the load driver on ${target.name}`, () => {
    it('reads and writes for a few seconds with no errors and no lost writes', { timeout: 120_000 }, async () => {
      const made = target.name === 'sqlite' ? await createSqliteUrl() : await createPostgresUrl();
      try {
        const r = await runLoad({ databaseUrl: made.url, connections: 5, duration: 3, warmup: 0, demo: false, staffPerRole: 1, sessions: 'direct' });
        expect(r.errors).toBe(0);
        expect(r.reads.count).toBeGreaterThan(0);
        // Each client writes once per cycle of 20, so a few seconds give every client a report.
        expect(r.acknowledged.reports).toBeGreaterThan(0);
        expect(r.writes.count).toBe(r.acknowledged.reports + r.acknowledged.edits);
        expect(r.lostWrites).toBe(0);
        expect(r.inconsistencies).toEqual([]);
      } finally {
        await made.cleanup();
      }
    });
  });
}
