import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { migrationsFor } from '../../db/migrations/index.js';
import { appliedMigrationNames, ping } from './health-repo.js';

/**
 * Liveness and readiness, as plain functions: the main app, the admin listener and the tests all
 * call these. Liveness never touches the database: a restart does not cure a database outage,
 * and an orchestrator that restarts every instance while PostgreSQL reboots only makes it worse.
 */
export type ReadinessProblem = 'database_unavailable' | 'migrations_pending' | 'shutting_down';

export type Readiness = { status: 'ready' } | { status: 'unavailable'; problem: ReadinessProblem; pending?: string[] };

/** The migrations this code expects; their names are the same for both dialects. */
export const EXPECTED_MIGRATIONS: readonly string[] = Object.keys(migrationsFor('sqlite'));

/** A probe gives up long before the pool's own 5 s connection timeout would. */
export const READINESS_TIMEOUT_MS = 2000;

class TimedOut extends Error {}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function checkReadiness(db: Kysely<DB>, opts: { stopping?: boolean; timeoutMs?: number } = {}): Promise<Readiness> {
  if (opts.stopping) return { status: 'unavailable', problem: 'shutting_down' };
  let applied: string[] | null;
  try {
    applied = await within(opts.timeoutMs ?? READINESS_TIMEOUT_MS, (async () => {
      await ping(db);
      return appliedMigrationNames(db);
    })());
  } catch {
    return { status: 'unavailable', problem: 'database_unavailable' };
  }
  const done = new Set(applied ?? []);
  const pending = EXPECTED_MIGRATIONS.filter((name) => !done.has(name));
  if (pending.length > 0) return { status: 'unavailable', problem: 'migrations_pending', pending };
  return { status: 'ready' };
}
