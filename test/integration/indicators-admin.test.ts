import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listValues } from '../../src/features/indicators/indicator-repo.js';
import { openApp, type TestApp } from '../support/app.js';
import { csrfFor, postForm, signedInAs, type Session } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPledge } from '../support/factories.js';

/** The admin flow over HTTP, as a coordinator uses it: define, link, upload, preview, import, and the public pages after. */

function multipart(fields: Record<string, string>, file: { filename: string; content: string } | null) {
  const boundary = `----test${randomUUID()}`;
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  if (file) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n${file.content}\r\n`);
  return { payload: Buffer.from(`${parts.join('')}--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/[\s\u00a0]+/g, ' ');

for (const target of targets) {
  describe.skipIf(target.skip)(`indicator admin over HTTP on ${target.name}`, () => {
    let s: TestApp;
    let editor: Session;
    let built: Awaited<ReturnType<typeof buildPledge>>;
    let indicatorId: string;

    async function upload(fields: Record<string, string>, file: { filename: string; content: string } | null) {
      const c = await csrfFor(s.app, '/admin/indikatorer/import', editor.cookie);
      const body = multipart({ _csrf: c.token, ...fields }, file);
      return s.app.inject({ method: 'POST', url: '/admin/indikatorer/import', headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
    }

    /** The confirm form of a preview page, posted as the browser would. */
    async function confirm(previewHtml: string) {
      const hidden = Object.fromEntries([...previewHtml.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')]));
      const c = await csrfFor(s.app, '/admin/indikatorer/import', editor.cookie);
      return s.app.inject({
        method: 'POST',
        url: '/admin/indikatorer/import/spara',
        headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ...hidden, _csrf: c.token }).toString(),
      });
    }

    beforeAll(async () => {
      s = await openApp(target, { demo: false, today: '2024-05-02' });
      built = await buildPledge(s.t.db, { state: 'signed', startsOn: '2024-01-01', endsOn: '2025-12-31' });
      await buildMunicipality(s.t.db, { municipalityCode: '0428', name: 'Vingåkers kommun', slug: 'vingaker-admin' });
      await s.t.db.updateTable('party').set({ municipality_code: '0486' }).where('id', '=', built.municipality.id).execute();
      editor = await signedInAs(s.t.db, { role: 'editor', partyId: built.municipality.id });
    });
    afterAll(async () => s?.close());

    it('refuses a bad definition with Swedish messages next to the fields, keeping the input', async () => {
      const res = await postForm(s.app, '/admin/indikatorer/ny', '/admin/indikatorer/ny', { partyId: built.municipality.id, name: 'Andelen som känner sig otrygga', unit: 'percent', direction: 'down', source: 'kolada', koladaKpi: 'X', level: 'district', areaName: '', reportingLagMonths: 'tre' }, editor.cookie);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('Ange nyckeltalets id i Kolada: N eller U och fem siffror, t.ex. N07540.');
      expect(res.body).toContain('Ange vilken kommundel indikatorn mäter, t.ex. Mariefred.');
      expect(res.body).toMatch(/id="f-reportingLagMonths-error"[^>]*>.*Ange ett helt antal månader, 0–60\./s);
      expect(res.body).toContain('value="Andelen som känner sig otrygga"');
      expect(res.body).toContain('aria-invalid="true"');
    });

    it('defines an indicator and links it to a focus area of the signed pledge, checking the baseline against the unit', async () => {
      const created = await postForm(s.app, '/admin/indikatorer/ny', '/admin/indikatorer/ny', { partyId: built.municipality.id, name: 'Andelen som känner sig otrygga ute sent på kvällen', code: 'otrygghet', unit: 'percent', direction: 'down', source: 'trygghetsmatning', sourceDetail: 'Region Öst', level: 'municipality', reportingLagMonths: '3' }, editor.cookie);
      expect(created.statusCode).toBe(303);
      indicatorId = /\/admin\/indikatorer\/([0-9a-f-]{36})/.exec(created.headers.location as string)![1]!;

      const url = `/admin/indikatorer/${indicatorId}/kopplingar/ny`;
      const place = `fa:${built.pledge.focusAreas[0]!.id}`;
      const bad = await postForm(s.app, url, url, { place, baselineValue: '124', baselineYear: '2021', targetValue: '18', targetYear: '2019' }, editor.cookie);
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toContain('124 ligger utanför 0–100, som en andel i procent måste göra.');
      expect(bad.body).toContain('Målåret kan inte ligga före utgångsåret.');
      expect(bad.body).toContain('value="124"');
      const ok = await postForm(s.app, url, url, { place, baselineValue: '24', baselineYear: '2021', targetValue: '18', targetYear: '2025' }, editor.cookie);
      expect(ok.statusCode).toBe(303);
      const again = await postForm(s.app, url, url, { place, baselineValue: '24', baselineYear: '2021', targetValue: '', targetYear: '' }, editor.cookie);
      expect(again.statusCode).toBe(422);
      expect(again.body).toContain('Indikatorn är redan kopplad dit.');
    });

    it('refuses a Kolada file for another municipality, and values outside 0–100 with their row', async () => {
      const kolada = await upload({ partyId: built.municipality.id, format: 'kolada' }, { filename: 'vingaker.json', content: JSON.stringify({ values: [{ kpi: 'N07540', municipality: '0428', period: 2023, values: [{ gender: 'T', status: '', value: 7000 }] }] }) });
      expect(kolada.statusCode).toBe(422);
      expect(text(kolada.body)).toContain(`Post 1, kolumn municipality: Filen har värden för kommun 0428 (Vingåkers kommun), men du importerar till ${built.municipality.name} (0486).`);
      const csv = await upload({ partyId: built.municipality.id, format: 'csv' }, { filename: 'otrygghet.csv', content: 'indicator;period;value\notrygghet;2021;24\notrygghet;2023;190\n' });
      expect(csv.statusCode).toBe(422);
      expect(text(csv.body)).toContain('Rad 3, kolumn value: 190 ligger utanför 0–100, som en andel i procent måste göra. Inget har sparats.');
      expect(await listValues(s.t.db, indicatorId)).toEqual([]);
      const none = await upload({ partyId: built.municipality.id, format: 'csv' }, null);
      expect(none.statusCode).toBe(422);
      expect(none.body).toContain('Välj en fil att importera.');
    });

    it('previews, imports, shows the values publicly, and reports a re-import as nothing new and a changed figure as a correction', async () => {
      const preview = await upload({ partyId: built.municipality.id, format: 'csv' }, { filename: 'otrygghet.csv', content: 'indicator;period;value;gender;status\notrygghet;2021;24;T;final\notrygghet;2022;21,5;T;final\notrygghet;2023;19;T;preliminary\n' });
      expect(preview.statusCode).toBe(200);
      expect(text(preview.body)).toContain('3 nya, 0 rättelser, 0 ändrad status, 0 oförändrade.');
      expect(await listValues(s.t.db, indicatorId)).toEqual([]);
      const done = await confirm(preview.body);
      expect(done.statusCode).toBe(303);
      expect(decodeURIComponent(done.headers.location as string)).toContain('Importen är klar: 3 nya värden, 0 rättelser, 0 ändrade statusar, 0 oförändrade.');
      expect((await listValues(s.t.db, indicatorId)).map((v) => [v.period, v.value, v.status])).toEqual([
        ['2021', 24, 'final'],
        ['2022', 21.5, 'final'],
        ['2023', 19, 'preliminary'],
      ]);

      const pledgePage = await s.app.inject({ url: `/kommun/${built.municipality.slug}` });
      expect(text(pledgePage.body)).toContain('Andelen som känner sig otrygga ute sent på kvällen har minskat från 24 % (2021) till 19 % (2023, preliminärt); målet är 18 % år 2025.');
      const english = await s.app.inject({ url: `/kommun/${built.municipality.slug}?lang=en` });
      expect(text(english.body)).toContain('“Andelen som känner sig otrygga ute sent på kvällen” has decreased from 24% (2021) to 19% (2023, preliminary); the target is 18% by 2025.');
      const page = await s.app.inject({ url: `/indikatorer/${indicatorId}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('role="img"');
      expect(text(page.body)).toContain('Värdet för 2024 väntas tidigast april 2025.');

      const same = await upload({ partyId: built.municipality.id, format: 'csv' }, { filename: 'otrygghet.csv', content: 'indicator;period;value;status\notrygghet;2021;24;final\n' });
      expect(text(same.body)).toContain('Filen innehåller inget nytt: alla värden finns redan.');
      expect(same.body).not.toContain('/admin/indikatorer/import/spara');

      const corrected = await upload({ partyId: built.municipality.id, format: 'csv' }, { filename: 'otrygghet.csv', content: 'indicator;period;value;status\notrygghet;2022;22;final\notrygghet;2023;19;final\n' });
      expect(text(corrected.body)).toMatch(/Rättelser .* 2022: 21,5 % → 22 % \(rad 2\)/);
      expect(text(corrected.body)).toContain('2023: 19 % (preliminärt) → 19 %');
      expect((await confirm(corrected.body)).statusCode).toBe(303);
      const table = text((await s.app.inject({ url: `/indikatorer/${indicatorId}` })).body);
      expect(table).toMatch(/2022 22 % Rättat \d{4}-\d{2}-\d{2}, tidigare 21,5 %/);
      const csv = await s.app.inject({ url: `/indikatorer/${indicatorId}/varden.csv` });
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.body).toBe('\uFEFFindicator;period;value;gender;status\r\notrygghet;2021;24;T;final\r\notrygghet;2022;22;T;final\r\notrygghet;2023;19;T;final\r\n');
    });

    it('keeps an indicator off the public site until it is linked to a public pledge', async () => {
      const res = await postForm(s.app, '/admin/indikatorer/ny', '/admin/indikatorer/ny', { partyId: built.municipality.id, name: 'Olänkad', code: 'olankad', unit: 'count', direction: 'down', source: 'local', level: 'municipality' }, editor.cookie);
      const id = /([0-9a-f-]{36})/.exec(res.headers.location as string)![1]!;
      expect((await s.app.inject({ url: `/indikatorer/${id}` })).statusCode).toBe(404);
      expect((await s.app.inject({ url: `/indikatorer/${id}/varden.csv` })).statusCode).toBe(404);
      expect((await s.app.inject({ url: `/indikatorer/inte-ett-id` })).statusCode).toBe(404);
    });
  });
}
