import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Which process is reading or applying an import. Its heartbeat is the import's `updated_at`:
 * a job whose worker stopped beating for long enough was interrupted (the process died) and is
 * settled by whichever instance notices; a live worker's job never is (docs/decisions/faults.md).
 */
export function importHeartbeat(_ctx: MigrationContext) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('wastewater_import').addColumn('worker_id', 'text').execute();
      await db.schema.createIndex('wastewater_import_running').on('wastewater_import').columns(['status', 'updated_at']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('wastewater_import_running').execute();
      await db.schema.alterTable('wastewater_import').dropColumn('worker_id').execute();
    },
  };
}
