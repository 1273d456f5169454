import { Migrator, type MigrationResult } from 'kysely';
import type { Database } from './connect.js';
import { storageProblem } from './executor.js';
import { migrationsFor } from './migrations/index.js';

export class MigrationError extends Error {}

export async function migrateToLatest(database: Database): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrationsFor(database.dialect) },
  });
  // Nothing to do: answer without taking the migration lock, which is a write. A database that
  // is read-only (a copy, a full disk) can then still be served for reading.
  const known = await migrator.getMigrations();
  const pending = known.filter((m) => m.executedAt === undefined);
  if (pending.length === 0) return [];
  const { error, results } = await migrator.migrateToLatest();
  if (error && storageProblem(error) === 'database_read_only')
    throw new MigrationError(
      `Databasen ${database.describe} är skrivskyddad och ${pending.length} migrering(ar) väntar (${pending[0]!.name} först): ge loften skrivrätt till databasen (för SQLite filen och dess katalog) och starta igen.`,
    );
  if (error && storageProblem(error) === 'storage_full')
    throw new MigrationError(`Det finns inte plats att migrera databasen ${database.describe}: frigör utrymme och starta igen. Inget har ändrats.`);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'okänd';
    throw new MigrationError(`Migreringen ${failed} misslyckades: ${(error as Error).message ?? String(error)}`);
  }
  return results ?? [];
}
