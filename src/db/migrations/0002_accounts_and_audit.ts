import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Accounts, sessions, SSO, mail, the audit trail, and version columns for optimistic locking.
 * Everything an instance needs to remember lives here, so several instances can share one database.
 */
export function accountsAndAudit({ dialect, timestamp }: MigrationContext) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('app_user')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('party_id', 'text', (c) => c.references('party.id'))
        .addColumn('role', 'text', (c) => c.check(sql.raw(`role in ('admin', 'editor', 'reporter', 'viewer')`)))
        .addColumn('is_superadmin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', timestamp)
        .addColumn('disabled_at', timestamp)
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addCheckConstraint('app_user_membership', sql.raw('is_superadmin = 1 or (party_id is not null and role is not null)'))
        .execute();
      await db.schema.createIndex('app_user_by_party').on('app_user').column('party_id').execute();

      // The cookie holds a random token; only its SHA-256 is stored, so a leaked table opens no session.
      await db.schema
        .createTable('user_session')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id'))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('authenticated_at', timestamp, (c) => c.notNull())
        .addColumn('last_seen_at', timestamp, (c) => c.notNull())
        .addColumn('expires_at', timestamp, (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('user_session_by_user').on('user_session').column('user_id').execute();

      await db.schema
        .createTable('login_throttle')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('window_started_at', timestamp, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('password_reset')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id'))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('expires_at', timestamp, (c) => c.notNull())
        .addColumn('used_at', timestamp)
        .execute();

      await db.schema
        .createTable('mail_outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dedupe_key', 'text', (c) => c.unique())
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body_text', 'text', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('sent_at', timestamp)
        .addColumn('error', 'text')
        .execute();

      await db.schema
        .createTable('party_sso')
        .addColumn('party_id', 'text', (c) => c.primaryKey().references('party.id'))
        .addColumn('issuer_url', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('client_secret', 'text')
        .addColumn('email_domains', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('role_claim', 'text')
        .addColumn('default_role', 'text', (c) => c.notNull().defaultTo('viewer'))
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();

      await db.schema
        .createTable('oidc_login')
        .addColumn('state', 'text', (c) => c.primaryKey())
        .addColumn('party_id', 'text', (c) => c.notNull().references('party.id'))
        .addColumn('code_verifier', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('return_to', 'text')
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('expires_at', timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_event')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('occurred_at', timestamp, (c) => c.notNull())
        .addColumn('actor_user_id', 'text')
        .addColumn('actor_label', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('entity_type', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('pledge_id', 'text')
        .addColumn('before_json', 'text')
        .addColumn('after_json', 'text')
        .execute();
      await db.schema.createIndex('audit_event_by_entity').on('audit_event').columns(['entity_type', 'entity_id', 'occurred_at']).execute();
      await db.schema.createIndex('audit_event_by_pledge').on('audit_event').columns(['pledge_id', 'occurred_at']).execute();

      // Audit rows are public-record evidence: the database itself refuses to change them.
      if (dialect === 'postgres') {
        await sql`create function audit_event_append_only() returns trigger language plpgsql as $$
          begin raise exception 'audit_event is append-only'; end $$`.execute(db);
        await sql`create trigger audit_event_append_only before update or delete on audit_event
          for each row execute function audit_event_append_only()`.execute(db);
      } else {
        await sql`create trigger audit_event_no_update before update on audit_event
          begin select raise(abort, 'audit_event is append-only'); end`.execute(db);
        await sql`create trigger audit_event_no_delete before delete on audit_event
          begin select raise(abort, 'audit_event is append-only'); end`.execute(db);
      }

      for (const table of ['signatory', 'focus_area', 'commitment', 'activity']) {
        await db.schema.alterTable(table).addColumn('version', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      }
      await db.schema.alterTable('pledge').addColumn('predecessor_id', 'text', (c) => c.references('pledge.id')).execute();
      await db.schema.alterTable('activity').addColumn('predecessor_id', 'text', (c) => c.references('activity.id')).execute();
    },
  };
}
