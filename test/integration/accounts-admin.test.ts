import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, startSession, updateUser } from '../../src/features/accounts/account-service.js';
import type { Actor } from '../../src/features/access/policy.js';
import { createMailer } from '../../src/features/mail/mailer.js';
import type { User } from '../../src/features/accounts/user.js';
import { historyOf } from '../../src/features/audit/audit.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import type { Role } from '../../src/db/schema.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { openApp, type TestApp } from '../support/app.js';
import { postForm } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea } from '../support/factories.js';

for (const target of targets) {
  describe.skipIf(target.skip)(`user administration on ${target.name}`, () => {
    let s: TestApp;
    let a: Party;
    let b: Party;
    const now = new Date('2026-11-27T12:00:00Z');
    let n = 0;
    let adminA: Signed;
    let adminB: Signed;
    let editorA: Signed;
    let root: Signed;
    let userB: User;

    interface Signed {
      user: User;
      cookie: string;
    }

    async function member(party: Party | null, role: Role | null, name = `Person ${++n}`): Promise<Signed> {
      const user = await createUser(
        s.t.db,
        { email: `p${++n}.${target.name}@example.se`, name, partyId: party?.id ?? null, role: party ? role : null, isSuperadmin: party === null },
        null,
        { actorLabel: 'test', now },
      );
      return { user, cookie: `${SESSION_COOKIE}=${await startSession(s.t.db, user.id, 'password', now)}` };
    }

    const get = (url: string, who?: Signed) => s.app.inject({ url, headers: who ? { cookie: who.cookie } : {} });
    const post = (url: string, fields: Record<string, string>, who: Signed, formUrl = url) => postForm(s.app, formUrl, url, fields, who.cookie);
    const sessionsOf = async (id: string) => (await s.t.db.selectFrom('user_session').select('id').where('user_id', '=', id).execute()).length;
    const actions = async (id: string) => (await historyOf(s.t.db, 'user', id)).map((e) => e.action);

    beforeAll(async () => {
      s = await openApp(target, { demo: false, clock: () => now });
      a = await buildMunicipality(s.t.db, { name: 'Ödeshögs kommun' });
      b = await buildPoliceArea(s.t.db, { name: 'Lokalpolisområde Arboga' });
      adminA = await member(a, 'admin', 'Örjan Admin');
      editorA = await member(a, 'editor', 'Åsa Redaktör');
      adminB = await member(b, 'admin', 'Zlatan Admin');
      userB = (await member(b, 'viewer', 'Anders Läsare')).user;
      root = await member(null, null, 'Rut Root');
    });
    afterAll(async () => s?.close());

    it("lists the users of the administrator's own party, and no one else's", async () => {
      const res = await get('/admin/anvandare', adminA);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toContain('<h2 id="g-' + a.id + '">Ödeshögs kommun</h2>');
      expect(res.body.indexOf('>Åsa Redaktör</a>')).toBeLessThan(res.body.indexOf('>Örjan Admin</a>'));
      expect(res.body.indexOf('>Åsa Redaktör</a>')).toBeGreaterThan(0);
      expect(res.body).toContain('<td>Redaktör</td>');
      expect(res.body).not.toContain('Zlatan Admin');
      expect(res.body).not.toContain('Rut Root');
      expect(res.body).toContain('href="/admin/anvandare/ny"');
    });

    it('shows a superadmin every party, grouped and in Swedish order, superadmins first', async () => {
      const c = await buildMunicipality(s.t.db, { name: 'Älvsbyns kommun' });
      const d = await buildMunicipality(s.t.db, { name: 'Åmåls kommun' });
      await member(c, 'viewer', 'Zelda');
      await member(d, 'viewer', 'Östen');
      await buildMunicipality(s.t.db, { name: 'Tomma kommun' });
      const res = await get('/admin/anvandare', root);
      expect(res.statusCode).toBe(200);
      const order = ['Superadministratörer', 'Lokalpolisområde Arboga', 'Åmåls kommun', 'Älvsbyns kommun', 'Ödeshögs kommun'].map((t) => res.body.indexOf(`">${t}</h2>`));
      expect(order.every((i) => i > 0)).toBe(true);
      expect([...order].sort((x, y) => x - y)).toEqual(order);
      expect(res.body).not.toContain('Tomma kommun');
      expect(res.body.indexOf('>Anders Läsare</a>')).toBeLessThan(res.body.indexOf('>Zlatan Admin</a>'));
      expect(res.body).toContain('<td>Superadministratör</td>');
    });

    it('refuses users who may not manage accounts, and other parties, with 403', async () => {
      expect((await get('/admin/anvandare', editorA)).statusCode).toBe(403);
      expect((await get('/admin/anvandare/ny', editorA)).statusCode).toBe(403);
      expect((await get(`/admin/anvandare/${userB.id}`, adminA)).statusCode).toBe(403);
      expect((await get(`/admin/anvandare/${root.user.id}`, adminA)).statusCode).toBe(403);
      const edit = await post(`/admin/anvandare/${userB.id}`, { atgard: 'spara', name: 'Kapad', role: 'admin', version: '1' }, adminA, '/admin/anvandare');
      expect(edit.statusCode).toBe(403);
      const disable = await post(`/admin/anvandare/${userB.id}`, { atgard: 'inaktivera', version: '1' }, adminA, '/admin/anvandare');
      expect(disable.statusCode).toBe(403);
      const link = await post(`/admin/anvandare/${userB.id}`, { atgard: 'skicka-lank' }, adminA, '/admin/anvandare');
      expect(link.statusCode).toBe(403);
      const create = await post('/admin/anvandare/ny', { email: 'in@example.se', name: 'In', partyId: b.id, role: 'admin' }, adminA);
      expect(create.statusCode).toBe(403);
      const stored = await s.t.db.selectFrom('app_user').select(['name', 'role', 'disabled_at']).where('id', '=', userB.id).executeTakeFirstOrThrow();
      expect(stored).toEqual({ name: 'Anders Läsare', role: 'viewer', disabled_at: null });
      expect(await s.t.db.selectFrom('app_user').select('id').where('email', '=', 'in@example.se').execute()).toEqual([]);

      expect((await get('/admin/anvandare/inte-ett-id', adminA)).statusCode).toBe(400);
      expect((await get('/admin/anvandare/00000000-0000-4000-8000-000000000000', adminA)).statusCode).toBe(404);
      expect((await get('/admin/anvandare')).headers.location).toBe('/logga-in?next=%2Fadmin%2Fanvandare');
    });

    it('creates a user in the own party, with Swedish errors next to the fields and the input kept', async () => {
      const form = await get('/admin/anvandare/ny', adminA);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain(`<input type="hidden" name="partyId" value="${a.id}"/>`);

      const bad = await post('/admin/anvandare/ny', { email: 'inte-en-adress', name: '  ', partyId: a.id, role: 'kung', sendLink: 'ja' }, adminA);
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toContain('<div class="error-summary" role="alert"');
      expect(bad.body).toContain('<a href="#f-email">Ange en giltig e-postadress.</a>');
      expect(bad.body).toContain('<p class="field-error" id="f-email-error"><span class="visually-hidden">Fel: </span>Ange en giltig e-postadress.</p>');
      expect(bad.body).toContain('<p class="field-error" id="f-name-error"><span class="visually-hidden">Fel: </span>Ange ett namn.</p>');
      expect(bad.body).toContain('<p class="field-error" id="f-role-error"><span class="visually-hidden">Fel: </span>Välj en roll.</p>');
      expect(bad.body).toContain('value="inte-en-adress"');
      expect(bad.body).toMatch(/name="sendLink" value="ja" checked/);

      const ok = await post('/admin/anvandare/ny', { email: 'Ny.Person@Example.se', name: 'Ny Person', partyId: a.id, role: 'reporter', sendLink: 'ja' }, adminA);
      expect(ok.statusCode).toBe(303);
      const created = await s.t.db.selectFrom('app_user').selectAll().where('email', '=', 'ny.person@example.se').executeTakeFirstOrThrow();
      expect(created).toMatchObject({ name: 'Ny Person', party_id: a.id, role: 'reporter', is_superadmin: 0, password_hash: null, disabled_at: null });
      expect(ok.headers.location).toBe(`/admin/anvandare/${created.id}?klart=${encodeURIComponent('Ny Person är tillagd. En länk för att välja lösenord har skickats till ny.person@example.se.')}`);
      expect((await get(ok.headers.location as string, adminA)).body).toContain('Ny Person är tillagd.');

      const mail = await s.t.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', 'ny.person@example.se').executeTakeFirstOrThrow();
      expect(mail.subject).toBe('Välkommen till Medborgarlöften – välj ditt lösenord');
      expect(mail.body_text).toContain('för Ödeshögs kommun');
      const reset = await s.t.db.selectFrom('password_reset').selectAll().where('user_id', '=', created.id).executeTakeFirstOrThrow();
      expect(Date.parse(reset.expires_at) - now.getTime()).toBe(72 * 3600_000);

      const history = await historyOf(s.t.db, 'user', created.id);
      const create = history.find((e) => e.action === 'user.create')!;
      expect(create.actorUserId).toBe(adminA.user.id);
      expect(create.actorLabel).toBe(`Örjan Admin <${adminA.user.email}>`);
      expect(create.after).toMatchObject({ email: 'ny.person@example.se', role: 'reporter', partyId: a.id });
      expect(history.map((e) => e.action).sort()).toEqual(['user.create', 'user.password_link']);

      const dup = await post('/admin/anvandare/ny', { email: 'ny.person@example.se', name: 'Igen', partyId: a.id, role: 'viewer' }, adminA);
      expect(dup.statusCode).toBe(422);
      expect(dup.body).toContain('Det finns redan en användare med den e-postadressen.');
    });

    it('lets a superadmin choose the party, and asks for one', async () => {
      const form = await get('/admin/anvandare/ny', root);
      expect(form.body).toContain('<select id="f-partyId" name="partyId"');
      const missing = await post('/admin/anvandare/ny', { email: 'x@example.se', name: 'X', partyId: '', role: 'viewer' }, root);
      expect(missing.statusCode).toBe(422);
      expect(missing.body).toContain('<p class="field-error" id="f-partyId-error"><span class="visually-hidden">Fel: </span>Välj en part.</p>');
      const ok = await post('/admin/anvandare/ny', { email: 'x@example.se', name: 'X', partyId: b.id, role: 'viewer' }, root);
      expect(ok.statusCode).toBe(303);
    });

    it('changes name and role, with an audit row of before and after', async () => {
      const target = await member(a, 'viewer', 'Berit Bok');
      const form = await get(`/admin/anvandare/${target.user.id}`, adminA);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('<input type="hidden" name="version" value="1"/>');
      const res = await post(`/admin/anvandare/${target.user.id}`, { atgard: 'spara', name: 'Berit Bokström', role: 'editor', version: '1' }, adminA);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toContain('klart=');
      const row = await s.t.db.selectFrom('app_user').select(['name', 'role', 'version']).where('id', '=', target.user.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ name: 'Berit Bokström', role: 'editor', version: 2 });
      const update = (await historyOf(s.t.db, 'user', target.user.id)).find((e) => e.action === 'user.update')!;
      expect(update.actorUserId).toBe(adminA.user.id);
      expect(update.before).toEqual({ name: 'Berit Bok', role: 'viewer' });
      expect(update.after).toEqual({ name: 'Berit Bokström', role: 'editor' });

      const invalid = await post(`/admin/anvandare/${target.user.id}`, { atgard: 'spara', name: '', role: 'editor', version: '2' }, adminA);
      expect(invalid.statusCode).toBe(422);
      expect(invalid.body).toContain('<p class="field-error" id="f-name-error"><span class="visually-hidden">Fel: </span>Ange ett namn.</p>');
    });

    it('shows a stale edit the other change, keeps the input, and saves on the second try', async () => {
      const target = await member(a, 'viewer', 'Cilla Cykel');
      // Someone else saves first, from version 1 to 2.
      await updateUser({ db: s.t.db, clock: () => now, mailer: createMailer({ from: 'x@example.se' }) }, asActor(root.user), target.user.id, { name: 'Cilla Cyklist', role: 'viewer', version: 1 });

      const stale = await post(`/admin/anvandare/${target.user.id}`, { atgard: 'spara', name: 'Cecilia Cykel', role: 'reporter', version: '1' }, adminA);
      expect(stale.statusCode).toBe(409);
      expect(stale.body).toContain('<div class="conflict" role="alert"><h2>Någon annan har ändrat användaren medan du redigerade</h2>');
      expect(stale.body).toContain('<dt>Namn</dt><dd>Cilla Cyklist</dd>');
      expect(stale.body).toContain('<dt>Roll</dt><dd>Läsare</dd>');
      expect(stale.body).toContain('value="Cecilia Cykel"');
      expect(stale.body).toMatch(/<option value="reporter" selected>Rapportör<\/option>/);
      expect(stale.body).toContain('<input type="hidden" name="version" value="2"/>');
      expect((await s.t.db.selectFrom('app_user').select('name').where('id', '=', target.user.id).executeTakeFirstOrThrow()).name).toBe('Cilla Cyklist');

      const again = await post(`/admin/anvandare/${target.user.id}`, { atgard: 'spara', name: 'Cecilia Cykel', role: 'reporter', version: '2' }, adminA);
      expect(again.statusCode).toBe(303);
      const stored = await s.t.db.selectFrom('app_user').select(['name', 'role', 'version']).where('id', '=', target.user.id).executeTakeFirstOrThrow();
      expect(stored).toEqual({ name: 'Cecilia Cykel', role: 'reporter', version: 3 });

      // A stale disable is a conflict too.
      const staleDisable = await post(`/admin/anvandare/${target.user.id}`, { atgard: 'inaktivera', version: '2' }, adminA);
      expect(staleDisable.statusCode).toBe(409);
      expect((await s.t.db.selectFrom('app_user').select('disabled_at').where('id', '=', target.user.id).executeTakeFirstOrThrow()).disabled_at).toBeNull();
    });

    it('does not let administrators remove their own admin role or disable themselves', async () => {
      const own = `/admin/anvandare/${adminA.user.id}`;
      const page = await get(own, adminA);
      expect(page.body).toContain('Du kan inte inaktivera ditt eget konto.');
      expect(page.body).not.toContain('value="inaktivera"');
      const demote = await post(own, { atgard: 'spara', name: 'Örjan Admin', role: 'editor', version: '1' }, adminA);
      expect(demote.statusCode).toBe(422);
      expect(demote.body).toContain('<p class="field-error" id="f-role-error"><span class="visually-hidden">Fel: </span>Du kan inte ta bort din egen administratörsroll.');
      expect(demote.body).toMatch(/<option value="editor" selected>Redaktör<\/option>/);
      const disable = await post(own, { atgard: 'inaktivera', version: '1' }, adminA);
      expect(disable.statusCode).toBe(422);
      expect(disable.body).toContain('Du kan inte inaktivera ditt eget konto.');
      const me = await s.t.db.selectFrom('app_user').select(['role', 'disabled_at']).where('id', '=', adminA.user.id).executeTakeFirstOrThrow();
      expect(me).toEqual({ role: 'admin', disabled_at: null });
      // Renaming oneself is fine.
      expect((await post(own, { atgard: 'spara', name: 'Örjan Adminsson', role: 'admin', version: '1' }, adminA)).statusCode).toBe(303);
    });

    it('disables an account, ending its sessions and its password links, and enables it again, all audited', async () => {
      const target = await member(a, 'editor', 'Dan Dator');
      await startSession(s.t.db, target.user.id, 'password', now);
      expect(await sessionsOf(target.user.id)).toBe(2);
      expect((await post(`/admin/anvandare/${target.user.id}`, { atgard: 'skicka-lank' }, adminA)).statusCode).toBe(303);

      const res = await post(`/admin/anvandare/${target.user.id}`, { atgard: 'inaktivera', version: '1' }, adminA);
      expect(res.statusCode).toBe(303);
      expect(await sessionsOf(target.user.id)).toBe(0);
      const row = await s.t.db.selectFrom('app_user').select(['disabled_at', 'version']).where('id', '=', target.user.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ disabled_at: now.toISOString(), version: 2 });
      expect((await get('/admin/anvandare', target)).statusCode).toBe(303);
      const live = await s.t.db.selectFrom('password_reset').select('id').where('user_id', '=', target.user.id).where('expires_at', '>', now.toISOString()).execute();
      expect(live).toEqual([]);
      const page = await get(`/admin/anvandare/${target.user.id}`, adminA);
      expect(page.body).toContain('Inaktiverat');
      expect(page.body).toContain('value="aktivera"');

      expect((await post(`/admin/anvandare/${target.user.id}`, { atgard: 'aktivera', version: '2' }, adminA)).statusCode).toBe(303);
      expect((await s.t.db.selectFrom('app_user').select('disabled_at').where('id', '=', target.user.id).executeTakeFirstOrThrow()).disabled_at).toBeNull();

      const history = await historyOf(s.t.db, 'user', target.user.id);
      expect(history.map((e) => e.action).sort()).toEqual(['user.create', 'user.disable', 'user.enable', 'user.password_link']);
      const disable = history.find((e) => e.action === 'user.disable')!;
      expect(disable).toMatchObject({ actorUserId: adminA.user.id, before: { disabled: false }, after: { disabled: true } });
      // Never deleted: the row is still there.
      expect(await s.t.db.selectFrom('app_user').select('id').where('id', '=', target.user.id).execute()).toHaveLength(1);
    });
  });
}

function asActor(u: User): Actor {
  return { userId: u.id, name: u.name, email: u.email, partyId: u.partyId, role: u.role, isSuperadmin: u.isSuperadmin };
}
