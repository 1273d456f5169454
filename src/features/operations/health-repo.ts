import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** The cheapest question the database can answer: is it there at all. */
export async function ping(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}

/**
 * Names of the migrations Kysely's Migrator recorded as applied, or null when its table does not
 * exist yet (a database nobody migrated). Any other failure is thrown: the database is not answering.
 */
export async function appliedMigrationNames(db: Kysely<DB>): Promise<string[] | null> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    return rows.map((r) => r.name);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01' || /no such table/i.test((err as Error).message ?? '')) return null;
    throw err;
  }
}
