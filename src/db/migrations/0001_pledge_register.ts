import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/** Parties, pledges and their content: the register every later feature hangs off. */
export function pledgeRegister({ timestamp }: MigrationContext) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('party')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['municipality', 'police_area', 'partner'])))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('municipality_code', 'text', (c) => c.unique())
        .addColumn('county', 'text')
        .addColumn('website_url', 'text')
        .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();

      await db.schema
        .createTable('pledge')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('starts_on', 'date', (c) => c.notNull())
        .addColumn('ends_on', 'date', (c) => c.notNull())
        .addColumn('period_slug', 'text', (c) => c.notNull())
        .addColumn('background', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('state', 'text', (c) => c.notNull().check(sqlIn('state', ['draft', 'signed', 'archived'])))
        .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addCheckConstraint('pledge_period_order', sqlRaw('ends_on >= starts_on'))
        .execute();

      await db.schema
        .createTable('pledge_party')
        .addColumn('pledge_id', 'text', (c) => c.notNull().references('pledge.id'))
        .addColumn('party_id', 'text', (c) => c.notNull().references('party.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('pledge_party_pk', ['pledge_id', 'party_id'])
        .execute();
      await db.schema.createIndex('pledge_party_by_party').on('pledge_party').columns(['party_id', 'pledge_id']).execute();

      await db.schema
        .createTable('signatory')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pledge_id', 'text', (c) => c.notNull().references('pledge.id'))
        .addColumn('party_id', 'text', (c) => c.notNull().references('party.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role_title', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('signatory_by_pledge').on('signatory').columns(['pledge_id', 'position']).execute();

      await db.schema
        .createTable('focus_area')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pledge_id', 'text', (c) => c.notNull().references('pledge.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('position', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('focus_area_by_pledge').on('focus_area').columns(['pledge_id', 'position']).execute();

      await db.schema
        .createTable('commitment')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('focus_area_id', 'text', (c) => c.notNull().references('focus_area.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('position', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('commitment_by_focus_area').on('commitment').columns(['focus_area_id', 'position']).execute();

      await db.schema
        .createTable('activity')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('commitment_id', 'text', (c) => c.notNull().references('commitment.id'))
        .addColumn('owner_party_id', 'text', (c) => c.notNull().references('party.id'))
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('target_value', 'double precision')
        .addColumn('target_unit', 'text')
        .addColumn('target_text', 'text')
        .addColumn('schedule_starts_on', 'date')
        .addColumn('schedule_ends_on', 'date')
        .addColumn('schedule_text', 'text')
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sqlIn('status', ['planned', 'in_progress', 'done', 'delayed', 'cancelled'])),
        )
        .addColumn('position', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('activity_by_commitment').on('activity').columns(['commitment_id', 'position']).execute();
      await db.schema.createIndex('activity_by_owner').on('activity').column('owner_party_id').execute();
    },
  };
}

function sqlRaw(text: string) {
  return sql.raw(text);
}
function sqlIn(column: string, values: string[]) {
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`);
}
