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

/** Why the database refused a write because of where it lives, not because of what was asked. */
export type StorageProblem = 'database_read_only' | 'storage_full';

/**
 * A write refused by the storage: a read-only SQLite file (or directory), a PostgreSQL in
 * read-only mode (a standby), or no space left. SQLite reports a full disk as SQLITE_FULL, and a
 * write cut short by a file-size limit as SQLITE_IOERR_WRITE; both mean nothing more fits.
 */
export function storageProblem(err: unknown): StorageProblem | null {
  const code = (err as { code?: string })?.code ?? '';
  if (code.startsWith('SQLITE_READONLY') || code === '25006') return 'database_read_only';
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || code === '53100' || code === 'ENOSPC' || code === 'EFBIG') return 'storage_full';
  return null;
}
