import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, RESET_MAILS_PER_EMAIL, startSession } from '../../src/features/accounts/account-service.js';
import type { User } from '../../src/features/accounts/user.js';
import { createMailer, MAX_ATTEMPTS } from '../../src/features/mail/mailer.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import type { Role } from '../../src/db/schema.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { openApp, type TestApp } from '../support/app.js';
import { postForm } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea } from '../support/factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp-server.js';

for (const target of targets) {
  describe.skipIf(target.skip)(`the mail outbox without SMTP on ${target.name}`, () => {
    let s: TestApp;
    let a: Party;
    let b: Party;
    const now = new Date('2026-11-27T12:00:00Z');
    let n = 0;

    beforeAll(async () => {
      s = await openApp(target, { demo: false, clock: () => now });
      a = await buildMunicipality(s.t.db, { name: 'Alingsås kommun' });
      b = await buildPoliceArea(s.t.db, { name: 'Lokalpolisområde Borås' });
    });
    afterAll(async () => s?.close());

    async function member(party: Party | null, role: Role | null, email = `person${++n}@example.se`): Promise<{ user: User; cookie: string }> {
      const user = await createUser(
        s.t.db,
        { email, name: `Person ${n}`, partyId: party?.id ?? null, role: party ? role : null, isSuperadmin: party === null },
        null,
        { actorLabel: 'test', now },
      );
      return { user, cookie: `${SESSION_COOKIE}=${await startSession(s.t.db, user.id, 'password', now)}` };
    }

    it('keeps a reset mail unsent in the outbox, and sends at most three per address and window', async () => {
      await member(a, 'editor', 'ivar@example.se');
      for (let i = 0; i < RESET_MAILS_PER_EMAIL + 1; i++) {
        const res = await postForm(s.app, '/glomt-losenord', '/glomt-losenord', { email: 'ivar@example.se' });
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain('Om adressen har ett konto har vi skickat en länk');
      }
      const rows = await s.t.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', 'ivar@example.se').execute();
      expect(rows).toHaveLength(RESET_MAILS_PER_EMAIL);
      for (const r of rows) {
        expect(r).toMatchObject({ sent_at: null, error: null, subject: 'Återställ ditt lösenord till Medborgarlöften', created_at: now.toISOString() });
        expect(r.body_text).toMatch(/http:\/\/127\.0\.0\.1:3000\/aterstall\/[A-Za-z0-9_-]{43}\n/);
      }
    });

    it('validates the address on the forgotten-password form, in Swedish, keeping the input', async () => {
      const res = await postForm(s.app, '/glomt-losenord', '/glomt-losenord', { email: 'inte en adress' });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('Ange en giltig e-postadress.');
      expect(res.body).toContain('value="inte en adress"');
    });

    it('shows an administrator the mail to their own party, readable, and nothing else', async () => {
      const adminA = await member(a, 'admin');
      const adminB = await member(b, 'admin');
      const page = await s.app.inject({ url: '/admin/utkorg', headers: { cookie: adminA.cookie } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<h1>Utkorg</h1>');
      expect(page.body).toContain('SMTP_URL är inte satt');
      expect(page.body).toContain('<td>ivar@example.se</td>');
      expect(page.body).toContain('<summary>Återställ ditt lösenord till Medborgarlöften</summary>');
      expect(page.body).toMatch(/<pre class="mail-body">Hej Person \d+!\n\nNågon, förhoppningsvis du,[\s\S]*\/aterstall\//);
      expect(page.body).toContain('Inte skickat');
      expect(page.body).toContain('27 nov. 2026 13:00');

      const other = await s.app.inject({ url: '/admin/utkorg', headers: { cookie: adminB.cookie } });
      expect(other.statusCode).toBe(200);
      expect(other.body).not.toContain('ivar@example.se');
      expect(other.body).toContain('Utkorgen är tom.');
    });

    it('shows a superadmin everything, and refuses editors and anonymous visitors', async () => {
      const root = await member(null, null, 'root@example.se');
      await s.t.db
        .insertInto('mail_outbox')
        .values({ id: crypto.randomUUID(), to_address: 'nobody@example.se', subject: 'Till ingen', body_text: 'x', created_at: now.toISOString(), dedupe_key: null })
        .execute();
      const all = await s.app.inject({ url: '/admin/utkorg', headers: { cookie: root.cookie } });
      expect(all.statusCode).toBe(200);
      expect(all.body).toContain('ivar@example.se');
      expect(all.body).toContain('nobody@example.se');

      const editor = await member(a, 'editor');
      expect((await s.app.inject({ url: '/admin/utkorg', headers: { cookie: editor.cookie } })).statusCode).toBe(403);
      const anonymous = await s.app.inject({ url: '/admin/utkorg' });
      expect(anonymous.statusCode).toBe(303);
      expect(anonymous.headers.location).toBe('/logga-in?next=%2Fadmin%2Futkorg');
    });

    it('enqueues a message with a dedupe key only once', async () => {
      const m = createMailer({ from: 'x@example.se' });
      expect(m.smtp).toBe(false);
      const first = await m.enqueue(s.t.db, { to: 'dup@example.se', subject: 'S', text: 'T', dedupeKey: 'k1' }, now);
      const second = await m.enqueue(s.t.db, { to: 'dup@example.se', subject: 'S', text: 'T', dedupeKey: 'k1' }, now);
      expect(first).toEqual(expect.any(String));
      expect(second).toBeNull();
      expect(await m.flush(s.t.db)).toBe(0);
    });
  });

  describe.skipIf(target.skip)(`delivering the outbox over SMTP on ${target.name}`, () => {
    let s: TestApp;
    let smtp: TestSmtp;
    const now = new Date('2026-11-27T12:00:00Z');

    beforeAll(async () => {
      smtp = await startSmtp();
      s = await openApp(target, { demo: false, clock: () => now });
    });
    afterAll(async () => {
      await s?.close();
      await smtp?.close();
    });

    const row = (id: string) => s.t.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    it('marks delivered rows sent; a refused one keeps its error, stays unsent and is retried a limited number of times', async () => {
      const mailer = createMailer({ smtpUrl: smtp.url, from: 'Medborgarlöften <no-reply@example.se>' });
      const bad = (await mailer.enqueue(s.t.db, { to: 'studsar@example.se', subject: 'Studs', text: 'Hej' }, new Date(now.getTime() - 1000)))!;
      const good = (await mailer.enqueue(s.t.db, { to: 'kommer-fram@example.se', subject: 'Hej då', text: 'Åäö' }, now))!;
      expect(await mailer.flush(s.t.db)).toBe(1);
      expect((await smtp.next('kommer-fram@example.se')).text.trim()).toBe('Åäö');
      expect((await row(good)).sent_at).not.toBeNull();
      expect((await row(good)).error).toBeNull();

      const failed = await row(bad);
      expect(failed.sent_at).toBeNull();
      expect(failed.error).toMatch(/^Försök 1 av 5: .*550/);

      expect(await mailer.flush(s.t.db)).toBe(0);
      expect((await row(bad)).error).toMatch(/^Försök 2 av 5: /);

      // After the last attempt the row is left alone: no more SMTP conversations about it.
      await s.t.db.updateTable('mail_outbox').set({ error: `Försök ${MAX_ATTEMPTS} av ${MAX_ATTEMPTS}: 550` }).where('id', '=', bad).execute();
      const seen = smtp.received.length;
      expect(await mailer.flush(s.t.db)).toBe(0);
      expect((await row(bad)).error).toBe(`Försök ${MAX_ATTEMPTS} av ${MAX_ATTEMPTS}: 550`);
      expect(smtp.received.length).toBe(seen);

      const root = await createUser(s.t.db, { email: 'root@example.se', name: 'Root', isSuperadmin: true }, null, { actorLabel: 'test', now });
      const cookie = `${SESSION_COOKIE}=${await startSession(s.t.db, root.id, 'password', now)}`;
      const page = await s.app.inject({ url: '/admin/utkorg', headers: { cookie } });
      expect(page.body).toMatch(/<span class="status">Fel<\/span><p class="field-error">Försök 5 av 5: 550<\/p>/);
      expect(page.body).toMatch(/<span class="status ok">Skickat<\/span>/);
    });

    it('keeps the error when the SMTP server cannot be reached', async () => {
      const mailer = createMailer({ smtpUrl: 'smtp://127.0.0.1:1', from: 'no-reply@example.se' });
      const id = (await mailer.enqueue(s.t.db, { to: 'nagon@example.se', subject: 'S', text: 'T' }, now))!;
      // Only unsent rows are picked up; this mailer also retries the refused row above, which fails here too.
      expect(await mailer.flush(s.t.db)).toBe(0);
      const r = await row(id);
      expect(r.sent_at).toBeNull();
      expect(r.error).toMatch(/^Försök 1 av 5: .*ECONNREFUSED/);
      await mailer.idle();
    });
  });
}
