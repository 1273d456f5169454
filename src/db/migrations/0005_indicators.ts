import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Indicators (measured outcomes), their links to focus areas and commitments with a baseline and
 * a target, and their values per period. See docs/decisions/indicators.md.
 */
export function indicators({ timestamp }: MigrationContext) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('indicator')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // Whose area is measured (a municipality, or a police area), and who may manage it.
        .addColumn('party_id', 'text', (c) => c.notNull().references('party.id'))
        // What a CSV row names in its `indicator` column; unique within the party.
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('unit', 'text', (c) => c.notNull().check(sqlIn('unit', ['percent', 'per_100k', 'count', 'mg_per_day_per_1000'])))
        .addColumn('direction', 'text', (c) => c.notNull().check(sqlIn('direction', ['up', 'down'])))
        .addColumn('source', 'text', (c) =>
          c.notNull().check(sqlIn('source', ['kolada', 'trygghetsmatning', 'ntu', 'can', 'school_survey', 'wastewater', 'local'])),
        )
        .addColumn('kolada_kpi', 'text')
        .addColumn('source_detail', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('level', 'text', (c) => c.notNull().check(sqlIn('level', ['municipality', 'police_area', 'district'])))
        .addColumn('area_name', 'text')
        .addColumn('reporting_lag_months', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addCheckConstraint('indicator_kolada_kpi', sql.raw(`(source = 'kolada') = (kolada_kpi is not null)`))
        .addUniqueConstraint('indicator_code_per_party', ['party_id', 'code'])
        .execute();

      await db.schema
        .createTable('indicator_link')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('indicator_id', 'text', (c) => c.notNull().references('indicator.id'))
        // A focus area or a commitment may only be removed from a draft; its links go with it.
        .addColumn('focus_area_id', 'text', (c) => c.references('focus_area.id').onDelete('cascade'))
        .addColumn('commitment_id', 'text', (c) => c.references('commitment.id').onDelete('cascade'))
        .addColumn('baseline_value', 'double precision')
        .addColumn('baseline_year', 'integer')
        .addColumn('target_value', 'double precision')
        .addColumn('target_year', 'integer')
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        // Unlinked, not deleted: the audit trail and earlier readers may have seen it on a public page.
        .addColumn('removed_at', timestamp)
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addCheckConstraint('indicator_link_one_target', sql.raw('(focus_area_id is null) <> (commitment_id is null)'))
        .addCheckConstraint('indicator_link_baseline_pair', sql.raw('(baseline_value is null) = (baseline_year is null)'))
        .addCheckConstraint('indicator_link_target_pair', sql.raw('(target_value is null) = (target_year is null)'))
        .execute();
      await db.schema
        .createIndex('indicator_link_focus_area_once')
        .on('indicator_link')
        .columns(['indicator_id', 'focus_area_id'])
        .unique()
        .where(sql.ref('removed_at'), 'is', null)
        .where(sql.ref('focus_area_id'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('indicator_link_commitment_once')
        .on('indicator_link')
        .columns(['indicator_id', 'commitment_id'])
        .unique()
        .where(sql.ref('removed_at'), 'is', null)
        .where(sql.ref('commitment_id'), 'is not', null)
        .execute();
      await db.schema.createIndex('indicator_link_by_focus_area').on('indicator_link').column('focus_area_id').execute();
      await db.schema.createIndex('indicator_link_by_commitment').on('indicator_link').column('commitment_id').execute();

      await db.schema
        .createTable('indicator_value')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('indicator_id', 'text', (c) => c.notNull().references('indicator.id'))
        // 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD': string order is time order.
        .addColumn('period', 'text', (c) => c.notNull())
        // Kolada's breakdown: T total, K women, M men.
        .addColumn('gender', 'text', (c) => c.notNull().check(sqlIn('gender', ['T', 'K', 'M'])))
        .addColumn('value', 'double precision')
        .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['preliminary', 'final', 'not_yet_available', 'suppressed'])))
        // The value and status this row had before the last correction, so a reader can see what changed.
        .addColumn('previous_value', 'double precision')
        .addColumn('previous_status', 'text')
        .addColumn('corrected_at', timestamp)
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        // A missing or suppressed figure has no number at all: it can never be read as 0.
        .addCheckConstraint(
          'indicator_value_status_value',
          sql.raw(`(value is null and status in ('not_yet_available', 'suppressed')) or (value is not null and status in ('preliminary', 'final'))`),
        )
        .addUniqueConstraint('indicator_value_once', ['indicator_id', 'period', 'gender'])
        .execute();
    },
  };
}

function sqlIn(column: string, values: string[]) {
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`);
}
