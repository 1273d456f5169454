import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyOf } from '../../src/features/audit/audit.js';
import { findPartyRow } from '../../src/features/pledges/party-repo.js';
import { findPartyBySlug } from '../../src/features/pledges/pledge-repo.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { openApp, type TestApp } from '../support/app.js';
import { postForm, signedInAs, type Session } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea } from '../support/factories.js';

for (const target of targets) {
  describe.skipIf(target.skip)(`administering parties on ${target.name}`, () => {
    let s: TestApp;
    let operator: Session;
    let muniAdmin: Session;
    let muniEditor: Session;
    let municipality: Party;
    let police: Party;

    beforeAll(async () => {
      s = await openApp(target, { demo: false });
      municipality = await buildMunicipality(s.t.db, { name: 'Åtvidabergs kommun', websiteUrl: 'https://www.atvidaberg.se/' });
      police = await buildPoliceArea(s.t.db, { name: 'Lokalpolisområde Åtvidaberg' });
      operator = await signedInAs(s.t.db, { superadmin: true });
      muniAdmin = await signedInAs(s.t.db, { role: 'admin', partyId: municipality.id });
      muniEditor = await signedInAs(s.t.db, { role: 'editor', partyId: municipality.id });
    });
    afterAll(async () => s?.close());

    const NEW = '/admin/parter/ny';
    const newParty = (over: Record<string, string> = {}) => ({
      kind: 'municipality',
      name: 'Strängnäs kommun',
      slug: 'strangnas',
      municipalityCode: '0486',
      county: 'Södermanlands län',
      websiteUrl: 'https://www.strangnas.se/',
      ...over,
    });

    it('lets the operator create a party, audited, and says slug and kommunkod cannot change later', async () => {
      const form = await s.app.inject({ url: NEW, headers: { cookie: operator.cookie } });
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('Kan inte ändras när parten är skapad');
      const res = await postForm(s.app, NEW, NEW, newParty(), operator.cookie);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toMatch(/^\/admin\/parter\?klart=/);
      const created = await findPartyBySlug(s.t.db, 'strangnas');
      expect(created).toMatchObject({ kind: 'municipality', name: 'Strängnäs kommun', municipalityCode: '0486', county: 'Södermanlands län', websiteUrl: 'https://www.strangnas.se/' });
      const event = (await historyOf(s.t.db, 'party', created!.id)).find((e) => e.action === 'party.create');
      expect(event).toMatchObject({ action: 'party.create', actorUserId: operator.user.id, after: { slug: 'strangnas' } });
      const partner = await postForm(s.app, NEW, NEW, newParty({ kind: 'partner', name: 'Räddningstjänsten Strängnäs', slug: 'rtj-strangnas', municipalityCode: '', county: '', websiteUrl: '' }), operator.cookie);
      expect(partner.statusCode).toBe(303);
      expect(await findPartyBySlug(s.t.db, 'rtj-strangnas')).toMatchObject({ kind: 'partner', municipalityCode: null, county: null, websiteUrl: null });
    });

    it('shows Swedish errors next to each field and keeps the input', async () => {
      const res = await postForm(s.app, NEW, NEW, newParty({ name: '', slug: 'Åre kommun', municipalityCode: '', websiteUrl: 'javascript:alert(1)' }), operator.cookie);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('class="error-summary"');
      expect(res.body).toContain('href="#f-name">Ange ett namn.</a>');
      expect(res.body).toMatch(/id="f-slug-error"><span class="visually-hidden">Fel: <\/span>Adressnamnet får bara innehålla a–z, 0–9/);
      expect(res.body).toMatch(/id="f-municipalityCode-error"><span class="visually-hidden">Fel: <\/span>En kommun måste ha en kommunkod.<\/p>/);
      expect(res.body).toMatch(/id="f-websiteUrl-error"><span class="visually-hidden">Fel: <\/span>Ange en fullständig webbadress/);
      expect(res.body).toContain('value="Åre kommun"');
      expect(res.body).toContain('value="javascript:alert(1)"');
      const partnerWithCode = await postForm(s.app, NEW, NEW, newParty({ kind: 'partner', slug: 'bostadsbolaget', municipalityCode: '0486' }), operator.cookie);
      expect(partnerWithCode.statusCode).toBe(422);
      expect(partnerWithCode.body).toMatch(/id="f-municipalityCode-error">.*Bara kommuner har kommunkod/);
    });

    it('refuses a slug or a kommunkod that is already taken, with the message at the field', async () => {
      const slug = await postForm(s.app, NEW, NEW, newParty({ name: 'Annan kommun', slug: 'strangnas', municipalityCode: '0999' }), operator.cookie);
      expect(slug.statusCode).toBe(422);
      expect(slug.body).toMatch(/id="f-slug-error"><span class="visually-hidden">Fel: <\/span>Adressnamnet används redan av en annan part.<\/p>/);
      expect(slug.body).toContain('value="Annan kommun"');
      const code = await postForm(s.app, NEW, NEW, newParty({ name: 'Annan kommun', slug: 'annan', municipalityCode: '0486' }), operator.cookie);
      expect(code.statusCode).toBe(422);
      expect(code.body).toMatch(/id="f-municipalityCode-error"><span class="visually-hidden">Fel: <\/span>Det finns redan en kommun med den kommunkoden.<\/p>/);
      expect(await findPartyBySlug(s.t.db, 'annan')).toBeNull();
    });

    it('refuses to let a party admin create parties', async () => {
      const res = await postForm(s.app, '/admin/parter', NEW, newParty({ slug: 'smyg', municipalityCode: '0998' }), muniAdmin.cookie);
      expect(res.statusCode).toBe(403);
      expect(await findPartyBySlug(s.t.db, 'smyg')).toBeNull();
    });

    it('lists every party for the operator and only their own for a party admin', async () => {
      const all = await s.app.inject({ url: '/admin/parter', headers: { cookie: operator.cookie } });
      expect(all.statusCode).toBe(200);
      for (const name of ['Åtvidabergs kommun', 'Lokalpolisområde Åtvidaberg', 'Strängnäs kommun']) expect(all.body).toContain(name);
      expect(all.body).toContain('href="/admin/parter/ny"');
      const own = await s.app.inject({ url: '/admin/parter', headers: { cookie: muniAdmin.cookie } });
      expect(own.statusCode).toBe(200);
      expect(own.body).toContain(`href="/admin/parter/${municipality.id}"`);
      expect(own.body).not.toContain('Lokalpolisområde Åtvidaberg');
      expect(own.body).not.toContain('href="/admin/parter/ny"');
      expect((await s.app.inject({ url: '/admin/parter', headers: { cookie: muniEditor.cookie } })).statusCode).toBe(403);
      expect((await s.app.inject({ url: `/admin/parter/${police.id}`, headers: { cookie: muniAdmin.cookie } })).statusCode).toBe(403);
    });

    const editUrl = () => `/admin/parter/${municipality.id}`;

    it('lets the party admin edit name, county and website, never slug or kommunkod, with before and after audited', async () => {
      const page = await s.app.inject({ url: editUrl(), headers: { cookie: muniAdmin.cookie } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('kan inte ändras');
      expect(page.body).not.toContain('name="slug"');
      const res = await postForm(
        s.app,
        editUrl(),
        editUrl(),
        { version: '1', name: 'Åtvidabergs kommun (ny)', county: 'Östergötlands län', websiteUrl: 'https://atvidaberg.se/', slug: 'kapad', municipalityCode: '0001' },
        muniAdmin.cookie,
      );
      expect(res.statusCode).toBe(303);
      const row = await findPartyRow(s.t.db, municipality.id);
      expect(row).toMatchObject({ name: 'Åtvidabergs kommun (ny)', county: 'Östergötlands län', website_url: 'https://atvidaberg.se/', slug: municipality.slug, municipality_code: municipality.municipalityCode, version: 2 });
      // Found by action, not position: the party was created at the wall clock's time, the edit at
      // the test's fixed clock (noon), so which sorts first depends on the hour the test runs.
      const event = (await historyOf(s.t.db, 'party', municipality.id)).find((e) => e.action === 'party.update');
      expect(event).toMatchObject({
        action: 'party.update',
        actorUserId: muniAdmin.user.id,
        before: { name: 'Åtvidabergs kommun', county: 'Testlän', websiteUrl: 'https://www.atvidaberg.se/' },
        after: { name: 'Åtvidabergs kommun (ny)', county: 'Östergötlands län', websiteUrl: 'https://atvidaberg.se/' },
      });
    });

    it('answers a stale version with 409, the stored values and the input kept; saving again overwrites', async () => {
      const first = await postForm(s.app, editUrl(), editUrl(), { version: '2', name: 'Operatörens namn', county: '', websiteUrl: '' }, operator.cookie);
      expect(first.statusCode).toBe(303);
      const stale = await postForm(s.app, editUrl(), editUrl(), { version: '2', name: 'Adminens namn', county: 'Mitt län', websiteUrl: '' }, muniAdmin.cookie);
      expect(stale.statusCode).toBe(409);
      expect(stale.body).toContain('Någon annan har ändrat det här medan du redigerade');
      expect(stale.body).toContain('<dd>Operatörens namn</dd>');
      expect(stale.body).toContain('value="Adminens namn"');
      expect(stale.body).toContain('value="Mitt län"');
      expect(stale.body).toContain('name="version" value="3"');
      expect((await findPartyRow(s.t.db, municipality.id))?.name).toBe('Operatörens namn');
      const again = await postForm(s.app, editUrl(), editUrl(), { version: '3', name: 'Adminens namn', county: 'Mitt län', websiteUrl: '' }, muniAdmin.cookie);
      expect(again.statusCode).toBe(303);
      expect(await findPartyRow(s.t.db, municipality.id)).toMatchObject({ name: 'Adminens namn', county: 'Mitt län', website_url: null, version: 4 });
      const actions = (await historyOf(s.t.db, 'party', municipality.id)).map((e) => e.action);
      expect(actions.filter((a) => a === 'party.update')).toHaveLength(3);
    });

    it('shows Swedish errors on the edit form and keeps the input', async () => {
      const res = await postForm(s.app, editUrl(), editUrl(), { version: '4', name: '', county: 'Kvar', websiteUrl: 'www.utan-schema.se' }, muniAdmin.cookie);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('href="#f-name">Ange ett namn.</a>');
      expect(res.body).toMatch(/id="f-websiteUrl-error">.*Ange en fullständig webbadress som börjar med https:\/\//);
      expect(res.body).toContain('value="Kvar"');
      expect(res.body).toContain('value="www.utan-schema.se"');
      expect((await findPartyRow(s.t.db, municipality.id))?.version).toBe(4);
    });
  });
}
