import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { targets } from '../support/databases.js';
import { openApp, type TestApp } from '../support/app.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';

for (const target of targets) {
  describe.skipIf(target.skip)(`public pages on ${target.name}`, () => {
    let s: TestApp;
    beforeAll(async () => {
      s = await openApp(target);
    });
    afterAll(async () => s?.close());

    const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ method: 'GET', url, headers });

    it('lists the demo municipalities on the national index, in Swedish', async () => {
      const res = await get('/');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body.startsWith('<!doctype html><html lang="sv">')).toBe(true);
      expect(res.body).toContain('<title>Medborgarlöften i Sveriges kommuner – Medborgarlöften</title>');
      const order = ['Strängnäs kommun', 'Strömsunds kommun', 'Vingåkers kommun'].map((n) => res.body.indexOf(n));
      expect(order.every((i) => i > 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(res.body).toContain('href="/kommun/strangnas"');
    });

    it.each([
      ['strängnäs', ['Strängnäs kommun'], ['Vingåkers kommun']],
      ['STRÄNGNÄS', ['Strängnäs kommun'], ['Strömsunds kommun']],
      ['strangnas', ['Strängnäs kommun'], ['Vingåkers kommun']],
      ['vingå', ['Vingåkers kommun'], ['Strängnäs kommun']],
      ['ö', ['Strömsunds kommun'], ['Strängnäs kommun', 'Vingåkers kommun']],
    ])('searches by name with å, ä and ö: %s', async (q, present, absent) => {
      const res = await get(`/?q=${encodeURIComponent(q)}`);
      for (const name of present) expect(res.body).toContain(`>${name}</a>`);
      for (const name of absent) expect(res.body).not.toContain(`>${name}</a>`);
    });

    it('says so when nothing matches, and when nothing is in force today', async () => {
      expect((await get('/?q=g%C3%B6teborg')).body).toContain('Ingen kommun matchade sökningen');
      expect((await get('/?aktuella=1')).body).toContain('0 kommuner');
    });

    it('shows the Strängnäs pledge with parties, signatories, focus areas and owned activities', async () => {
      const res = await get('/kommun/strangnas');
      expect(res.statusCode).toBe(200);
      const html = res.body;
      expect(html).toContain('<h1>Medborgarlöfte för Strängnäs kommun 2022–2023</h1>');
      expect(html).toContain('Exempeldata');
      expect(html).toContain('Det finns inget medborgarlöfte som gäller i dag. Här visas det senaste, för 2022–2023.');
      expect(html).toContain('Christer Sjökvist, lokalpolisområdeschef, Lokalpolisområde Strängnäs');
      expect(html).toContain('Lars Ekström, kommundirektör, Strängnäs kommun');
      expect(html).toContain('<h2 id="fa-1">Ökad trygghet och minskad brottslighet</h2>');
      expect(html).toContain('<h2 id="fa-2">Trygg trafikmiljö</h2>');
      expect(html).toMatch(/narkotikasök med hund på skolor i kommunen.<\/td><td>Lokalpolisområde Strängnäs<\/td>/);
      expect(html).toMatch(/avloppsvattnet i olika kommundelar[^<]*<\/td><td>Strängnäs kommun<\/td>/);
      expect(html).toContain('Varje år vecka 47–48');
      expect(html).not.toContain('<script');
    });

    it('shows a specific period, and the same pledge as in force on a date inside it', async () => {
      const res = await get('/kommun/strangnas/2022-2023');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Det här löftet gällde 2022–2023 och är avslutat.');
      const inForce = await openApp(target, { today: '2022-06-01' });
      try {
        const r = await inForce.app.inject({ url: '/kommun/strangnas' });
        expect(r.body).toContain('Det här löftet gäller nu.');
        expect((await inForce.app.inject({ url: '/?aktuella=1' })).body).toContain('3 kommuner');
      } finally {
        await inForce.close();
      }
    });

    it('offers English as a second language and keeps it in links', async () => {
      const res = await get('/kommun/strangnas?lang=en');
      expect(res.body).toContain('<html lang="en">');
      expect(res.body).toContain('Parties');
      expect(res.body).toContain('href="/?lang=en"');
      expect(res.body).toContain('href="/kommun/strangnas" lang="sv"');
      expect((await get('/?lang=en')).body).toContain('Citizen pledges in Swedish municipalities');
    });

    it.each(['/kommun/okand', '/kommun/strangnas/2019', '/kommun/strangnas/tjugotjugo', '/kommun/STRANGNAS', '/kommun/lpo-strangnas', '/finns/inte'])(
      'answers %s with a Swedish 404 page',
      async (url) => {
        const res = await get(url);
        expect(res.statusCode).toBe(404);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.body).toContain('<h1>Sidan finns inte</h1>');
        expect(res.body).toContain('<html lang="sv">');
      },
    );

    it('never shows a draft, and escapes whatever text a pledge holds', async () => {
      const m = await buildMunicipality(s.t.db, { name: 'Draftköping <b>kommun</b>', slug: 'draftkoping' });
      const p = await buildPoliceArea(s.t.db);
      await createPledge(s.t.db, pledgeInput(m, p, { title: 'Utkast <script>alert(1)</script>', state: 'draft' }));
      expect((await get('/kommun/draftkoping')).statusCode).toBe(404);
      expect((await get('/kommun/draftkoping/2024-2025')).statusCode).toBe(404);
      expect((await get('/?q=draft')).body).toContain('Ingen kommun matchade');
      await createPledge(s.t.db, pledgeInput(m, p, { title: 'Löfte <script>alert(1)</script>', startsOn: '2026-01-01', endsOn: '2026-12-31' }));
      const page = await get('/kommun/draftkoping');
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('<script>alert(1)</script>');
      expect(page.body).toContain('Löfte &lt;script>alert(1)&lt;/script>');
      expect(page.body).not.toContain('Utkast');
      expect((await get('/?q=draftk')).body).toContain('Draftköping &lt;b>kommun&lt;/b>');
    });

    it('sends strict security headers and compresses pages', async () => {
      const res = await get('/kommun/strangnas', { 'accept-encoding': 'br, gzip' });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('script-src');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      // HSTS only over TLS: test/integration/security-headers.test.ts covers the proxy case.
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(res.headers['content-encoding']).toBe('br');
    });

    it('serves the stylesheet with a content hash and long caching, including print rules', async () => {
      const page = await get('/');
      const href = /<link rel="stylesheet" href="([^"]+)"/.exec(page.body)![1]!;
      const css = await get(href);
      expect(css.statusCode).toBe(200);
      expect(css.headers['cache-control']).toContain('immutable');
      expect(css.body).toContain('@media print');
      expect(css.body).toContain(':focus-visible');
    });

    it('has an accessibility statement', async () => {
      const res = await get('/tillganglighet');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('2018:1937');
    });
  });
}
