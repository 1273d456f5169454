import { Migrator, type MigrationResult } from 'kysely';
import type { Database } from './connect.js';
import { migrationsFor } from './migrations/index.js';

export class MigrationError extends Error {}

export async function migrateToLatest(database: Database): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrationsFor(database.dialect) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'okänd';
    throw new MigrationError(`Migreringen ${failed} misslyckades: ${(error as Error).message ?? String(error)}`);
  }
  return results ?? [];
}
