import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPartyBySlug } from '../../src/features/pledges/pledge-repo.js';
import { listSites } from '../../src/features/wastewater/wastewater-repo.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { targets } from '../support/databases.js';

/**
 * Every public surface of the wastewater results, on the demo data: Stallarholmen (1 650) and
 * Härad (750) are under the 2 000 threshold and must never appear, whatever the reader asks for.
 * Staff see them. The CLI summary prints exactly what the API answers.
 */

const HIDDEN = ['Stallarholmen', 'Härad', 'STA', 'HAR', 'Stallarholmens', 'Härads'];
const SHOWN = ['Strängnäs tätort', 'Mariefred', 'Åkers styckebruk'];

/** Every query a reader could try, in the page's and the API's parameter names. */
const PAGE_QUERIES = [
  '',
  '?substans=amfetamin&amfetamin=korrigerad',
  '?substans=metamfetamin&loq=halva',
  '?substans=ketamin',
  '?substans=mdma&matt=konsumtion',
  '?substans=thc-cooh&fran=2022-09-01&till=2022-12-31',
  '?substans=bensoylekgonin&lang=en',
];
const API_QUERIES = ['', '?substance=amfetamin,metamfetamin&amphetamineCorrection=true', '?measure=consumption&belowLoq=half-loq', '?from=2023-01-01&to=2023-12-31'];

function expectNoHidden(text: string, where: string) {
  for (const h of HIDDEN) expect(text.includes(h), `${h} i ${where}`).toBe(false);
}

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/loften.js');
async function loften(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

for (const target of targets) {
  describe.skipIf(target.skip)(`wastewater public surfaces on ${target.name}`, () => {
    let s: TestApp;
    beforeAll(async () => {
      s = await openApp(target);
    });
    afterAll(async () => s?.close());
    const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ method: 'GET', url, headers });

    it('seeds the example series through the import, with two districts under the threshold', async () => {
      const party = (await findPartyBySlug(s.t.db, 'strangnas'))!;
      const sites = await listSites(s.t.db, party.id);
      expect(sites.map((x) => [x.code, x.district, x.population < 2000])).toEqual([
        ['AKE', 'Åkers styckebruk', false],
        ['EKO', 'Strängnäs tätort', false],
        ['HAR', 'Härad', true],
        ['MAR', 'Mariefred', false],
        ['STA', 'Stallarholmen', true],
      ]);
    });

    it('shows the page with charts, tables, guidance and the example-data notice', async () => {
      const res = await get('/kommun/strangnas/avloppsvatten');
      expect(res.statusCode).toBe(200);
      const html = res.body;
      expect(html).toContain('Exempeldata: mätvärdena på den här sidan är påhittade');
      expect(html).toContain('<h1>Narkotika i avloppsvatten – Strängnäs kommun</h1>');
      expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="s-kommun-diagram-title s-kommun-diagram-desc"/);
      expect(html).toContain('<caption>Bensoylekgonin, hela kommunen (mg/dygn per 1 000 invånare)</caption>');
      for (const d of SHOWN) expect(html).toContain(d);
      expect(html).toContain('Resultaten gäller rent ämne, inte gatuvikt.');
      expect(html).toContain('Kommundelar jämförs inte och rangordnas aldrig som &quot;värst&quot;.');
      expect(html).toContain('2 kommundelar med färre anslutna invånare än gränsen visas inte separat men ingår i kommunens total.');
      expect(html).toContain('Svenska städer 2021');
      expect(html).not.toMatch(/<script/i);
      expect(res.headers['cache-control']).toMatch(/public/);
    });

    it('never lets a district under the threshold appear on the page, in a download or in the API', async () => {
      for (const q of PAGE_QUERIES) {
        const page = await get(`/kommun/strangnas/avloppsvatten${q}`);
        expect(page.statusCode, q).toBe(200);
        expectNoHidden(page.body, `sidan ${q}`);
        const csv = await get(`/kommun/strangnas/avloppsvatten/data.csv${q}`);
        expect(csv.statusCode).toBe(200);
        expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
        expectNoHidden(csv.body, `CSV ${q}`);
        const json = await get(`/kommun/strangnas/avloppsvatten/data.json${q}`);
        expect(json.statusCode).toBe(200);
        expectNoHidden(json.body, `JSON ${q}`);
      }
      for (const q of API_QUERIES) {
        const api = await get(`/api/v1/municipalities/0486/wastewater${q}`);
        expect(api.statusCode, q).toBe(200);
        expectNoHidden(api.body, `API ${q}`);
        const body = api.json();
        for (const sub of body.substances) for (const w of sub.weeks) expect(w.districts.every((d: { population: number }) => d.population >= 2000)).toBe(true);
      }
    });

    it('follows a raised threshold at once, on every surface', async () => {
      const party = (await findPartyBySlug(s.t.db, 'strangnas'))!;
      await s.t.db.insertInto('wastewater_settings').values({ party_id: party.id, publication_threshold: 4000, correction_set: 'refined', updated_at: new Date().toISOString() }).execute();
      try {
        const api = (await get('/api/v1/municipalities/0486/wastewater')).json();
        const districts = new Set(api.substances.flatMap((x: { weeks: { districts: { district: string }[] }[] }) => x.weeks.flatMap((w) => w.districts.map((d) => d.district))));
        expect([...districts].sort()).toEqual(['Mariefred', 'Strängnäs tätort']);
        const page = await get('/kommun/strangnas/avloppsvatten?substans=mdma');
        expect(page.body).not.toContain('Åkers styckebruk');
      } finally {
        await s.t.db.deleteFrom('wastewater_settings').where('party_id', '=', party.id).execute();
      }
    });

    it('answers the API with the figures, a stable shape and stable errors', async () => {
      const res = await get('/api/v1/municipalities/0486/wastewater?substance=bensoylekgonin');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      const body = res.json();
      expect(body).toMatchObject({ municipality: { code: '0486', slug: 'strangnas' }, isExampleData: true, measure: 'pnl', publicationThreshold: 2000, audience: 'public' });
      const be = body.substances[0];
      expect(be.code).toBe('benzoylecgonine');
      expect(be.weeks.map((w: { week: string }) => w.week)).toEqual(['2022-03-15', '2022-09-20', '2023-03-14', '2023-09-19']);
      const first = be.weeks[0];
      expect(first.districtsNotShown).toBe(2);
      expect(first.notShownIncludedInTotal).toBe(true);
      expect(first.municipality.population).toBe(24_800 + 4_600 + 3_300 + 1_650 + 750);
      expect(first.municipality.weekday.days).toBe(15);
      expect(be.nationalReference).toMatchObject({ source: 'EUDA', year: 2021 });
      expect((await get('/api/v1/municipalities/04x6/wastewater')).json().error.code).toBe('invalid_parameter');
      expect((await get('/api/v1/municipalities/9999/wastewater')).statusCode).toBe(404);
      expect((await get('/api/v1/municipalities/0486/wastewater?substance=koffein')).json().error.code).toBe('invalid_parameter');
      expect((await get('/api/v1/municipalities/0486/wastewater?from=2023-05-01&to=2022-01-01')).statusCode).toBe(400);
      expect((await get('/kommun/strangnas/avloppsvatten?matt=doser')).statusCode).toBe(400);
      expect((await get('/kommun/finns-inte/avloppsvatten')).statusCode).toBe(404);
    });

    it('shows "< LOQ" instead of 0 where every day was below the limit', async () => {
      const api = (await get('/api/v1/municipalities/0486/wastewater?substance=ketamin')).json();
      const means = api.substances[0].weeks.flatMap((w: { municipality: Record<string, { value: number | null; belowLoq: boolean }> }) => [w.municipality.weekday, w.municipality.weekend]);
      for (const m of means) if (m.belowLoq) expect(m.value).toBeNull();
      for (const m of means) expect(m.value).not.toBe(0);
    });

    it('shows staff every district, marked, and keeps the staff downloads to signed-in members', async () => {
      const party = (await findPartyBySlug(s.t.db, 'strangnas'))!;
      const viewer = await signedInAs(s.t.db, { role: 'viewer', partyId: party.id });
      const page = await get(`/admin/avloppsvatten/${party.id}?substans=amfetamin`, { cookie: viewer.cookie });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Stallarholmen');
      expect(page.body).toContain('Visas inte publikt');
      const csv = await get(`/admin/avloppsvatten/${party.id}/data.csv`, { cookie: viewer.cookie });
      expect(csv.body).toContain('Härad');
      expect(csv.headers['cache-control']).toBe('no-store');
      const anon = await get(`/admin/avloppsvatten/${party.id}/data.csv`);
      expect(anon.statusCode).toBe(303);
      expect(anon.headers.location).toMatch(/^\/logga-in\?next=/);
    });

    it('prints with `loften wastewater summary` exactly what the API answers', async () => {
      // The CLI opens the test's own database by its URL, SQLite file or PostgreSQL database alike.
      const env = { DATABASE_URL: s.t.url };
      const r = await loften(['wastewater', 'summary', '--municipality', '0486', '--substance', 'amfetamin,mdma', '--from', '2023-01-01', '--format', 'json'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const api = (await get('/api/v1/municipalities/0486/wastewater?substance=amfetamin,mdma&from=2023-01-01')).json();
      expect(JSON.parse(r.stdout)).toEqual(api);
    });
  });
}

describe.skipIf(targets[0]!.skip)('loften wastewater import (the real CLI)', () => {
  let s: TestApp;
  let dir: string;
  beforeAll(async () => {
    s = await openApp(targets[0]!);
    dir = mkdtempSync(join(tmpdir(), 'loften-ww-'));
  });
  afterAll(async () => s?.close());

  it('dry-runs, imports, re-imports as unchanged, and refuses a bad file with its line and column', async () => {
    const env = { DATABASE_URL: s.t.url };
    const file = join(dir, 'labb.csv');
    writeFileSync(
      file,
      '\uFEFFsite_code;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l\r\nEKO;2024-03-12;7800;amfetamin;455,5;5\r\nEKO;2024-03-12;7800;MDMA;<LOQ;1\r\n',
    );
    const dry = await loften(['wastewater', 'import', file, '--municipality', '0486', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/2 rader lästa från labb\.csv/);
    expect(dry.stdout).toMatch(/nya mätvärden: +2/);
    expect(dry.stdout).toMatch(/Provkörning: inget sparades\./);
    expect(dry.stderr).toMatch(/Läser: 2 rader \(100 %\)/);
    const real = await loften(['wastewater', 'import', file, '--municipality', '0486'], env);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/Sparat \(import [0-9a-f-]+\)\./);
    const again = await loften(['wastewater', 'import', file, '--municipality', '0486'], env);
    expect(again.stdout).toMatch(/nya mätvärden: +0\n +oförändrade: +2/);

    const bad = join(dir, 'fel.csv');
    writeFileSync(bad, 'site_code;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l\nEKO;2024-03-13;7800;amfetamin;-1;5\n');
    const refused = await loften(['wastewater', 'import', bad, '--municipality', '0486'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n').pop()).toBe('loften: fel.csv: rad 2, kolumn concentration_ng_per_l: koncentrationen kan inte vara negativ (-1). Inget sparades.');
    const usage = await loften(['wastewater', 'import', file], env);
    expect(usage.code).toBe(2);
  });
});
