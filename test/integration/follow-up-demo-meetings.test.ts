import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/features/demo/seed.js';
import { openApp, type TestApp } from '../support/app.js';
import { targets } from '../support/databases.js';

const BASE = '/kommun/strangnas/2022-2023';

/** The demo's Brå meetings for Strängnäs 2022–2023: three a year, closed into reports built from the example updates. */
for (const target of targets) {
  describe.skipIf(target.skip)(`example Brå meetings on ${target.name}`, () => {
    let s: TestApp;
    beforeAll(async () => {
      s = await openApp(target);
    });
    afterAll(async () => s?.close());

    it('publishes six meeting reports and two year-end reports, labelled as example data', async () => {
      const list = await s.app.inject({ url: `${BASE}/uppfoljning` });
      expect(list.statusCode).toBe(200);
      for (const key of ['2022-04-12', '2022-09-13', '2022-12-13', '2023-04-11', '2023-09-12', '2023-12-12', 'ar-2022', 'ar-2023']) expect(list.body).toContain(`href="${BASE}/uppfoljning/${key}"`);
      expect(list.body).toContain('Exempeldata');
      const page = await s.app.inject({ url: BASE });
      expect(page.body).toContain('Senaste rapporten: Årsrapport 2023');
    });

    it('announces every report in the municipality’s Atom feed, beside the signed version', async () => {
      const feed = await s.app.inject({ url: '/kommun/strangnas/flode.atom' });
      expect(feed.statusCode).toBe(200);
      const entries = feed.body.split('<entry>').slice(1);
      expect(entries.filter((e) => e.includes('term="follow-up"'))).toHaveLength(8);
      expect(entries.filter((e) => e.includes('term="version"'))).toHaveLength(1);
      expect(feed.body).toContain(`${BASE}/uppfoljning/ar-2023`);
      // The same id on every request, so feed readers never see an entry twice.
      expect((await s.app.inject({ url: '/kommun/strangnas/flode.atom' })).body.match(/<id>[^<]+<\/id>/g)).toEqual(feed.body.match(/<id>[^<]+<\/id>/g));
    });

    it('builds each report from the example history: the delayed dog searches, the wastewater that goes quiet', async () => {
      const september = (await s.app.inject({ url: `${BASE}/uppfoljning/2022-09-13` })).body;
      expect(september).toContain('Jämfört med <a href="/kommun/strangnas/2022-2023/uppfoljning/2022-04-12">Uppföljning 12 april 2022</a>.');
      expect(september).toMatch(/<strong>Polisen genomför narkotikasök med hund på skolor i kommunen\.<\/strong>: Pågår → Försenad\. Skäl: Hundföraren var tjänstledig/);
      expect(september).toContain('Exempel: kommunpolisen');
      const autumn = (await s.app.inject({ url: `${BASE}/uppfoljning/2023-09-12` })).body;
      expect(autumn).toMatch(/Kommunen mäter avloppsvattnet[^]*?<strong class="flag">Ingen rapport \(senast uppföljd 4 april 2023\)<\/strong>/);
      const year = (await s.app.inject({ url: `${BASE}/uppfoljning/ar-2022` })).body;
      expect(year).toContain('Rapporten omfattar uppföljningar rapporterade 1 januari 2022 – 31 december 2022.');
    });

    it('adds nothing when the demo is seeded again', async () => {
      const count = async () => (await s.t.db.selectFrom('follow_up_report').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
      const before = Number(await count());
      expect(before).toBe(8);
      await seedDemo(s.t.db);
      expect(Number(await count())).toBe(before);
    });
  });
}
