import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import type { Executor } from '../../db/executor.js';

/**
 * All mail is written to the outbox table first, in the caller's transaction, then delivered by
 * SMTP when one is configured. Without SMTP the outbox is the delivery: admins read it in the UI.
 * A `dedupeKey` makes a message idempotent across retries and app instances (unique in the table).
 *
 * A row is unsent while `sent_at` is null. A failed delivery keeps the row unsent with the reason in
 * `error` ("Försök 2 av 5: …"); later flushes retry it, up to MAX_ATTEMPTS, after the fresh mail.
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
  /**
   * Sends what is unsent, when SMTP is configured. Returns how many were delivered. Calls are
   * queued one after the other within an instance; a row is claimed before sending, so two
   * instances never send the same row.
   */
  flush(db: Executor): Promise<number>;
  /** Resolves when no flush is running or queued: for shutdown and for tests. */
  idle(): Promise<void>;
  readonly smtp: boolean;
}

export const MAX_ATTEMPTS = 5;
const ATTEMPT = /^Försök (\d+) av \d+: /;

/** How many deliveries of a row have failed so far, read back from its error text. */
export function failedAttempts(error: string | null): number {
  if (!error) return 0;
  const m = ATTEMPT.exec(error);
  return m ? Number(m[1]) : 1;
}

/** nodemailer waits minutes by default; an unreachable relay should fail a flush in seconds. */
export function withTimeouts(smtpUrl: string): string {
  const u = new URL(smtpUrl);
  const defaults = { connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '30000' };
  for (const [k, v] of Object.entries(defaults)) if (!u.searchParams.has(k)) u.searchParams.set(k, v);
  return u.toString();
}

export function createMailer(opts: { smtpUrl?: string; from: string }): Mailer {
  const transport = opts.smtpUrl ? nodemailer.createTransport(withTimeouts(opts.smtpUrl)) : null;
  let queue: Promise<unknown> = Promise.resolve();

  async function flushNow(db: Executor): Promise<number> {
    if (!transport) return 0;
    const pending = await db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('sent_at', 'is', null)
      .where((eb) => eb.or([eb('error', 'is', null), eb('error', 'not like', `Försök ${MAX_ATTEMPTS} av %`)]))
      // Fresh mail first: a few undeliverable rows must not hold up a password link.
      .orderBy(sql`case when error is null then 0 else 1 end`)
      .orderBy('created_at')
      .limit(100)
      .execute();
    let sent = 0;
    for (const m of pending) {
      // Claim the row first so a second instance flushing at the same time does not send it again.
      const claimed = await db
        .updateTable('mail_outbox')
        .set({ sent_at: new Date().toISOString() })
        .where('id', '=', m.id)
        .where('sent_at', 'is', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue;
      try {
        await transport.sendMail({ from: opts.from, to: m.to_address, subject: m.subject, text: m.body_text });
        await db.updateTable('mail_outbox').set({ error: null }).where('id', '=', m.id).execute();
        sent++;
      } catch (err) {
        const reason = String((err as Error)?.message ?? err).replace(/\s+/g, ' ').trim();
        const error = `Försök ${failedAttempts(m.error) + 1} av ${MAX_ATTEMPTS}: ${reason}`.slice(0, 500);
        await db.updateTable('mail_outbox').set({ sent_at: null, error }).where('id', '=', m.id).execute();
      }
    }
    return sent;
  }

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
    flush(db) {
      const run = queue.then(() => flushNow(db));
      queue = run.catch(() => undefined);
      return run;
    },
    async idle() {
      let seen: Promise<unknown>;
      do {
        seen = queue;
        await seen;
      } while (seen !== queue);
    },
  };
}

/**
 * Starts a flush without waiting for it: a request must not wait for (or reveal the timing of) an
 * SMTP conversation. Failures stay in the outbox rows; only a database error gets here.
 */
export function deliverInBackground(mailer: Mailer, db: Executor, log: { error(obj: unknown, msg: string): void }): void {
  if (!mailer.smtp) return;
  mailer.flush(db).catch((err: unknown) => log.error({ err }, 'mail flush failed'));
}

export type OutboxStatus = 'sent' | 'unsent' | 'error';

export interface OutboxEntry {
  id: string;
  to: string;
  subject: string;
  body: string;
  createdAt: string;
  sentAt: string | null;
  error: string | null;
  status: OutboxStatus;
}

/**
 * The newest outbox rows, optionally only those addressed to accounts of `partyIds` (mail is
 * matched to its recipient's account by address). `all` includes mail to addresses without a party.
 */
export async function listOutbox(db: Executor, scope: { all: true } | { partyIds: readonly string[] } = { all: true }, limit = 200): Promise<OutboxEntry[]> {
  if ('partyIds' in scope && scope.partyIds.length === 0) return [];
  let q = db.selectFrom('mail_outbox').selectAll('mail_outbox');
  if ('partyIds' in scope) {
    const ids = scope.partyIds;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('app_user').select('app_user.id').whereRef('app_user.email', '=', 'mail_outbox.to_address').where('app_user.party_id', 'in', ids)),
    );
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    to: r.to_address,
    subject: r.subject,
    body: r.body_text,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    error: r.error,
    status: r.sent_at ? 'sent' : r.error ? 'error' : 'unsent',
  }));
}
