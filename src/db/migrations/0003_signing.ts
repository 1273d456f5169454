import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Frozen versions, their signatures, the account that signs for each signatory, and the settings
 * a party needs to embed the pledge on its own website.
 *
 * A version's content never changes once written, and a signature is never changed or removed:
 * both are public records (offentlighetsprincipen, arkivlagen). Triggers enforce that in both
 * databases, so no code path, however wrong, can rewrite what was signed.
 */
export function signing({ dialect, timestamp }: MigrationContext) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('pledge_version')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pledge_id', 'text', (c) => c.notNull().references('pledge.id'))
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) =>
          c.notNull().check(sql.raw(`state in ('awaiting_signatures', 'signed', 'superseded', 'withdrawn')`)),
        )
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('starts_on', 'date', (c) => c.notNull())
        .addColumn('ends_on', 'date', (c) => c.notNull())
        .addColumn('period_slug', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('frozen_at', timestamp, (c) => c.notNull())
        .addColumn('frozen_by', 'text', (c) => c.notNull())
        .addColumn('signed_at', timestamp)
        .addColumn('closed_at', timestamp)
        .addColumn('meeting_on', 'date')
        .addColumn('meeting_kind', 'text', (c) => c.check(sql.raw(`meeting_kind in ('digital', 'physical')`)))
        .addColumn('meeting_note', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addUniqueConstraint('pledge_version_number', ['pledge_id', 'number'])
        .execute();
      await db.schema.createIndex('pledge_version_by_hash').on('pledge_version').column('content_hash').execute();
      await db.schema.createIndex('pledge_version_by_state').on('pledge_version').columns(['state', 'pledge_id']).execute();

      await db.schema
        .createTable('signature')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('version_id', 'text', (c) => c.notNull().references('pledge_version.id'))
        .addColumn('signatory_id', 'text', (c) => c.notNull())
        .addColumn('party_id', 'text', (c) => c.notNull().references('party.id'))
        .addColumn('user_id', 'text', (c) => c.references('app_user.id'))
        .addColumn('signer_name', 'text', (c) => c.notNull())
        .addColumn('role_title', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('signed_at', timestamp, (c) => c.notNull())
        .addColumn('evidence_json', 'text')
        .addUniqueConstraint('signature_once_per_signatory', ['version_id', 'signatory_id'])
        .addUniqueConstraint('signature_once_per_person', ['version_id', 'user_id'])
        .execute();

      await db.schema.alterTable('signatory').addColumn('user_id', 'text', (c) => c.references('app_user.id')).execute();

      await db.schema.alterTable('party').addColumn('embed_origins', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('party').addColumn('embed_accent_color', 'text').execute();
      await db.schema.alterTable('party').addColumn('embed_logo_url', 'text').execute();
      await db.schema.alterTable('party').addColumn('embed_heading_level', 'integer', (c) => c.notNull().defaultTo(2)).execute();

      const frozen = `new.document <> old.document or new.content_hash <> old.content_hash or new.pledge_id <> old.pledge_id or new.number <> old.number`;
      if (dialect === 'postgres') {
        await sql`create function pledge_version_frozen() returns trigger language plpgsql as $$
          begin
            if tg_op = 'DELETE' then raise exception 'pledge_version rows are never deleted'; end if;
            if ${sql.raw(frozen)} then raise exception 'a frozen pledge_version cannot change'; end if;
            return new;
          end $$`.execute(db);
        await sql`create trigger pledge_version_frozen before update or delete on pledge_version
          for each row execute function pledge_version_frozen()`.execute(db);
        await sql`create function signature_append_only() returns trigger language plpgsql as $$
          begin raise exception 'signature is append-only'; end $$`.execute(db);
        await sql`create trigger signature_append_only before update or delete on signature
          for each row execute function signature_append_only()`.execute(db);
      } else {
        await sql`create trigger pledge_version_no_delete before delete on pledge_version
          begin select raise(abort, 'pledge_version rows are never deleted'); end`.execute(db);
        await sql`create trigger pledge_version_frozen before update on pledge_version
          when ${sql.raw(frozen)}
          begin select raise(abort, 'a frozen pledge_version cannot change'); end`.execute(db);
        await sql`create trigger signature_no_update before update on signature
          begin select raise(abort, 'signature is append-only'); end`.execute(db);
        await sql`create trigger signature_no_delete before delete on signature
          begin select raise(abort, 'signature is append-only'); end`.execute(db);
      }
    },
  };
}
