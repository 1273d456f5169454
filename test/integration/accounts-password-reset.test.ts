import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, startSession } from '../../src/features/accounts/account-service.js';
import { historyOf } from '../../src/features/audit/audit.js';
import { createMailer, type Mailer } from '../../src/features/mail/mailer.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { openApp, type TestApp } from '../support/app.js';
import { csrfFor, postForm } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality } from '../support/factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp-server.js';

const OLD = 'det gamla lösenordet';
const NEW = 'ett helt nytt lösenord';

for (const target of targets) {
  describe.skipIf(target.skip)(`password reset by e-mail through a real SMTP server on ${target.name}`, () => {
    let smtp: TestSmtp;
    let mailer: Mailer;
    let s: TestApp;
    let party: Party;
    const now = new Date('2026-11-27T12:00:00Z');

    beforeAll(async () => {
      smtp = await startSmtp();
      mailer = createMailer({ smtpUrl: smtp.url, from: 'Medborgarlöften <no-reply@loften.example.se>' });
      s = await openApp(target, { demo: false, clock: () => now, mailer, publicBaseUrl: 'https://loften.example.se' });
      party = await buildMunicipality(s.t.db);
    });
    afterAll(async () => {
      await s?.close();
      await smtp?.close();
    });

    const login = async (email: string, password: string) => {
      const c = await csrfFor(s.app, '/logga-in');
      return s.app.inject({
        method: 'POST',
        url: '/logga-in',
        remoteAddress: '10.1.1.1',
        headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ email, password, next: '/admin', _csrf: c.token }).toString(),
      });
    };

    it('mails a link, sets a new password with it once, signs the user out everywhere, and the new password works', async () => {
      const u = await createUser(s.t.db, { email: 'greta@example.se', name: 'Greta Gran', partyId: party.id, role: 'editor', password: OLD }, null, { actorLabel: 'test', now });
      const sessions = [await startSession(s.t.db, u.id, 'password', now), await startSession(s.t.db, u.id, 'password', now)];

      const asked = await postForm(s.app, '/glomt-losenord', '/glomt-losenord', { email: 'Greta@Example.se' });
      expect(asked.statusCode).toBe(200);
      expect(asked.body).toContain('Om adressen har ett konto har vi skickat en länk');

      const mail = await smtp.next('greta@example.se');
      expect(mail.from).toBe('no-reply@loften.example.se');
      expect(mail.subject).toBe('Återställ ditt lösenord till Medborgarlöften');
      expect(mail.text).toContain('Hej Greta Gran!');
      const link = /https:\/\/loften\.example\.se(\/aterstall\/[A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
      expect(link).toBeDefined();

      // Delivered: the outbox row says when, and has no error.
      await mailer.idle();
      const row = await s.t.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', 'greta@example.se').executeTakeFirstOrThrow();
      expect(row.sent_at).not.toBeNull();
      expect(row.error).toBeNull();
      expect(row.body_text).toBe(mail.text.replace(/\r\n/g, '\n').trimEnd() + '\n');

      const form = await s.app.inject({ url: link! });
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('<h1>Välj nytt lösenord</h1>');

      const tooShort = await postForm(s.app, link!, link!, { password: 'kort' });
      expect(tooShort.statusCode).toBe(422);
      expect(tooShort.body).toContain('<p class="field-error" id="f-password-error"><span class="visually-hidden">Fel: </span>Lösenordet måste ha minst 12 tecken.</p>');

      const done = await postForm(s.app, link!, link!, { password: NEW });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/logga-in?aterstallt=1');
      expect((await s.app.inject({ url: '/logga-in?aterstallt=1' })).body).toContain('Ditt lösenord är bytt.');

      // Every old session is gone, server-side.
      expect(await s.t.db.selectFrom('user_session').select('id').where('user_id', '=', u.id).execute()).toEqual([]);
      for (const token of sessions) {
        const r = await s.app.inject({ url: '/admin/anvandare', headers: { cookie: `${SESSION_COOKIE}=${token}` } });
        expect(r.headers.location).toMatch(/^\/logga-in\?next=/);
      }
      expect((await historyOf(s.t.db, 'user', u.id)).map((e) => e.action).sort()).toEqual(['user.create', 'user.password_reset']);

      expect((await login('greta@example.se', OLD)).statusCode).toBe(401);
      expect((await login('greta@example.se', NEW)).statusCode).toBe(303);

      // The link works once.
      const reused = await s.app.inject({ url: link! });
      expect(reused.statusCode).toBe(410);
      expect(reused.body).toContain('Länken har redan använts eller gått ut.');
      const c = await csrfFor(s.app, '/glomt-losenord');
      const again = await s.app.inject({
        method: 'POST',
        url: link!,
        headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ password: 'ännu ett nytt lösenord', _csrf: c.token }).toString(),
      });
      expect(again.statusCode).toBe(410);
      expect((await login('greta@example.se', NEW)).statusCode).toBe(303);
    });

    it('answers the same for an address without an account, and sends nothing', async () => {
      const before = smtp.received.length;
      const res = await postForm(s.app, '/glomt-losenord', '/glomt-losenord', { email: 'ingen.alls@example.se' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Om adressen har ett konto har vi skickat en länk');
      await mailer.idle();
      expect(smtp.received.length).toBe(before);
      expect(await s.t.db.selectFrom('mail_outbox').select('id').where('to_address', '=', 'ingen.alls@example.se').execute()).toEqual([]);
    });

    it('refuses a link that was never issued, and an expired one', async () => {
      const fake = await s.app.inject({ url: '/aterstall/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
      expect(fake.statusCode).toBe(410);

      await createUser(s.t.db, { email: 'hanna@example.se', name: 'Hanna', partyId: party.id, role: 'viewer' }, null, { actorLabel: 'test', now });
      await postForm(s.app, '/glomt-losenord', '/glomt-losenord', { email: 'hanna@example.se' });
      const link = /\/aterstall\/[A-Za-z0-9_-]{43}/.exec((await smtp.next('hanna@example.se')).text)![0];
      expect((await s.app.inject({ url: link })).statusCode).toBe(200);
      // An hour later (the clock is fixed, so the row is moved instead).
      await s.t.db.updateTable('password_reset').set({ expires_at: now.toISOString() }).execute();
      expect((await s.app.inject({ url: link })).statusCode).toBe(410);
    });
  });
}
