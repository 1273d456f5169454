import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Executor } from '../../db/executor.js';

/**
 * All mail is written to the outbox table first, in the caller's transaction, then delivered by
 * SMTP when one is configured. Without SMTP the outbox is the delivery: admins read it in the UI.
 * A `dedupeKey` makes a message idempotent across retries and app instances (unique in the table).
 */

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  dedupeKey?: string;
}

export interface Mailer {
  /** Stores the message; returns its id, or null when a message with the same dedupe key exists. */
  enqueue(db: Executor, msg: MailMessage, now?: Date): Promise<string | null>;
  /** Sends what is unsent, when SMTP is configured. Returns how many were delivered. */
  flush(db: Executor): Promise<number>;
  readonly smtp: boolean;
}

export function createMailer(opts: { smtpUrl?: string; from: string }): Mailer {
  const transport = opts.smtpUrl ? nodemailer.createTransport(opts.smtpUrl) : null;
  return {
    smtp: transport !== null,
    async enqueue(db, msg, now = new Date()) {
      const id = randomUUID();
      const inserted = await db
        .insertInto('mail_outbox')
        .values({ id, dedupe_key: msg.dedupeKey ?? null, to_address: msg.to, subject: msg.subject, body_text: msg.text, created_at: now.toISOString() })
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted?.id ?? null;
    },
    async flush(db) {
      if (!transport) return 0;
      const pending = await db.selectFrom('mail_outbox').selectAll().where('sent_at', 'is', null).orderBy('created_at').limit(100).execute();
      let sent = 0;
      for (const m of pending) {
        // Claim the row first so a second instance flushing at the same time does not send it again.
        const claimed = await db
          .updateTable('mail_outbox')
          .set({ sent_at: new Date().toISOString(), error: null })
          .where('id', '=', m.id)
          .where('sent_at', 'is', null)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) continue;
        try {
          await transport.sendMail({ from: opts.from, to: m.to_address, subject: m.subject, text: m.body_text });
          sent++;
        } catch (err) {
          await db.updateTable('mail_outbox').set({ sent_at: null, error: (err as Error).message.slice(0, 500) }).where('id', '=', m.id).execute();
        }
      }
      return sent;
    },
  };
}

export async function listOutbox(db: Executor, limit = 100) {
  return db.selectFrom('mail_outbox').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
}
