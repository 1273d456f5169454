import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyOfPledge } from '../../src/features/audit/audit.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { listSignatures, listVersionsOfPledge } from '../../src/features/signing/version-repo.js';
import { openApp, type TestApp } from '../support/app.js';
import { postForm, signedInAs, type Session } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';

const PASSWORD = 'rätt häst batteri häftklammer';

for (const target of targets) {
  describe.skipIf(target.skip)(`signing a pledge on ${target.name}`, () => {
    let s: TestApp;
    let municipality: Party;
    let police: Party;
    let coordinator: Session;
    let director: Session;
    let chief: Session;
    let pledgeId: string;

    beforeAll(async () => {
      s = await openApp(target, { demo: false });
      municipality = await buildMunicipality(s.t.db, { name: 'Signeringskommun', slug: 'signeringskommun' });
      police = await buildPoliceArea(s.t.db);
      coordinator = await signedInAs(s.t.db, { partyId: municipality.id, role: 'editor' });
      director = await signedInAs(s.t.db, { partyId: municipality.id, role: 'viewer', password: PASSWORD });
      chief = await signedInAs(s.t.db, { partyId: police.id, role: 'viewer', password: PASSWORD });
      const draft = await createPledge(s.t.db, pledgeInput(municipality, police, { state: 'draft', title: 'Löftet som ska skrivas under' }));
      pledgeId = draft.id;
    });
    afterAll(async () => s?.close());

    const get = (url: string, cookie = '') => s.app.inject({ url, headers: cookie ? { cookie } : {} });
    const signingPage = () => `/admin/loften/${pledgeId}/undertecknande`;
    const versions = () => listVersionsOfPledge(s.t.db, pledgeId);
    const linkAccounts = async () => {
      const draft = (await s.t.db.selectFrom('signatory').selectAll().where('pledge_id', '=', pledgeId).orderBy('position').execute()) as { id: string; party_id: string; name: string; role_title: string; version: number }[];
      for (const sig of draft) {
        const user = sig.party_id === police.id ? chief : director;
        const res = await postForm(s.app, `/admin/undertecknare/${sig.id}`, `/admin/undertecknare/${sig.id}`, { version: String(sig.version), partyId: sig.party_id, name: sig.name, roleTitle: sig.role_title, userId: user.user.id }, coordinator.cookie);
        expect(res.statusCode).toBe(303);
      }
    };
    const sign = (who: Session, versionId: string, fields: Record<string, string>) =>
      postForm(s.app, `/admin/versioner/${versionId}`, `/admin/versioner/${versionId}/underteckna`, fields, who.cookie);

    it('refuses to freeze until every signatory has an account of their own party to sign with', async () => {
      const page = await get(signingPage(), coordinator.cookie);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Pia Polischef har inget konto att skriva under med.');
      const res = await postForm(s.app, signingPage(), `/admin/loften/${pledgeId}/las`, {}, coordinator.cookie);
      expect(res.statusCode).toBe(422);
      expect(await versions()).toEqual([]);
      // A police account cannot sign for the municipality.
      const [kim] = await s.t.db.selectFrom('signatory').selectAll().where('pledge_id', '=', pledgeId).where('party_id', '=', municipality.id).execute();
      const wrong = await postForm(s.app, `/admin/undertecknare/${kim!.id}`, `/admin/undertecknare/${kim!.id}`, { version: String(kim!.version), partyId: municipality.id, name: kim!.name, roleTitle: kim!.role_title, userId: chief.user.id }, coordinator.cookie);
      expect(wrong.statusCode).toBe(422);
      expect(wrong.body).toContain('Välj ett aktivt konto hos den part personen undertecknar för.');
    });

    it('freezes the draft into version 1, locks the text, and still shows nothing to the public', async () => {
      await linkAccounts();
      const res = await postForm(s.app, signingPage(), `/admin/loften/${pledgeId}/las`, {}, coordinator.cookie);
      expect(res.statusCode).toBe(303);
      const [v1] = await versions();
      expect(v1).toMatchObject({ number: 1, state: 'awaiting_signatures', title: 'Löftet som ska skrivas under' });
      expect(v1!.contentHash).toMatch(/^[0-9a-f]{64}$/);
      // Frozen: the details form is refused, and so is a second freeze.
      expect((await get(`/admin/loften/${pledgeId}/uppgifter`, coordinator.cookie)).statusCode).toBe(403);
      expect((await postForm(s.app, signingPage(), `/admin/loften/${pledgeId}/las`, {}, coordinator.cookie)).statusCode).toBe(409);
      // Not signed yet: nothing public anywhere.
      expect((await get('/kommun/signeringskommun')).statusCode).toBe(404);
      expect((await get(`/api/v1/pledges/${pledgeId}`)).statusCode).toBe(404);
      expect((await get(`/v/${v1!.contentHash}`)).body).toContain('Det finns ingen undertecknad version med den kontrollsumman.');
    });

    it('refuses a signature over another hash, a wrong password, a missing confirmation, and anyone not designated', async () => {
      const [v1] = await versions();
      const hash = v1!.contentHash;
      const other = await sign(director, v1!.id, { confirm: 'yes', contentHash: 'f'.repeat(64), password: PASSWORD });
      expect(other.statusCode).toBe(409);
      expect(other.body).toContain('Versionen stämmer inte med den du fick visad');
      const wrong = await sign(director, v1!.id, { confirm: 'yes', contentHash: hash, password: 'fel' });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.body).toContain('Fel lösenord.');
      const unconfirmed = await sign(director, v1!.id, { contentHash: hash, password: PASSWORD });
      expect(unconfirmed.statusCode).toBe(422);
      expect(unconfirmed.body).toContain('Bekräfta att du har läst versionen');
      // The operator can do almost anything, but not sign in someone's name.
      const operator = await signedInAs(s.t.db, { superadmin: true });
      const byOperator = await s.app.inject({ method: 'GET', url: `/admin/versioner/${v1!.id}`, headers: { cookie: operator.cookie } });
      expect(byOperator.body).not.toContain('Skriv under version 1');
      expect((await sign(operator, v1!.id, { confirm: 'yes', contentHash: hash, password: PASSWORD })).statusCode).toBe(403);
      expect(await listSignatures(s.t.db, [v1!.id])).toEqual([]);
    });

    it('takes one signature per person, and publishes the version when the last one signs', async () => {
      const [v1] = await versions();
      const page = await get(`/admin/versioner/${v1!.id}`, director.cookie);
      expect(page.body).toContain('Skriv under version 1');
      expect(page.body).toContain(v1!.contentHash);
      expect((await sign(director, v1!.id, { confirm: 'yes', contentHash: v1!.contentHash, password: PASSWORD })).statusCode).toBe(303);
      const again = await sign(director, v1!.id, { confirm: 'yes', contentHash: v1!.contentHash, password: PASSWORD });
      expect(again.statusCode).toBe(409);
      expect(again.body).toContain('redan skrivit under');
      expect((await get('/kommun/signeringskommun')).statusCode).toBe(404);

      // The chief's dashboard lists what waits for them.
      expect((await get('/admin', chief.cookie)).body).toContain('Väntar på din underskrift');
      expect((await sign(chief, v1!.id, { confirm: 'yes', contentHash: v1!.contentHash, password: PASSWORD })).statusCode).toBe(303);

      const [signed] = await versions();
      expect(signed).toMatchObject({ state: 'signed' });
      const signatures = await listSignatures(s.t.db, [v1!.id]);
      expect(signatures.map((x) => [x.signerName, x.method, x.contentHash])).toEqual(
        expect.arrayContaining([
          ['Kim Kommundirektör', 'in_app_reauth', v1!.contentHash],
          ['Pia Polischef', 'in_app_reauth', v1!.contentHash],
        ]),
      );
      const row = await s.t.db.selectFrom('pledge').select('state').where('id', '=', pledgeId).executeTakeFirstOrThrow();
      expect(row.state).toBe('signed');
      const pub = await get('/kommun/signeringskommun');
      expect(pub.statusCode).toBe(200);
      expect(pub.body).toContain('Undertecknat 27 november 2026 av');
      expect(pub.body).toContain(v1!.contentHash.slice(0, 12));
      const verified = await get(`/v/${v1!.contentHash.slice(0, 12)}`);
      expect(verified.statusCode).toBe(200);
      expect(verified.body).toContain('Kontrollsumman hör till en undertecknad version.');
      expect(verified.body).toContain(v1!.contentHash);
      const actions = (await historyOfPledge(s.t.db, pledgeId)).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['pledge_version.freeze', 'signature.create', 'pledge_version.signed']));
    });

    it('records the signing meeting', async () => {
      const [v1] = await versions();
      const bad = await postForm(s.app, signingPage(), `/admin/versioner/${v1!.id}/mote`, { version: String(v1!.rowVersion), on: '2026-11-27', kind: '' }, coordinator.cookie);
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toContain('Välj digitalt eller fysiskt möte.');
      const ok = await postForm(s.app, signingPage(), `/admin/versioner/${v1!.id}/mote`, { version: String(v1!.rowVersion), on: '2026-11-26', kind: 'digital', note: '' }, coordinator.cookie);
      expect(ok.statusCode).toBe(303);
      expect((await get('/kommun/signeringskommun')).body).toContain('Undertecknat 26 november 2026 av');
      expect((await get('/kommun/signeringskommun')).body).toContain('vid ett digitalt möte');
    });

    it('amends through a new version: the old one stays public until the new one is signed by all', async () => {
      expect((await postForm(s.app, signingPage(), `/admin/loften/${pledgeId}/andra`, {}, coordinator.cookie)).statusCode).toBe(303);
      const details = await s.t.db.selectFrom('pledge').selectAll().where('id', '=', pledgeId).executeTakeFirstOrThrow();
      const edit = await postForm(s.app, `/admin/loften/${pledgeId}/uppgifter`, `/admin/loften/${pledgeId}/uppgifter`, { version: String(details.version), title: 'Det ändrade löftet', startsOn: details.starts_on, endsOn: details.ends_on, background: 'Nu med bakgrund.' }, coordinator.cookie);
      expect(edit.statusCode).toBe(303);
      // The draft amendment is invisible: the public still reads version 1.
      expect((await get('/kommun/signeringskommun')).body).toContain('Löftet som ska skrivas under');
      expect((await get('/kommun/signeringskommun')).body).not.toContain('Det ändrade löftet');
      expect((await get(`/api/v1/pledges/${pledgeId}`)).body).not.toContain('Det ändrade löftet');
      // Parts of a signed version cannot be removed in the amendment.
      const activity = await s.t.db
        .selectFrom('activity')
        .innerJoin('commitment', 'commitment.id', 'activity.commitment_id')
        .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
        .select(['activity.id', 'activity.owner_party_id'])
        .where('focus_area.pledge_id', '=', pledgeId)
        .where('activity.owner_party_id', '=', municipality.id)
        .executeTakeFirstOrThrow();
      const removal = await postForm(s.app, `/admin/loften/${pledgeId}`, `/admin/aktiviteter/${activity.id}/ta-bort`, {}, coordinator.cookie);
      expect(removal.statusCode).toBe(409);

      // Freeze version 2, withdraw it, freeze version 3: withdrawn versions never verify.
      await postForm(s.app, signingPage(), `/admin/loften/${pledgeId}/las`, {}, coordinator.cookie);
      const [v2] = await versions();
      expect(v2).toMatchObject({ number: 2, state: 'awaiting_signatures' });
      expect((await postForm(s.app, signingPage(), `/admin/versioner/${v2!.id}/dra-tillbaka`, {}, coordinator.cookie)).statusCode).toBe(303);
      expect((await versions())[0]!.state).toBe('withdrawn');
      expect((await sign(director, v2!.id, { confirm: 'yes', contentHash: v2!.contentHash, password: PASSWORD })).statusCode).toBe(409);
      await postForm(s.app, signingPage(), `/admin/loften/${pledgeId}/las`, {}, coordinator.cookie);
      const [v3] = await versions();
      expect(v3).toMatchObject({ number: 3, contentHash: v2!.contentHash });

      await sign(director, v3!.id, { confirm: 'yes', contentHash: v3!.contentHash, password: PASSWORD });
      expect((await get('/kommun/signeringskommun')).body).toContain('Löftet som ska skrivas under');
      await sign(chief, v3!.id, { confirm: 'yes', contentHash: v3!.contentHash, password: PASSWORD });

      const states = (await versions()).map((v) => [v.number, v.state]);
      expect(states).toEqual([
        [3, 'signed'],
        [2, 'withdrawn'],
        [1, 'superseded'],
      ]);
      const pub = await get('/kommun/signeringskommun');
      expect(pub.body).toContain('Det ändrade löftet');
      expect(pub.body).toContain('Alla undertecknade versioner och ändringar');
      const list = await get(`/kommun/signeringskommun/2024-2025/versioner`);
      expect(list.statusCode).toBe(200);
      expect(list.body).toContain('Version 3');
      expect(list.body).toContain('Version 1');
      expect(list.body).not.toContain('Version 2<');
      const v3page = await get(`/kommun/signeringskommun/2024-2025/versioner/3`);
      expect(v3page.body).toContain('Ändringar jämfört med version 1');
      expect(v3page.body).toContain('Löftet som ska skrivas under');
      expect(v3page.body).toContain('Det ändrade löftet');
      const v1page = await get(`/kommun/signeringskommun/2024-2025/versioner/1`);
      expect(v1page.body).toContain('Den här versionen har ersatts. Den gällande är version 3.');
      expect((await get(`/kommun/signeringskommun/2024-2025/versioner/2`)).statusCode).toBe(404);
    });

    it('keeps versions and signatures as written: the database refuses to change or delete them', async () => {
      const [v] = await versions();
      await expect(s.t.db.updateTable('pledge_version').set({ document: '{}' }).where('id', '=', v!.id).execute()).rejects.toThrow();
      await expect(s.t.db.updateTable('pledge_version').set({ content_hash: '0'.repeat(64) }).where('id', '=', v!.id).execute()).rejects.toThrow();
      await expect(s.t.db.deleteFrom('pledge_version').where('id', '=', v!.id).execute()).rejects.toThrow();
      await expect(s.t.db.deleteFrom('signature').where('version_id', '=', v!.id).execute()).rejects.toThrow();
      await expect(s.t.db.updateTable('signature').set({ signer_name: 'Någon annan' }).where('version_id', '=', v!.id).execute()).rejects.toThrow();
      expect((await listSignatures(s.t.db, [v!.id])).length).toBe(2);
    });

    it('answers verification of an unknown or malformed hash with a page, not an error', async () => {
      const unknown = await get(`/verifiera?kontrollsumma=${'a'.repeat(64)}`);
      expect(unknown.statusCode).toBe(200);
      expect(unknown.body).toContain('Det finns ingen undertecknad version med den kontrollsumman.');
      const malformed = await get('/verifiera?kontrollsumma=inte-en-summa');
      expect(malformed.statusCode).toBe(200);
      expect(malformed.body).toContain('En kontrollsumma består av 8–64 tecken');
      expect((await get('/v/xyz')).statusCode).toBe(200);
    });
  });
}

describe.skipIf(targets.some((t) => t.skip))('the content hash across databases', () => {
  it('is the same for the same pledge in SQLite and PostgreSQL', async () => {
    const hashes: string[] = [];
    for (const target of targets) {
      const t = await target.open();
      try {
        const municipality = await buildMunicipality(t.db, { name: 'Samma kommun', slug: 'samma', municipalityCode: '0999' });
        const police = await buildPoliceArea(t.db, { name: 'Samma LPO', slug: 'samma-lpo' });
        const p = await createPledge(t.db, pledgeInput(municipality, police, { background: 'Å, ä och ö; "citat" och \\ snedstreck.' }));
        const [v] = await listVersionsOfPledge(t.db, p.id);
        hashes.push(v!.contentHash);
      } finally {
        await t.dispose();
      }
    }
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[1]).toBe(hashes[0]);
  });
});
