import { PostgresAdapter, type Kysely } from 'kysely';
import type { DB } from './schema.js';

/** A connection or a transaction: repositories take either, so callers decide the transaction. */
export type Executor = Kysely<DB>;

export function isPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Counts come back as strings from pg and numbers from SQLite. */
export function toCount(v: unknown): number {
  return typeof v === 'number' ? v : Number(v ?? 0);
}

/** A unique constraint refused the write: the check-then-insert lost a race to another writer. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
