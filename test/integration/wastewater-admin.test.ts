import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Party } from '../../src/features/pledges/pledge.js';
import { findImport } from '../../src/features/wastewater/import-repo.js';
import { STALE_AFTER_MS } from '../../src/features/wastewater/import-service.js';
import { listSites, loadMeasurements } from '../../src/features/wastewater/wastewater-repo.js';
import { openApp, type TestApp } from '../support/app.js';
import { csrfFor, postForm, signedInAs, type Session } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality } from '../support/factories.js';
import { multipartBody as multipart } from '../support/multipart.js';

/** The staff side over HTTP: upload → progress → preview → save or cancel, settings and sites. */

const CSV = [
  'site_code;district;population;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l;below_loq',
  'N1;Norra;12000;2024-04-02;3600;amfetamin;400;5;',
  'N1;Norra;12000;2024-04-02;3600;bensoylekgonin;150,5;1;',
  'S1;Södra;1500;2024-04-02;450;amfetamin;300;5;',
].join('\n');

for (const target of targets) {
  describe.skipIf(target.skip)(`wastewater admin on ${target.name}`, () => {
    let s: TestApp;
    let party: Party;
    let editor: Session;
    let viewer: Session;
    let admin: Session;

    beforeAll(async () => {
      s = await openApp(target, { demo: false });
      party = await buildMunicipality(s.t.db);
      editor = await signedInAs(s.t.db, { role: 'editor', partyId: party.id });
      viewer = await signedInAs(s.t.db, { role: 'viewer', partyId: party.id });
      admin = await signedInAs(s.t.db, { role: 'admin', partyId: party.id });
    });
    afterAll(async () => s?.close());

    async function upload(who: Session, content: string | Buffer, filename = 'labb.csv') {
      const c = await csrfFor(s.app, `/admin/avloppsvatten/${party.id}/import`, who.cookie);
      const body = multipart({ _csrf: c.token }, { name: 'file', filename, content });
      return s.app.inject({ method: 'POST', url: `/admin/avloppsvatten/${party.id}/import`, headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
    }

    it('uploads, reads in the background, previews, and saves only when confirmed', async () => {
      const res = await upload(editor, CSV);
      expect(res.statusCode).toBe(303);
      const page = res.headers.location as string;
      expect(page).toMatch(/^\/admin\/avloppsvatten\/import\/[0-9a-f-]{36}$/);
      await s.app.wastewaterJobs.drain();

      const preview = await s.app.inject({ url: page, headers: { cookie: editor.cookie } });
      expect(preview.statusCode).toBe(200);
      expect(preview.headers.refresh).toBeUndefined();
      expect(preview.body).toContain('Det här sparas om du godkänner');
      expect(preview.body).toMatch(/<dt>Nya mätvärden<\/dt><dd>3<\/dd>/);
      expect(preview.body).toMatch(/<dt>Nya mätpunkter<\/dt><dd>2<\/dd>/);
      expect(await loadMeasurements(s.t.db, party.id)).toEqual([]);

      // A viewer sees the preview but cannot save it.
      const asViewer = await s.app.inject({ url: page, headers: { cookie: viewer.cookie } });
      expect(asViewer.body).not.toContain('Spara i databasen');
      expect((await postForm(s.app, page, `${page}/spara`, {}, viewer.cookie)).statusCode).toBe(403);

      const saved = await postForm(s.app, page, `${page}/spara`, {}, editor.cookie);
      expect(saved.statusCode).toBe(303);
      await s.app.wastewaterJobs.drain();
      const done = await s.app.inject({ url: page, headers: { cookie: editor.cookie } });
      expect(done.body).toContain('Importen är sparad');
      expect(await loadMeasurements(s.t.db, party.id)).toHaveLength(3);
      // Saving twice is refused, not applied twice.
      const twice = await postForm(s.app, page, `${page}/spara`, {}, editor.cookie);
      expect(twice.statusCode).toBe(303);
      await s.app.wastewaterJobs.drain();
      expect(await loadMeasurements(s.t.db, party.id)).toHaveLength(3);
    });

    it('shows a bad file’s line, column and reason, and stores nothing', async () => {
      const res = await upload(editor, `${CSV}\nN1;;;2024-04-03;3600;heroin;12;1;`);
      await s.app.wastewaterJobs.drain();
      const page = await s.app.inject({ url: res.headers.location as string, headers: { cookie: editor.cookie } });
      expect(page.body).toContain('Filen kunde inte importeras. Inget har sparats.');
      expect(page.body).toContain('rad 5, kolumn substance: okänd substans');
      expect(await loadMeasurements(s.t.db, party.id)).toHaveLength(3);
    });

    it('refuses a spreadsheet that is not CSV, and a form without a file, next to the field', async () => {
      const xlsx = await upload(editor, Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]), 'labb.xlsx');
      await s.app.wastewaterJobs.drain();
      const page = await s.app.inject({ url: xlsx.headers.location as string, headers: { cookie: editor.cookie } });
      expect(page.body).toContain('Filen är inte en CSV-fil, den ser ut att vara en Excel-fil (.xlsx)');

      const c = await csrfFor(s.app, `/admin/avloppsvatten/${party.id}/import`, editor.cookie);
      const body = multipart({ _csrf: c.token }, { name: 'file', filename: '', content: '' });
      const none = await s.app.inject({ method: 'POST', url: `/admin/avloppsvatten/${party.id}/import`, headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
      expect(none.statusCode).toBe(422);
      expect(none.body).toContain('Välj en CSV-fil från labbet.');
      expect(none.body).toContain('aria-invalid="true"');
    });

    it('refuses an upload without a valid CSRF token before reading the file', async () => {
      const c = await csrfFor(s.app, `/admin/avloppsvatten/${party.id}/import`, editor.cookie);
      const body = multipart({ _csrf: 'fel' }, { name: 'file', filename: 'labb.csv', content: CSV });
      const res = await s.app.inject({ method: 'POST', url: `/admin/avloppsvatten/${party.id}/import`, headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
      expect(res.statusCode).toBe(403);
    });

    it('can cancel a read import, and reports progress with a refresh that can be switched off', async () => {
      const res = await upload(editor, CSV.replace('400', '410'));
      await s.app.wastewaterJobs.drain();
      const page = res.headers.location as string;
      const id = page.split('/').pop()!;
      const preview = await s.app.inject({ url: page, headers: { cookie: editor.cookie } });
      expect(preview.body).toMatch(/<dt>Rättade mätvärden<\/dt><dd>1<\/dd>/);
      expect(preview.body).toContain('<td>400, LOQ 5</td><td>410, LOQ 5</td>');
      const cancelled = await postForm(s.app, page, `${page}/avbryt`, {}, editor.cookie);
      expect(cancelled.statusCode).toBe(303);
      expect((await findImport(s.t.db, id))!.status).toBe('discarded');
      expect((await loadMeasurements(s.t.db, party.id)).find((r) => r.substance === 'amphetamine' && r.population === 12000)!.concentration).toBe(400);

      // An import that is still reading: the page says how far it got and refreshes itself.
      await s.t.db.updateTable('wastewater_import').set({ status: 'reading', rows_read: 40_000, bytes_read: 500, bytes_total: 1000, updated_at: '2026-11-27T11:59:00.000Z' }).where('id', '=', id).execute();
      const running = await s.app.inject({ url: page, headers: { cookie: editor.cookie } });
      expect(running.headers.refresh).toBe('2');
      expect(running.body).toContain('40\u00a0000 rader hittills (50 % av filen)');
      const still = await s.app.inject({ url: `${page}?uppdatera=nej`, headers: { cookie: editor.cookie } });
      expect(still.headers.refresh).toBeUndefined();
      // Reading that stopped reporting long ago was interrupted: any instance says so.
      const old = new Date(new Date('2026-11-27T12:00:00Z').getTime() - STALE_AFTER_MS - 1000).toISOString();
      await s.t.db.updateTable('wastewater_import').set({ updated_at: old }).where('id', '=', id).execute();
      const stale = await s.app.inject({ url: page, headers: { cookie: editor.cookie } });
      expect(stale.body).toContain('Inläsningen avbröts');
    });

    it('lets the municipality’s admin raise the threshold and rename a site, with an audit row each', async () => {
      const form = `/admin/avloppsvatten/${party.id}/installningar`;
      const low = await postForm(s.app, form, form, { version: '0', publicationThreshold: '1500', correctionSet: 'refined' }, admin.cookie);
      expect(low.statusCode).toBe(422);
      expect(low.body).toContain('Gränsen kan inte vara lägre än 2000 anslutna invånare.');
      expect(low.body).toContain('value="1500"');
      const ok = await postForm(s.app, form, form, { version: '0', publicationThreshold: '3 000', correctionSet: 'zuccato2008' }, admin.cookie);
      expect(ok.statusCode).toBe(303);
      const stale = await postForm(s.app, form, form, { version: '0', publicationThreshold: '4000', correctionSet: 'refined' }, admin.cookie);
      expect(stale.statusCode).toBe(409);
      // An editor may import but not decide what is published.
      expect((await postForm(s.app, '/glomt-losenord', form, { version: '1', publicationThreshold: '4000', correctionSet: 'refined' }, editor.cookie)).statusCode).toBe(403);

      const site = (await listSites(s.t.db, party.id)).find((x) => x.code === 'N1')!;
      const siteForm = `/admin/avloppsvatten/matpunkter/${site.id}`;
      const renamed = await postForm(s.app, siteForm, siteForm, { version: String(site.version), name: 'Norra verket', district: 'Norra', published: '1' }, admin.cookie);
      expect(renamed.statusCode).toBe(303);
      expect((await listSites(s.t.db, party.id)).find((x) => x.code === 'N1')!.name).toBe('Norra verket');
      const audit = await s.t.db.selectFrom('audit_event').select('action').where('action', 'like', 'wastewater.%').execute();
      expect(audit.map((a) => a.action).sort()).toEqual(['wastewater.import', 'wastewater.settings.update', 'wastewater.site.update']);
    });
  });
}
