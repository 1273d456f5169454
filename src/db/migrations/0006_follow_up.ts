import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

const STATUSES = `('planned', 'in_progress', 'done', 'delayed', 'cancelled')`;

/**
 * Follow-up: dated reports on activities (append-only; a correction is a new row pointing at the
 * one it corrects), the other party's acknowledgements and comments, Brå meetings with attendees
 * and decisions, and the reports frozen when a meeting closes. Updates, responses and reports are
 * public records: triggers refuse to change or delete them, in both databases.
 */
export function followUp({ dialect, timestamp }: MigrationContext) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('activity_update')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('activity_id', 'text', (c) => c.notNull().references('activity.id'))
        .addColumn('pledge_id', 'text', (c) => c.notNull().references('pledge.id'))
        .addColumn('party_id', 'text', (c) => c.notNull().references('party.id'))
        .addColumn('author_user_id', 'text', (c) => c.references('app_user.id'))
        .addColumn('author_name', 'text', (c) => c.notNull())
        /** The day the report describes, which may be earlier than the day it was entered. */
        .addColumn('reported_on', 'date', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql.raw(`status in ${STATUSES}`)))
        .addColumn('previous_status', 'text', (c) => c.notNull().check(sql.raw(`previous_status in ${STATUSES}`)))
        .addColumn('status_reason', 'text')
        .addColumn('outcome_value', 'double precision')
        .addColumn('outcome_unit', 'text')
        .addColumn('counts_json', 'text')
        .addColumn('narrative', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('evidence_url', 'text')
        .addColumn('evidence_label', 'text')
        .addColumn('corrects_update_id', 'text', (c) => c.references('activity_update.id'))
        .addCheckConstraint('activity_update_reason', sql.raw(`status = previous_status or status_reason is not null`))
        .addCheckConstraint('activity_update_outcome', sql.raw(`outcome_value is null or outcome_value >= 0`))
        .execute();
      await db.schema.createIndex('activity_update_by_activity').on('activity_update').columns(['activity_id', 'reported_on']).execute();
      await db.schema.createIndex('activity_update_by_pledge').on('activity_update').columns(['pledge_id', 'created_at']).execute();

      await db.schema
        .createTable('activity_update_response')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('update_id', 'text', (c) => c.notNull().references('activity_update.id'))
        .addColumn('party_id', 'text', (c) => c.notNull().references('party.id'))
        .addColumn('author_user_id', 'text', (c) => c.references('app_user.id'))
        .addColumn('author_name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql.raw(`kind in ('acknowledge', 'comment')`)))
        .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('activity_update_response_by_update').on('activity_update_response').column('update_id').execute();

      await db.schema
        .createTable('follow_up_meeting')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pledge_id', 'text', (c) => c.notNull().references('pledge.id'))
        .addColumn('held_on', 'date', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('location', 'text')
        .addColumn('state', 'text', (c) => c.notNull().check(sql.raw(`state in ('planned', 'closed', 'cancelled')`)))
        .addColumn('minutes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addColumn('closed_at', timestamp)
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.createIndex('follow_up_meeting_by_pledge').on('follow_up_meeting').columns(['pledge_id', 'held_on']).execute();
      await db.schema.createIndex('follow_up_meeting_by_date').on('follow_up_meeting').columns(['state', 'held_on']).execute();

      await db.schema
        .createTable('follow_up_attendee')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('meeting_id', 'text', (c) => c.notNull().references('follow_up_meeting.id'))
        .addColumn('organisation', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role_title', 'text')
        .addColumn('position', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('follow_up_attendee_by_meeting').on('follow_up_attendee').columns(['meeting_id', 'position']).execute();

      await db.schema
        .createTable('follow_up_decision')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('meeting_id', 'text', (c) => c.notNull().references('follow_up_meeting.id'))
        .addColumn('activity_id', 'text', (c) => c.references('activity.id'))
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('follow_up_decision_by_meeting').on('follow_up_decision').columns(['meeting_id', 'position']).execute();

      await db.schema
        .createTable('follow_up_report')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pledge_id', 'text', (c) => c.notNull().references('pledge.id'))
        /** The meeting whose closing froze it; null for a year-end report. */
        .addColumn('meeting_id', 'text', (c) => c.references('follow_up_meeting.id').unique())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql.raw(`kind in ('meeting', 'year_end')`)))
        .addColumn('report_date', 'date', (c) => c.notNull())
        /** For a year-end report: the calendar year it covers. */
        .addColumn('year', 'integer')
        .addColumn('previous_report_id', 'text', (c) => c.references('follow_up_report.id'))
        .addColumn('snapshot_json', 'text', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('follow_up_report_one_per_day', ['pledge_id', 'kind', 'report_date'])
        .execute();

      for (const table of ['activity_update', 'activity_update_response', 'follow_up_report']) {
        if (dialect === 'postgres') {
          await sql`create function ${sql.raw(`${table}_append_only`)}() returns trigger language plpgsql as ${sql.raw(`$$ begin raise exception '${table} is append-only'; end $$`)}`.execute(db);
          await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.raw(table)} for each row execute function ${sql.raw(`${table}_append_only`)}()`.execute(db);
        } else {
          await sql`create trigger ${sql.raw(`${table}_no_update`)} before update on ${sql.raw(table)} begin select raise(abort, ${sql.lit(`${table} is append-only`)}); end`.execute(db);
          await sql`create trigger ${sql.raw(`${table}_no_delete`)} before delete on ${sql.raw(table)} begin select raise(abort, ${sql.lit(`${table} is append-only`)}); end`.execute(db);
        }
      }
    },
  };
}
