import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createUser } from '../../src/features/accounts/account-service.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { saveSsoSettings } from '../../src/features/sso/sso-service.js';
import { claimValue, roleFromClaim } from '../../src/features/sso/sso.js';
import { csrfFor, postForm, signedInAs, type Session } from '../support/auth.js';
import { targets, type TestDatabase } from '../support/databases.js';
import { buildMunicipality } from '../support/factories.js';
import { browse, CookieJar, startOidcProvider, type TestIdp } from '../support/oidc-provider.js';

const CALLBACK = '/logga-in/sso/callback';

describe('role claims', () => {
  it('takes the highest-privileged valid role from a string or a list, case-insensitively', () => {
    expect(roleFromClaim(['viewer', 'admin', 'superuser'])).toBe('admin');
    expect(roleFromClaim(['Reporter', 'viewer'])).toBe('reporter');
    expect(roleFromClaim('editor')).toBe('editor');
    expect(roleFromClaim(['root', 42, null])).toBeNull();
    expect(roleFromClaim(undefined)).toBeNull();
  });

  it('reads a claim by exact name first, then by a dotted path', () => {
    expect(claimValue({ 'https://x.se/roles': 'admin' }, 'https://x.se/roles')).toBe('admin');
    expect(claimValue({ realm_access: { roles: ['editor'] } }, 'realm_access.roles')).toEqual(['editor']);
    expect(claimValue({ a: 1 }, 'a.b')).toBeUndefined();
  });
});

for (const target of targets) {
  describe.skipIf(target.skip)(`single sign-on through OpenID Connect on ${target.name}`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let base: string;
    let idp: TestIdp;
    let party: Party;
    let otherParty: Party;
    let root: Session;
    const adminPath = () => `/admin/parter/${party.id}/sso`;

    beforeAll(async () => {
      t = await target.open();
      app = await buildApp({ db: t.db, cookieSecure: false });
      await app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      idp = await startOidcProvider({
        redirectUris: [`${base}${CALLBACK}`],
        accounts: {
          anna: { email: 'Anna@Ssokoping.se', email_verified: true, name: 'Anna Andersson', roles: ['viewer', 'admin', 'superuser'] },
          bo: { email: 'bo@ssokoping.se', name: 'Bo Berg', roles: 'superuser' },
          cecilia: { email: 'cecilia@ssokoping.se', email_verified: false, roles: ['admin'] },
          dora: { email: 'dora@ssokoping.se', roles: ['admin'] },
          erik: { email: 'erik@ssokoping.se', roles: ['admin'] },
          root: { email: 'root@ssokoping.se', roles: ['admin'] },
          utan: { name: 'Utan Adress' },
          mallory: { email: 'mallory@annan.se', email_verified: true, roles: ['admin'] },
        },
      });
      party = await buildMunicipality(t.db, { name: 'Ssoköpings kommun', slug: 'ssokoping' });
      otherParty = await buildMunicipality(t.db, { name: 'Grannby kommun', slug: 'grannby' });
      root = await signedInAs(t.db, { superadmin: true });
      await saveSsoSettings(t.db, { userId: root.user.id, name: root.user.name, email: root.user.email, partyId: null, role: null, isSuperadmin: true }, party.id, {
        issuerUrl: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        defaultRole: 'editor',
        emailDomains: 'ssokoping.se, kommun.example',
        roleClaim: 'roles',
        enabled: '1',
      });
      const user = (email: string, over: { partyId?: string; role?: 'reporter' | 'admin'; isSuperadmin?: boolean }) =>
        createUser(t.db, { email, name: email, partyId: over.partyId ?? null, role: over.role ?? null, isSuperadmin: over.isSuperadmin ?? false }, null, { actorLabel: 'test' });
      await user('dora@ssokoping.se', { partyId: otherParty.id, role: 'admin' });
      await user('erik@ssokoping.se', { partyId: party.id, role: 'reporter' });
      await user('root@ssokoping.se', { isSuperadmin: true });
    });
    afterAll(async () => {
      await app?.close();
      await idp?.close();
      await t?.dispose();
    });

    const signIn = (login: string, next = adminPath(), extra: Partial<Parameters<typeof browse>[1]> = {}) =>
      browse(`${base}/logga-in/sso/ssokoping?next=${encodeURIComponent(next)}`, { idp, login, ...extra });
    const userByEmail = (email: string) => t.db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirst();
    const sessionsOf = (userId: string) => t.db.selectFrom('user_session').selectAll().where('user_id', '=', userId).execute();

    it('offers the party on the login page and answers unknown or disabled parties with 404', async () => {
      const login = await app.inject({ url: '/logga-in?next=/admin/loften' });
      expect(login.body).toContain('href="/logga-in/sso/ssokoping?next=%2Fadmin%2Floften"');
      expect(login.body).toContain('Ssoköpings kommun');
      for (const url of ['/logga-in/sso/okand', '/logga-in/sso/grannby']) {
        const res = await app.inject({ url });
        expect(res.statusCode).toBe(404);
        expect(res.body).toContain('<h1>Sidan finns inte</h1>');
      }
    });

    it('creates a new user on an allowed domain with the role from the claim, and lands signed in on `next`', async () => {
      const { hops, final, jar } = await signIn('anna');
      // App → IdP authorize (PKCE S256, state, nonce) → login → consent → app callback → next.
      const authorize = new URL(hops[0]!.location!);
      expect(authorize.origin).toBe(idp.issuer);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}${CALLBACK}`);
      expect(authorize.searchParams.get('nonce')).toBeTruthy();
      const callback = hops.find((h) => h.url.startsWith(`${base}${CALLBACK}?`))!;
      expect(callback.status).toBe(303);
      expect(callback.location).toBe(adminPath());

      expect(final.url).toBe(`${base}${adminPath()}`);
      expect(final.status).toBe(200);
      expect(final.body).toContain('Anna Andersson · ');
      expect(final.body).toContain('Inloggning med eget konto för Ssoköpings kommun');
      expect(jar.has('loften_session')).toBe(true);
      expect(jar.has('loften_sso_state')).toBe(false);

      const anna = (await userByEmail('anna@ssokoping.se'))!;
      expect(anna).toMatchObject({ name: 'Anna Andersson', party_id: party.id, role: 'admin', is_superadmin: 0, password_hash: null });
      expect((await sessionsOf(anna.id)).map((s) => s.method)).toEqual(['oidc']);
      const audit = await t.db.selectFrom('audit_event').selectAll().where('entity_id', '=', anna.id).execute();
      expect(audit.map((a) => [a.action, a.actor_label])).toEqual([['user.create', 'SSO']]);
      expect(await t.db.selectFrom('oidc_login').selectAll().execute()).toEqual([]);
    });

    it('refuses a replayed callback, an unknown or expired state, and a callback from another browser', async () => {
      const { hops, jar } = await signIn('anna', '/admin');
      const callbackUrl = hops.find((h) => h.url.startsWith(`${base}${CALLBACK}?`))!.url;
      const anna = (await userByEmail('anna@ssokoping.se'))!;
      const sessionsBefore = (await sessionsOf(anna.id)).length;

      const replay = await fetch(callbackUrl, { headers: { cookie: jar.header(new URL(callbackUrl)) }, redirect: 'manual' });
      const body = await replay.text();
      expect(replay.status).toBe(400);
      expect(body).toContain('<h1>Inloggningen misslyckades</h1>');
      expect(body).toContain('Inloggningen har gått ut eller har redan använts.');
      expect(body).not.toMatch(/Error|at \//);
      expect(replay.headers.getSetCookie().some((c) => c.startsWith('loften_session='))).toBe(false);
      expect((await sessionsOf(anna.id)).length).toBe(sessionsBefore);

      expect((await app.inject({ url: `${CALLBACK}?code=x&state=okand` })).statusCode).toBe(400);
      expect((await app.inject({ url: CALLBACK })).statusCode).toBe(400);

      await t.db
        .insertInto('oidc_login')
        .values({ state: 'gammal', party_id: party.id, code_verifier: 'v', nonce: 'n', return_to: '/admin', created_at: '2020-01-01T00:00:00.000Z', expires_at: '2020-01-01T00:10:00.000Z' })
        .execute();
      const expired = await app.inject({ url: `${CALLBACK}?code=x&state=gammal`, cookies: { loften_sso_state: 'gammal' } });
      expect(expired.statusCode).toBe(400);
      expect(expired.body).toContain('har gått ut');

      // Started in one browser, the callback link opened in another: no session for anyone.
      const started = await signIn('anna', '/admin', { stopBefore: (url) => url.startsWith(`${base}${CALLBACK}?`) });
      const elsewhere = await browse(started.stoppedAt!, { idp, login: 'anna', jar: new CookieJar() });
      expect(elsewhere.final.status).toBe(400);
      expect(elsewhere.final.body).toContain('Inloggningen startades inte i den här webbläsaren.');
      expect((await sessionsOf(anna.id)).length).toBe(sessionsBefore);
    });

    it('refuses an e-mail domain that is not allowed, and creates no user', async () => {
      const { final, jar } = await signIn('mallory');
      expect(final.url.startsWith(`${base}${CALLBACK}?`)).toBe(true);
      expect(final.status).toBe(403);
      expect(final.body).toContain('Adresser på @annan.se får inte logga in via Ssoköpings kommun.');
      expect(jar.has('loften_session')).toBe(false);
      expect(await userByEmail('mallory@annan.se')).toBeUndefined();
    });

    it('refuses users of another party, superadmins, unverified and missing e-mail; keeps an existing member`s role', async () => {
      const refused: [string, string][] = [
        ['dora', 'hör till ett konto hos en annan part'],
        ['root', 'loggar in med e-post och lösenord'],
        ['cecilia', 'inte bekräftad'],
        ['utan', 'skickade ingen e-postadress'],
      ];
      for (const [login, text] of refused) {
        const { final, jar } = await signIn(login);
        expect(final.status, login).toBe(403);
        expect(final.body, login).toContain(text);
        expect(jar.has('loften_session'), login).toBe(false);
      }
      expect(await userByEmail('cecilia@ssokoping.se')).toBeUndefined();

      // Erik exists as a reporter: the IdP's "admin" does not promote him, and he may not open the settings.
      const erik = await signIn('erik');
      expect(erik.final.status).toBe(403);
      expect(erik.jar.has('loften_session')).toBe(true);
      const erikRow = (await userByEmail('erik@ssokoping.se'))!;
      expect(erikRow.role).toBe('reporter');
      expect((await sessionsOf(erikRow.id)).map((s) => s.method)).toEqual(['oidc']);
    });

    it('falls back to the default role when the claim holds no valid role, and never redirects off-site', async () => {
      const { final, hops } = await signIn('bo', '//evil.example/');
      expect(hops.find((h) => h.url.startsWith(`${base}${CALLBACK}?`))!.location).toBe('/admin');
      expect(final.url.startsWith(base)).toBe(true);
      expect((await userByEmail('bo@ssokoping.se'))!.role).toBe('editor');
    });

    it('says so when the user cancels at the IdP, or the IdP cannot be reached', async () => {
      const cancelled = await signIn('anna', '/admin', { cancel: true });
      expect(cancelled.final.status).toBe(400);
      expect(cancelled.final.body).toContain('Inloggningen avbröts eller nekades');

      const down = await buildMunicipality(t.db, { name: 'Nerköpings kommun', slug: 'nerkoping' });
      await t.db
        .insertInto('party_sso')
        .values({ party_id: down.id, issuer_url: 'http://127.0.0.1:1', client_id: 'x', client_secret: null, email_domains: '', role_claim: null, default_role: 'viewer', enabled: 1, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' })
        .execute();
      const res = await app.inject({ url: '/logga-in/sso/nerkoping' });
      expect(res.statusCode).toBe(502);
      expect(res.body).toContain('svarar inte just nu');
    });

    it('completes the claims from userinfo for an IdP that keeps them out of the ID token', async () => {
      const strict = await startOidcProvider({
        redirectUris: [`${base}${CALLBACK}`],
        accounts: { frida: { email: 'frida@strikt.se', email_verified: true, name: 'Frida Fors', roles: ['reporter'] } },
        conformIdTokenClaims: true,
      });
      try {
        const p = await buildMunicipality(t.db, { name: 'Strikta kommun', slug: 'strikt' });
        await t.db
          .insertInto('party_sso')
          .values({ party_id: p.id, issuer_url: strict.issuer, client_id: strict.clientId, client_secret: strict.clientSecret, email_domains: 'strikt.se', role_claim: 'roles', default_role: 'viewer', enabled: 1, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' })
          .execute();
        const { final } = await browse(`${base}/logga-in/sso/strikt?next=/admin`, { idp: strict, login: 'frida' });
        expect(final.url.startsWith(`${base}/admin`)).toBe(true);
        expect(await userByEmail('frida@strikt.se')).toMatchObject({ name: 'Frida Fors', party_id: p.id, role: 'reporter' });
      } finally {
        await strict.close();
      }
    });

    describe('settings page', () => {
      let p: Party;
      let admin: Session;
      const path = () => `/admin/parter/${p.id}/sso`;
      const valid = { issuerUrl: 'https://login.grannby.se/realms/kommun', clientId: 'loften', clientSecret: 'topphemligt-123', defaultRole: 'viewer', emailDomains: 'grannby.se', roleClaim: 'roles', enabled: '1' };
      const stored = () => t.db.selectFrom('party_sso').selectAll().where('party_id', '=', p.id).executeTakeFirst();
      const audits = () => t.db.selectFrom('audit_event').selectAll().where('entity_type', '=', 'party_sso').where('entity_id', '=', p.id).orderBy('occurred_at').execute();

      beforeAll(async () => {
        p = await buildMunicipality(t.db, { name: 'Formby kommun', slug: 'formby' });
        admin = await signedInAs(t.db, { partyId: p.id, role: 'admin' });
      });

      it('is for the party`s admins and superadmins only', async () => {
        const editor = await signedInAs(t.db, { partyId: p.id, role: 'editor' });
        const otherAdmin = await signedInAs(t.db, { partyId: otherParty.id, role: 'admin' });
        expect((await app.inject({ url: path(), headers: { cookie: admin.cookie } })).statusCode).toBe(200);
        expect((await app.inject({ url: path(), headers: { cookie: root.cookie } })).statusCode).toBe(200);
        expect((await app.inject({ url: path(), headers: { cookie: editor.cookie } })).statusCode).toBe(403);
        expect((await app.inject({ url: path(), headers: { cookie: otherAdmin.cookie } })).statusCode).toBe(403);
        expect((await postForm(app, `/admin/parter/${otherParty.id}/sso`, path(), valid, otherAdmin.cookie)).statusCode).toBe(403);
        const anon = await app.inject({ url: path() });
        expect(anon.statusCode).toBe(303);
        expect(anon.headers.location).toBe(`/logga-in?next=${encodeURIComponent(path())}`);
        expect(await stored()).toBeUndefined();
      });

      it('rejects a bad issuer URL and a bad domain in Swedish next to the field, keeping the input', async () => {
        for (const [issuerUrl, message] of [
          ['http://login.grannby.se', 'Adressen måste börja med https://.'],
          ['inte en adress', 'Ange en giltig adress'],
        ] as const) {
          const res = await postForm(app, path(), path(), { ...valid, issuerUrl, clientId: 'min-klient', emailDomains: 'grannby.se, @fel' }, admin.cookie);
          expect(res.statusCode).toBe(422);
          const html = res.body;
          expect(html).toContain('Det finns fel i formuläret');
          expect(html).toMatch(new RegExp(`<a href="#f-issuerUrl">${message}`));
          expect(html).toMatch(new RegExp(`id="f-issuerUrl-error"><span class="visually-hidden">Fel: </span>${message}`));
          expect(html).toContain('id="f-emailDomains-error"');
          expect(html).toContain('Det här är inte en giltig domän: @fel.');
          expect(html).toContain(`value="${issuerUrl}"`);
          expect(html).toContain('value="min-klient"');
          expect(html).toContain('value="grannby.se, @fel"');
          expect(html).not.toContain('topphemligt');
        }
        expect(await stored()).toBeUndefined();
      });

      it('creates and updates with an audit row where the secret is masked; an empty secret keeps it', async () => {
        const created = await postForm(app, path(), path(), valid, admin.cookie);
        expect(created.statusCode).toBe(303);
        const page = await app.inject({ url: created.headers.location as string, headers: { cookie: admin.cookie } });
        expect(page.body).toContain('Inställningarna för inloggning är sparade.');
        expect(page.body).toContain('En hemlighet är sparad och visas inte.');
        expect(page.body).not.toContain('topphemligt');
        expect(page.body).toContain('name="version" value="1"');

        const updated = await postForm(app, path(), path(), { ...valid, clientSecret: '', clientId: 'loften-2', emailDomains: 'Grannby.se,polisen.se', enabled: '', version: '1' }, admin.cookie);
        expect(updated.statusCode).toBe(303);
        expect(await stored()).toMatchObject({ client_id: 'loften-2', client_secret: 'topphemligt-123', email_domains: 'grannby.se,polisen.se', enabled: 0, version: 2 });

        const [create, update] = await audits();
        expect(create).toMatchObject({ action: 'party_sso.create', actor_user_id: admin.user.id, before_json: null });
        expect(JSON.parse(create!.after_json!)).toMatchObject({ issuerUrl: valid.issuerUrl, clientId: 'loften', clientSecret: '***', enabled: true });
        expect(update).toMatchObject({ action: 'party_sso.update' });
        expect(JSON.parse(update!.before_json!)).toMatchObject({ clientId: 'loften', clientSecret: '***', version: 1 });
        expect(JSON.parse(update!.after_json!)).toMatchObject({ clientId: 'loften-2', clientSecret: '***', enabled: false, version: 2 });
        for (const a of [create!, update!]) expect(`${a.before_json}${a.after_json}`).not.toContain('topphemligt');
      });

      it('does not let a stale save overwrite: shows a conflict and keeps the user`s input', async () => {
        const before = (await stored())!;
        const res = await postForm(app, path(), path(), { ...valid, clientId: 'min-ändring', clientSecret: 'ny-hemlighet', version: String(before.version - 1) }, admin.cookie);
        expect(res.statusCode).toBe(409);
        expect(res.body).toContain('Någon annan har ändrat inställningarna medan du redigerade');
        expect(res.body).toContain('<dd>loften-2</dd>');
        expect(res.body).toContain('value="min-ändring"');
        expect(res.body).not.toContain('ny-hemlighet');
        expect(res.body).toContain(`name="version" value="${before.version}"`);
        expect(await stored()).toEqual(before);
        expect((await audits()).length).toBe(2);

        // A create when someone else created first is the same conflict.
        const fresh = await postForm(app, path(), path(), { ...valid, version: '' }, admin.cookie);
        expect(fresh.statusCode).toBe(409);

        // Saving again from the conflict page is a deliberate overwrite.
        const again = await postForm(app, path(), path(), { ...valid, clientId: 'min-ändring', version: String(before.version) }, admin.cookie);
        expect(again.statusCode).toBe(303);
        const after = (await stored())!;
        expect(after).toMatchObject({ client_id: 'min-ändring', client_secret: 'topphemligt-123', version: before.version + 1 });
        expect(JSON.parse((await audits())[2]!.after_json!)).toMatchObject({ clientSecretReplaced: true });
      });

      it('keeps CSRF on the settings form', async () => {
        const { cookie } = await csrfFor(app, path(), admin.cookie);
        const res = await app.inject({ method: 'POST', url: path(), headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(valid).toString() });
        expect(res.statusCode).toBe(403);
      });
    });
  });
}
