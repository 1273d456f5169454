import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Narcotics in wastewater: sampling sites per district, samples (one per site and day),
 * measurements (one per sample and substance), imports with their progress and staged rows (so a
 * preview and its confirmation may be served by different instances), corrections made by
 * re-imports, and each municipality's publication settings.
 */
export function wastewater({ dialect, timestamp }: MigrationContext) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('wastewater_settings')
        .addColumn('party_id', 'text', (c) => c.primaryKey().references('party.id'))
        .addColumn('publication_threshold', 'integer', (c) => c.notNull().defaultTo(2000))
        .addColumn('correction_set', 'text', (c) => c.notNull().defaultTo('refined'))
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addCheckConstraint('wastewater_settings_threshold', sql.raw('publication_threshold >= 2000'))
        .execute();

      await db.schema
        .createTable('wastewater_site')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('party_id', 'text', (c) => c.notNull().references('party.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('district', 'text', (c) => c.notNull())
        .addColumn('population', 'integer', (c) => c.notNull())
        .addColumn('is_published', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addUniqueConstraint('wastewater_site_code', ['party_id', 'code'])
        .addCheckConstraint('wastewater_site_population', sql.raw('population > 0'))
        .execute();

      await db.schema
        .createTable('wastewater_import')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('party_id', 'text', (c) => c.notNull().references('party.id'))
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('is_dry_run', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('phase', 'text')
        .addColumn('bytes_read', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('bytes_total', 'bigint')
        .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_new', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_unchanged', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_corrected', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('samples_new', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('samples_corrected', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('sites_new', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('first_date', 'date')
        .addColumn('last_date', 'date')
        .addColumn('error_line', 'integer')
        .addColumn('error_column', 'text')
        .addColumn('error_message', 'text')
        .addColumn('created_by_user_id', 'text')
        .addColumn('actor_label', 'text', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addColumn('finished_at', timestamp)
        .addCheckConstraint('wastewater_import_status', sql.raw(`status in ('reading', 'ready', 'failed', 'applying', 'done', 'discarded')`))
        .execute();
      await db.schema.createIndex('wastewater_import_by_party').on('wastewater_import').columns(['party_id', 'created_at']).execute();

      // Samples and measurements are read and written by their key (a site's days, in order):
      // on SQLite they live in the key's own b-tree (without rowid), one structure to write instead of two.
      const keyed = <T extends { modifyEnd(n: ReturnType<typeof sql>): T }>(t: T): T =>
        dialect === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t;
      const sample = db.schema
        .createTable('wastewater_sample')
        .addColumn('site_id', 'text', (c) => c.notNull().references('wastewater_site.id'))
        .addColumn('sample_date', 'date', (c) => c.notNull())
        .addColumn('flow_m3_per_day', 'double precision', (c) => c.notNull())
        .addColumn('population', 'integer', (c) => c.notNull())
        .addColumn('import_id', 'text', (c) => c.references('wastewater_import.id'))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('wastewater_sample_pk', ['site_id', 'sample_date'])
        .addCheckConstraint('wastewater_sample_values', sql.raw('flow_m3_per_day > 0 and population > 0'));
      await keyed(sample).execute();

      const measurement = db.schema
        .createTable('wastewater_measurement')
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('sample_date', 'date', (c) => c.notNull())
        .addColumn('substance', 'text', (c) => c.notNull())
        .addColumn('concentration_ng_per_l', 'double precision')
        .addColumn('loq_ng_per_l', 'double precision')
        .addColumn('below_loq', 'integer', (c) => c.notNull())
        .addColumn('import_id', 'text', (c) => c.references('wastewater_import.id'))
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('wastewater_measurement_pk', ['site_id', 'sample_date', 'substance'])
        .addForeignKeyConstraint('wastewater_measurement_sample', ['site_id', 'sample_date'], 'wastewater_sample', ['site_id', 'sample_date'])
        .addCheckConstraint('wastewater_measurement_values', sql.raw('(concentration_ng_per_l is null or concentration_ng_per_l >= 0) and (concentration_ng_per_l is not null or below_loq = 1)'));
      await keyed(measurement).execute();

      // An uploaded file, as it arrived, until it has been read: any instance can read it.
      await db.schema
        .createTable('wastewater_upload_chunk')
        .addColumn('import_id', 'text', (c) => c.notNull().references('wastewater_import.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('data', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
        .addPrimaryKeyConstraint('wastewater_upload_chunk_pk', ['import_id', 'seq'])
        .execute();

      // Parsed rows of an import between reading and applying; removed once applied or discarded.
      // Keyed by line, the order they arrive in: a key by (site, date, substance) made staging a
      // million rows six times slower (inserts all over the b-tree). What belongs to a sample
      // (flow, population) is staged once per sample, below.
      await db.schema
        .createTable('wastewater_import_row')
        .addColumn('import_id', 'text', (c) => c.notNull().references('wastewater_import.id'))
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('site_code', 'text', (c) => c.notNull())
        .addColumn('sample_date', 'date', (c) => c.notNull())
        .addColumn('substance', 'text', (c) => c.notNull())
        .addColumn('concentration_ng_per_l', 'double precision')
        .addColumn('loq_ng_per_l', 'double precision')
        .addColumn('below_loq', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('wastewater_import_row_pk', ['import_id', 'line'])
        .execute();

      // One row per sample (site and day) of an import. Merging rows into it as they arrive is
      // also how the checks across rows work without holding the file in memory: a substance
      // seen twice (bit already set) or a flow or population that differs from the sample's
      // first row marks the sample with the line that broke it.
      await db.schema
        .createTable('wastewater_import_sample')
        .addColumn('import_id', 'text', (c) => c.notNull().references('wastewater_import.id'))
        .addColumn('site_code', 'text', (c) => c.notNull())
        .addColumn('sample_date', 'date', (c) => c.notNull())
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('flow_m3_per_day', 'double precision', (c) => c.notNull())
        .addColumn('population', 'integer')
        .addColumn('population_line', 'integer')
        .addColumn('district', 'text')
        .addColumn('substances', 'integer', (c) => c.notNull())
        .addColumn('duplicate_line', 'integer')
        .addColumn('conflict_line', 'integer')
        .addColumn('conflict_column', 'text')
        .addPrimaryKeyConstraint('wastewater_import_sample_pk', ['import_id', 'site_code', 'sample_date'])
        .execute();

      // What a re-import changed: kept for good, so a correction is never silent.
      await db.schema
        .createTable('wastewater_correction')
        .addColumn('import_id', 'text', (c) => c.notNull().references('wastewater_import.id'))
        .addColumn('site_id', 'text', (c) => c.notNull().references('wastewater_site.id'))
        .addColumn('sample_date', 'date', (c) => c.notNull())
        /** '' for a change to the sample itself (flow or population). */
        .addColumn('substance', 'text', (c) => c.notNull())
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('old_flow', 'double precision')
        .addColumn('new_flow', 'double precision')
        .addColumn('old_population', 'integer')
        .addColumn('new_population', 'integer')
        .addColumn('old_concentration', 'double precision')
        .addColumn('new_concentration', 'double precision')
        .addColumn('old_loq', 'double precision')
        .addColumn('new_loq', 'double precision')
        .addColumn('old_below_loq', 'integer')
        .addColumn('new_below_loq', 'integer')
        .addPrimaryKeyConstraint('wastewater_correction_pk', ['import_id', 'site_id', 'sample_date', 'substance'])
        .execute();
      await db.schema.createIndex('wastewater_correction_by_site').on('wastewater_correction').columns(['site_id', 'sample_date']).execute();
    },
  };
}
