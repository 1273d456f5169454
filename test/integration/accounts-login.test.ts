import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUser,
  LOCK_MS,
  resolveSession,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  startSession,
  THROTTLE_WINDOW_MS,
  tokenId,
} from '../../src/features/accounts/account-service.js';
import type { User } from '../../src/features/accounts/user.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { openApp, type TestApp } from '../support/app.js';
import { csrfFor } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality } from '../support/factories.js';

const PASSWORD = 'en lång och bra lösenfras';
const LOCKED = 'Kontot är tillfälligt låst efter flera misslyckade försök.';
const THROTTLED = 'För många inloggningsförsök. Vänta 15 minuter och försök igen.';

for (const target of targets) {
  describe.skipIf(target.skip)(`login, lock-out, throttling and logout on ${target.name}`, () => {
    let s: TestApp;
    let party: Party;
    let now = new Date('2026-11-27T12:00:00Z');
    const later = (ms: number) => (now = new Date(now.getTime() + ms));
    let ip = 0;

    beforeAll(async () => {
      s = await openApp(target, { demo: false, clock: () => now });
      party = await buildMunicipality(s.t.db);
    });
    afterAll(async () => s?.close());

    const user = (email: string, password: string | null = PASSWORD): Promise<User> =>
      createUser(s.t.db, { email, name: 'Anna Andersson', partyId: party.id, role: 'editor', password }, null, { actorLabel: 'test', now });

    /** Posts the login form as a browser would, from its own address so the tests don't share the per-IP throttle. */
    async function login(fields: Record<string, string>, opts: { from?: string; cookie?: string } = {}) {
      const c = await csrfFor(s.app, '/logga-in', opts.cookie);
      return s.app.inject({
        method: 'POST',
        url: '/logga-in',
        remoteAddress: opts.from ?? `10.0.0.${++ip}`,
        headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ...fields, _csrf: c.token }).toString(),
      });
    }

    it('signs in, sets an HttpOnly, Secure, SameSite=Lax session cookie and goes to next', async () => {
      const u = await user('anna@example.se');
      const res = await login({ email: '  Anna@Example.SE ', password: PASSWORD, next: '/admin/loften?sida=2' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/admin/loften?sida=2');
      const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)!;
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
      expect(String(res.headers['set-cookie'])).toMatch(/loften_session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax/);
      // Only a hash of the token is stored.
      const rows = await s.t.db.selectFrom('user_session').select(['id', 'method']).where('user_id', '=', u.id).execute();
      expect(rows).toEqual([{ id: tokenId(cookie.value), method: 'password' }]);
      const page = await s.app.inject({ url: '/logga-in', headers: { cookie: `${SESSION_COOKIE}=${cookie.value}` } });
      expect(page.statusCode).toBe(302);

      // An outside address as next is not followed.
      const elsewhere = await login({ email: 'anna@example.se', password: PASSWORD, next: '//evil.example/' });
      expect(elsewhere.headers.location).toBe('/admin');
    });

    it('refuses a wrong password with 401 and the Swedish message next to the field, keeping the e-mail', async () => {
      await user('bertil@example.se');
      const res = await login({ email: 'bertil@example.se', password: 'fel lösenord här', next: '/admin' });
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('<div class="field has-error"><label for="f-email">E-postadress</label>');
      expect(res.body).toContain('<p class="field-error" id="f-email-error"><span class="visually-hidden">Fel: </span>Fel e-postadress eller lösenord.</p>');
      expect(res.body).toContain('<div class="error-summary" role="alert"');
      expect(res.body).toContain('value="bertil@example.se"');
      expect(res.body).not.toContain('fel lösenord här');
      expect(res.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    });

    it('locks the account after 5 failures, refusing even the right password, until the lock runs out', async () => {
      const u = await user('cecilia@example.se');
      for (let i = 1; i <= 5; i++) expect((await login({ email: 'cecilia@example.se', password: `fel nummer ${i} ok` })).statusCode).toBe(401);
      const locked = await login({ email: 'cecilia@example.se', password: PASSWORD });
      expect(locked.statusCode).toBe(429);
      expect(locked.body).toContain(LOCKED);
      // The client is told to come back when the lock runs out, not sooner.
      expect(locked.headers['retry-after']).toBe(String(LOCK_MS / 1000));
      const row = await s.t.db.selectFrom('app_user').select(['locked_until']).where('id', '=', u.id).executeTakeFirstOrThrow();
      expect(Date.parse(row.locked_until!)).toBe(now.getTime() + LOCK_MS);

      later(LOCK_MS + 1000);
      const ok = await login({ email: 'cecilia@example.se', password: PASSWORD });
      expect(ok.statusCode).toBe(303);
      const after = await s.t.db.selectFrom('app_user').select(['failed_logins', 'locked_until']).where('id', '=', u.id).executeTakeFirstOrThrow();
      expect(after).toEqual({ failed_logins: 0, locked_until: null });
    });

    it('an address without an account "locks" after as many tries, so the lock tells nothing', async () => {
      for (let i = 1; i <= 5; i++) expect((await login({ email: 'ingen@example.se', password: `gissning ${i} ok!` })).statusCode).toBe(401);
      const sixth = await login({ email: 'ingen@example.se', password: 'gissning 6 ok!' });
      expect(sixth.statusCode).toBe(429);
      expect(sixth.body).toContain(LOCKED);
      expect(sixth.headers['retry-after']).toBe(String(LOCK_MS / 1000));
    });

    it('throttles an e-mail address after 10 attempts from any number of addresses, with 429', async () => {
      await user('david@example.se');
      const statuses: number[] = [];
      for (let i = 1; i <= 10; i++) statuses.push((await login({ email: 'david@example.se', password: `fel ${i} igen ok` })).statusCode);
      // 5 wrong passwords, then the lock; the throttle counts them all.
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
      const eleventh = await login({ email: 'david@example.se', password: PASSWORD });
      expect(eleventh.statusCode).toBe(429);
      expect(eleventh.body).toContain(THROTTLED);
      expect(eleventh.headers['retry-after']).toBe(String(THROTTLE_WINDOW_MS / 1000));
      const row = await s.t.db.selectFrom('login_throttle').select('attempts').where('key', '=', 'email:david@example.se').executeTakeFirstOrThrow();
      expect(row.attempts).toBe(11);

      // A new window, after the lock too: the right password works again.
      later(THROTTLE_WINDOW_MS + 1000);
      expect((await login({ email: 'david@example.se', password: PASSWORD })).statusCode).toBe(303);
    });

    it('throttles one IP address after 30 attempts in a window, whatever the e-mail', async () => {
      // 29 earlier attempts from this address, stored as another instance would have stored them.
      await s.t.db.insertInto('login_throttle').values({ key: 'ip:10.9.9.9', window_started_at: now.toISOString(), attempts: 29 }).execute();
      expect((await login({ email: 'okand1@example.se', password: 'x' }, { from: '10.9.9.9' })).statusCode).toBe(401);
      const refused = await login({ email: 'okand2@example.se', password: 'x' }, { from: '10.9.9.9' });
      expect(refused.statusCode).toBe(429);
      expect(refused.body).toContain(THROTTLED);
    });

    it('refuses a login post without a CSRF token, or without the CSRF cookie, with 403', async () => {
      const noToken = await s.app.inject({
        method: 'POST',
        url: '/logga-in',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=anna%40example.se&password=x',
      });
      expect(noToken.statusCode).toBe(403);
      const c = await csrfFor(s.app, '/logga-in');
      const noCookie = await s.app.inject({
        method: 'POST',
        url: '/logga-in',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ email: 'anna@example.se', password: PASSWORD, _csrf: c.token }).toString(),
      });
      expect(noCookie.statusCode).toBe(403);
      expect(noCookie.cookies.find((x) => x.name === SESSION_COOKIE)).toBeUndefined();
    });

    it('logs out: the session row is deleted and the cookie cleared', async () => {
      const u = await user('erik@example.se', null);
      const token = await startSession(s.t.db, u.id, 'password', now);
      const cookie = `${SESSION_COOKIE}=${token}`;
      const c = await csrfFor(s.app, '/glomt-losenord', cookie);
      const res = await s.app.inject({
        method: 'POST',
        url: '/logga-ut',
        headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: c.token }).toString(),
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/logga-in?utloggad=1');
      expect(res.cookies.find((x) => x.name === SESSION_COOKIE)?.value).toBe('');
      expect(await s.t.db.selectFrom('user_session').select('id').where('user_id', '=', u.id).execute()).toEqual([]);
      const again = await s.app.inject({ url: '/admin/anvandare', headers: { cookie } });
      expect(again.statusCode).toBe(303);
      expect(again.headers.location).toBe('/logga-in?next=%2Fadmin%2Fanvandare');
      expect((await s.app.inject({ url: '/logga-in?utloggad=1' })).body).toContain('Du är utloggad.');
    });

    it('ends a session after 8 idle hours, and an active one 12 hours after login', async () => {
      const u = await user('fia@example.se', null);
      const t0 = new Date('2026-12-01T08:00:00Z');
      const at = (h: number) => new Date(t0.getTime() + h * 3600_000);
      const active = await startSession(s.t.db, u.id, 'password', t0);
      expect(await resolveSession(s.t.db, active, at(7.99))).not.toBeNull();
      const idle = await startSession(s.t.db, u.id, 'password', t0);
      expect(await resolveSession(s.t.db, idle, at(SESSION_IDLE_MS / 3600_000 + 0.01))).toBeNull();

      const busy = await startSession(s.t.db, u.id, 'password', t0);
      for (let h = 1; h < SESSION_MAX_MS / 3600_000; h++) expect(await resolveSession(s.t.db, busy, at(h))).not.toBeNull();
      expect(await resolveSession(s.t.db, busy, at(SESSION_MAX_MS / 3600_000))).toBeNull();
    });
  });
}
