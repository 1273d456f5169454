import { parse } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Actor } from '../../src/features/access/policy.js';
import { reportActivityUpdate } from '../../src/features/follow-up/activity-updates.js';
import { findActivityWithPledge } from '../../src/features/pledges/editing-repo.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import type { Party, PledgeDocument } from '../../src/features/pledges/pledge.js';
import { activityColumns, pledgeColumns, type CellType } from '../../src/features/publishing/open-data/tables.js';
import { startAmendment } from '../../src/features/signing/signing.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';
import { freezeWithAccounts, operatorActor, signAs } from '../support/signing-flow.js';

const BASE = 'https://medborgarloften.example.se';
const noLinks = { page: () => '', version: () => '', api: () => '' };
const PLEDGE_COLUMNS = pledgeColumns(noLinks).map((c) => c.name);
const ACTIVITY_COLUMNS = activityColumns(noLinks).map((c) => c.name);

const SPECIAL = 'Trygghetsvandring i Åkers styckebruk; med "vuxna på stan"\noch föräldrar';
const TECKEN = 'Tecken & <Test> "kommun"\u0007';
const FORMULA = '=HYPERLINK("http://example.invalid","klicka")';

function parseCsv(body: string): Record<string, string>[] {
  return parse(body, { delimiter: ';', bom: true, columns: true, record_delimiter: '\r\n' });
}

function csvHeader(body: string): string[] {
  return (parse(body, { delimiter: ';', bom: true, to_line: 1 }) as string[][])[0]!;
}

/** Does a JSON cell have the type its column declares? */
function hasType(v: unknown, type: CellType, nullable: boolean): boolean {
  if (v === null) return nullable;
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
    case 'date-time':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v)) && v.endsWith('Z');
    case 'uri':
      return typeof v === 'string' && /^https?:\/\//.test(v);
    case 'uuid':
      return typeof v === 'string' && /^[0-9a-f-]{36}$/.test(v);
    case 'list':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['entry', 'link'].includes(name) });

async function quadsOf(body: string) {
  const quads: { s: string; p: string; o: string; lang: string; kind: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new RdfXmlParser();
    parser.on('data', (q) => quads.push({ s: q.subject.value, p: q.predicate.value, o: q.object.value, lang: q.object.language ?? '', kind: q.object.termType }));
    parser.on('error', reject);
    parser.on('end', () => resolve());
    parser.write(body);
    parser.end();
  });
  return quads;
}

for (const target of targets) {
  describe.skipIf(target.skip)(`Open data on ${target.name}`, () => {
    let s: TestApp;
    let ockero: Party;
    let special: PledgeDocument;
    let habo: Party;
    let haboPledge: PledgeDocument;
    let operator: Actor;
    const deps = () => ({ db: s.t.db, clock: () => new Date('2026-11-27T12:00:00Z') });

    beforeAll(async () => {
      s = await openApp(target, { publicBaseUrl: BASE });
      operator = operatorActor((await signedInAs(s.t.db, { superadmin: true })).user);

      // A pledge whose text tests the CSV dialect: å/ä/ö, separators, quotes, newlines, a decimal, a formula.
      ockero = await buildMunicipality(s.t.db, { name: 'Öckerö kommun', slug: 'ockero', municipalityCode: '1407' });
      const alvsborg = await buildPoliceArea(s.t.db, { name: 'Lokalpolisområde Älvsborg' });
      special = await createPledge(
        s.t.db,
        pledgeInput(ockero, alvsborg, {
          title: 'Medborgarlöfte för Öckerö kommun 2024–2025',
          signedOn: '2024-02-14',
          focusAreas: [
            {
              title: 'Trygghet på öarna',
              commitments: [
                {
                  title: 'Fler vuxna ute på kvällarna',
                  activities: [
                    { ownerPartyId: ockero.id, description: SPECIAL, target: { kind: 'numeric', value: 2.5, unit: 'vandringar per månad' }, schedule: { startsOn: '2024-03-01', endsOn: '2025-11-30', text: 'Fredagar' } },
                    { ownerPartyId: alvsborg.id, description: FORMULA, target: { kind: 'text', text: '-10 % inbrott' }, schedule: null },
                  ],
                },
              ],
            },
          ],
        }),
      );

      // A pledge signed twice: registered as signed, then amended and signed again in the app.
      habo = await buildMunicipality(s.t.db, { name: 'Håbo kommun', slug: 'habo', municipalityCode: '0305' });
      const bro = await buildPoliceArea(s.t.db, { name: 'Lokalpolisområde Bro' });
      haboPledge = await createPledge(s.t.db, pledgeInput(habo, bro, { title: 'Medborgarlöfte för Håbo kommun 2024–2025', signedOn: '2024-01-15' }));
      await startAmendment(deps(), operator, haboPledge.id);
      const { version, signers } = await freezeWithAccounts(deps(), operator, haboPledge.id);
      for (const signer of signers) await signAs(deps(), signer, version);

      // Markup, quotes and control characters in names and titles, for the XML writers.
      const tecken = await buildMunicipality(s.t.db, { name: TECKEN, slug: 'tecken', municipalityCode: '0994' });
      const lpo = await buildPoliceArea(s.t.db);
      await createPledge(s.t.db, pledgeInput(tecken, lpo, { title: 'Löfte <b>&amp; "citat"\u0001', signatories: [{ partyId: tecken.id, name: 'Anna </summary> Ek', roleTitle: 'Kommundirektör' }] }));
    });
    afterAll(async () => s?.close());

    const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ method: 'GET', url, headers });

    describe('CSV downloads', () => {
      it('open in Swedish Excel: BOM, semicolons, CRLF, a header of the documented column names', async () => {
        const res = await get('/data/medborgarloften.csv');
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
        expect(res.headers['content-disposition']).toBe('attachment; filename="medborgarloften.csv"');
        expect(res.headers['cache-control']).toBe('public, max-age=60');
        expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        expect(res.body).toContain('\r\n');
        expect(csvHeader(res.body)).toEqual(PLEDGE_COLUMNS);
      });

      it('has one row per public pledge with version, hash, signing date and links', async () => {
        const rows = parseCsv((await get('/data/medborgarloften.csv')).body);
        const api = (await get('/api/v1/pledges')).json().data;
        expect(rows.map((r) => r.pledge_id).sort()).toEqual(api.map((p: { id: string }) => p.id).sort());
        const strangnas = rows.find((r) => r.municipality_codes === '0486')!;
        expect(strangnas).toMatchObject({
          title: 'Medborgarlöfte för Strängnäs kommun 2022–2023',
          municipality_names: 'Strängnäs kommun',
          police_areas: 'Lokalpolisområde Strängnäs',
          period: '2022-2023',
          state: 'signed',
          version_number: '1',
          is_example_data: 'true',
          page_url: `${BASE}/kommun/strangnas/2022-2023`,
          version_url: `${BASE}/kommun/strangnas/2022-2023/versioner/1`,
        });
        expect(strangnas.content_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(strangnas.signatories!.split(' | ')).toHaveLength(2);
        expect(strangnas.api_url).toBe(`${BASE}/api/v1/pledges/${strangnas.pledge_id}`);
        // Municipalities in Swedish order, Ö last.
        expect(rows.map((r) => r.municipality_names)).toEqual(['Håbo kommun', 'Strängnäs kommun', 'Strömsunds kommun', TECKEN, 'Vingåkers kommun', 'Öckerö kommun']);
        const habo = rows.find((r) => r.municipality_codes === '0305')!;
        expect(habo.version_number).toBe('2');
        expect(habo.signed_on).toBe('2026-11-27');
        expect(habo.signed_at).toBe('2026-11-27T12:00:00.000Z');
      });

      it('reads back å/ä/ö, separators, quotes and newlines exactly, with a decimal comma and formulas defused', async () => {
        const res = await get('/data/aktiviteter.csv');
        expect(res.headers['content-disposition']).toBe('attachment; filename="aktiviteter.csv"');
        expect(csvHeader(res.body)).toEqual(ACTIVITY_COLUMNS);
        const rows = parseCsv(res.body);
        const walk = rows.find((r) => r.activity === SPECIAL)!;
        expect(walk).toMatchObject({
          municipality_codes: '1407',
          municipality_names: 'Öckerö kommun',
          police_areas: 'Lokalpolisområde Älvsborg',
          focus_area: 'Trygghet på öarna',
          commitment: 'Fler vuxna ute på kvällarna',
          owner: 'Öckerö kommun',
          owner_kind: 'municipality',
          target_value: '2,5',
          target_unit: 'vandringar per månad',
          target_text: '',
          schedule_starts_on: '2024-03-01',
          schedule_ends_on: '2025-11-30',
          schedule_text: 'Fredagar',
          status: 'planned',
          status_sv: 'Planerad',
          signed_on: '2024-02-14',
        });
        const formula = rows.find((r) => r.activity?.includes('HYPERLINK'))!;
        expect(formula.activity).toBe(`'${FORMULA}`);
        expect(formula.target_text).toBe("'-10 % inbrott");
        expect(formula.target_value).toBe('');
      });

      it('holds every activity of every public pledge, in the order of the pledge', async () => {
        const rows = parseCsv((await get('/data/aktiviteter.csv')).body);
        const { data } = (await get('/api/v1/pledges')).json();
        const expected: string[] = [];
        for (const p of data) {
          const full = (await get(p.href)).json();
          for (const fa of full.focusAreas) for (const c of fa.commitments) for (const a of c.activities) expected.push(a.id);
        }
        expect(rows.map((r) => r.activity_id).sort()).toEqual(expected.sort());
        const strangnas = rows.filter((r) => r.municipality_codes === '0486');
        const page = (await get(data.find((d: { period: string }) => d.period === '2022-2023').href)).json();
        expect(strangnas.map((r) => r.activity_id)).toEqual(page.focusAreas.flatMap((f: any) => f.commitments.flatMap((c: any) => c.activities.map((a: any) => a.id))));
      });

      it('shows the live status of an activity, which follow-up moves after signing, at once', async () => {
        const walkId = special.focusAreas[0]!.commitments[0]!.activities[0]!.id;
        const status = async (url: string) => parseCsv((await get(url)).body).find((r) => r.activity_id === walkId)?.status;
        const urls = ['/kommun/ockero/aktiviteter.csv', '/data/aktiviteter.csv', '/kommun/ockero/2024-2025/aktiviteter.csv'];
        for (const url of urls) expect(await status(url)).toBe('planned');
        const json = await get('/data/aktiviteter.json');
        const row = await findActivityWithPledge(s.t.db, walkId);
        await reportActivityUpdate(deps(), operator, walkId, { version: String(row!.version), status: 'in_progress', statusReason: 'Vandringen har börjat.' });
        // Files are kept between requests, but never past a committed write.
        for (const url of urls) expect(await status(url), url).toBe('in_progress');
        const after = await get('/data/aktiviteter.json', { 'if-none-match': String(json.headers.etag) });
        expect(after.statusCode).toBe(200);
        expect(after.json().data.find((r: { activity_id: string }) => r.activity_id === walkId)).toMatchObject({ status: 'in_progress', status_sv: 'Pågår' });
      });

      it('serves readers who ask at the same time one and the same compressed file', async () => {
        const all = await Promise.all(Array.from({ length: 5 }, () => get('/data/aktiviteter.json', { 'accept-encoding': 'br' })));
        expect(new Set(all.map((r) => r.headers.etag)).size).toBe(1);
        expect(all.every((r) => r.headers['content-encoding'] === 'br' && r.statusCode === 200)).toBe(true);
      });

      it('per municipality and per pledge, with file names that say which', async () => {
        const m = await get('/kommun/strangnas/medborgarloften.csv');
        expect(m.headers['content-disposition']).toBe('attachment; filename="medborgarloften-strangnas.csv"');
        expect(parseCsv(m.body).map((r) => r.municipality_codes)).toEqual(['0486']);
        const a = await get('/kommun/strangnas/2022-2023/aktiviteter.csv');
        expect(a.headers['content-disposition']).toBe('attachment; filename="aktiviteter-strangnas-2022-2023.csv"');
        const rows = parseCsv(a.body);
        expect(rows).toHaveLength(7);
        expect(new Set(rows.map((r) => r.period))).toEqual(new Set(['2022-2023']));
        const all = parseCsv((await get('/kommun/strangnas/aktiviteter.csv')).body);
        expect(all).toEqual(rows);
      });

      it.each([
        '/kommun/finns-inte/medborgarloften.csv',
        '/kommun/finns-inte/aktiviteter.json',
        '/kommun/Strangnas/aktiviteter.csv',
        '/kommun/strangnas/2019/aktiviteter.csv',
        '/kommun/strangnas/2022-2023x/aktiviteter.json',
        '/kommun/strangnas/flode.json',
      ])('answers 404 for %s', async (url) => {
        expect((await get(url)).statusCode).toBe(404);
      });

      it('answers 304 to a client that already has the file', async () => {
        const first = await get('/data/aktiviteter.csv');
        const again = await get('/data/aktiviteter.csv', { 'if-none-match': String(first.headers.etag) });
        expect(again.statusCode).toBe(304);
        expect(again.body).toBe('');
      });
    });

    describe('JSON downloads', () => {
      it.each([
        ['/data/medborgarloften.json', PLEDGE_COLUMNS, pledgeColumns(noLinks)],
        ['/data/aktiviteter.json', ACTIVITY_COLUMNS, activityColumns(noLinks)],
      ] as const)('%s has the CSV columns with typed values', async (url, names, columns) => {
        const res = await get(url);
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(res.headers['content-disposition']).toMatch(/^inline; filename="[a-z]+\.json"$/);
        const body = res.json();
        expect(Object.keys(body)).toEqual(['license', 'columns', 'data']);
        expect(body.license).toBe('http://creativecommons.org/publicdomain/zero/1.0/');
        expect(body.columns).toEqual(names);
        expect(body.data.length).toBeGreaterThan(0);
        for (const row of body.data) {
          expect(Object.keys(row)).toEqual(names);
          for (const c of columns) expect(hasType(row[c.name], c.type, c.nullable ?? false), `${c.name} = ${JSON.stringify(row[c.name])}`).toBe(true);
        }
        const csv = parseCsv((await get(url.replace('.json', '.csv'))).body);
        expect(body.data.map((r: { pledge_id: string }) => r.pledge_id)).toEqual(csv.map((r) => r.pledge_id));
      });

      it('keeps text unchanged and numbers as numbers', async () => {
        const { data } = (await get('/kommun/ockero/2024-2025/aktiviteter.json')).json();
        expect(data.map((r: { activity: string }) => r.activity)).toEqual([SPECIAL, FORMULA]);
        expect(data[0]).toMatchObject({ target_value: 2.5, target_text: null, municipality_codes: ['1407'], police_areas: ['Lokalpolisområde Älvsborg'], is_example_data: false });
        expect(data[1].target_text).toBe('-10 % inbrott');
      });
    });

    describe('CORS', () => {
      const origin = { origin: 'https://kommun.example.se' };

      it.each(['/api/v1/pledges', '/api/v1/openapi.json', '/api/v1/pledges/not-a-uuid', '/data/medborgarloften.csv', '/data/aktiviteter.json', '/kommun/strangnas/aktiviteter.csv', '/kommun/strangnas/2022-2023/aktiviteter.json', '/kommun/strangnas/flode.atom', '/dcat'])(
        'lets any origin read %s, without credentials',
        async (url) => {
          for (const method of ['GET', 'HEAD'] as const) {
            const res = await s.app.inject({ method, url, headers: origin });
            expect(res.headers['access-control-allow-origin'], `${method} ${url}`).toBe('*');
            expect(res.headers['access-control-allow-credentials']).toBeUndefined();
          }
        },
      );

      it.each(['/api/v1/pledges', '/data/aktiviteter.csv', '/kommun/strangnas/medborgarloften.json', '/kommun/strangnas/2022-2023/aktiviteter.csv', '/kommun/strangnas/flode.atom', '/dcat'])(
        'answers the preflight for %s with 204 and GET, HEAD',
        async (url) => {
          const res = await s.app.inject({ method: 'OPTIONS', url, headers: { ...origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' } });
          expect(res.statusCode).toBe(204);
          expect(res.headers['access-control-allow-origin']).toBe('*');
          expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD');
          expect(res.headers['access-control-allow-headers']).toBe('*');
          expect(res.headers['access-control-allow-credentials']).toBeUndefined();
          expect(res.body).toBe('');
        },
      );

      it.each(['/', '/kommun/strangnas', '/kommun/strangnas/2022-2023', '/tillganglighet', '/logga-in', '/admin', '/admin/loften', '/static/nothing.css'])('sends no CORS headers on %s', async (url) => {
        const staff = await signedInAs(s.t.db, { superadmin: true });
        for (const headers of [origin, { ...origin, cookie: staff.cookie }]) {
          const res = await get(url, headers);
          expect(res.headers['access-control-allow-origin'], url).toBeUndefined();
          expect(res.headers['access-control-allow-credentials']).toBeUndefined();
        }
        const pre = await s.app.inject({ method: 'OPTIONS', url, headers: { ...origin, 'access-control-request-method': 'GET' } });
        expect(pre.statusCode).not.toBe(204);
        expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      });

      it('refuses to preflight anything but reading', async () => {
        const post = await s.app.inject({ method: 'POST', url: '/data/aktiviteter.csv', headers: origin });
        expect(post.headers['access-control-allow-origin']).toBeUndefined();
        expect(post.statusCode).toBe(404);
      });
    });

    describe('Atom feed', () => {
      async function feedOf(slug: string) {
        const res = await get(`/kommun/${slug}/flode.atom`);
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
        expect(XMLValidator.validate(res.body)).toBe(true);
        return { res, feed: xml.parse(res.body).feed };
      }

      it('is well-formed Atom with the required feed elements', async () => {
        const { feed } = await feedOf('strangnas');
        expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
        expect(feed.id).toMatch(/^tag:medborgarloften\.example\.se,2026:kommun\/[0-9a-f-]{36}$/);
        expect(feed.title).toBe('Medborgarlöften – Strängnäs kommun');
        expect(feed.updated).toMatch(RFC3339);
        expect(feed.author.name).toBe('Strängnäs kommun');
        const self = feed.link.find((l: any) => l['@rel'] === 'self');
        expect(self).toMatchObject({ '@href': `${BASE}/kommun/strangnas/flode.atom`, '@type': 'application/atom+xml' });
        expect(feed.link.find((l: any) => l['@rel'] === 'alternate')['@href']).toBe(`${BASE}/kommun/strangnas`);
        // The demo's signed version, and the follow-up reports of its Brå meetings (eight: six meetings, two years).
        const versions = feed.entry.filter((e: any) => e.category['@term'] === 'version');
        expect(versions).toHaveLength(1);
        expect(feed.entry.filter((e: any) => e.category['@term'] === 'follow-up')).toHaveLength(8);
        const [entry] = versions;
        expect(entry.title).toBe('Version 1 av medborgarlöftet 2022–2023 undertecknad');
        expect(entry.id).toMatch(/^tag:medborgarloften\.example\.se,2026:medborgarlofte\/[0-9a-f-]{36}\/version\/1$/);
        expect(entry.updated).toMatch(RFC3339);
        expect(entry.link[0]).toMatchObject({ '@rel': 'alternate', '@href': `${BASE}/kommun/strangnas/2022-2023/versioner/1` });
        expect(entry.summary['#text']).toContain('Lars Ekström, kommundirektör, Strängnäs kommun');
        expect(entry.summary['#text']).toMatch(/kontrollsumma \(SHA-256\): [0-9a-f]{64}\./);
        // Newest first: the feed is as new as its newest entry.
        expect(feed.updated).toBe(feed.entry[0].updated);
      });

      it('has one entry per signed version, newest first, and keeps the ids of old entries', async () => {
        const { feed } = await feedOf('habo');
        expect(feed.entry.map((e: any) => e.title)).toEqual(['Version 2 av medborgarlöftet 2024–2025 undertecknad', 'Version 1 av medborgarlöftet 2024–2025 undertecknad']);
        expect(feed.entry.map((e: any) => e.updated)).toEqual(['2026-11-27T12:00:00Z', '2024-01-15T12:00:00Z']);
        expect(feed.updated).toBe('2026-11-27T12:00:00Z');
        expect(feed.entry[0].link[0]['@href']).toBe(`${BASE}/kommun/habo/2024-2025/versioner/2`);
        expect(feed.entry[1].id).toBe(`tag:medborgarloften.example.se,2026:medborgarlofte/${haboPledge.id}/version/1`);
        for (const e of feed.entry) {
          expect(e.id).toMatch(/^tag:/);
          expect(e.title.length).toBeGreaterThan(0);
          expect(e.updated).toMatch(RFC3339);
          expect(Number.isNaN(Date.parse(e.updated))).toBe(false);
          expect(e.link[0]['@href']).toMatch(/^https:\/\//);
        }
        expect(new Set(feed.entry.map((e: any) => e.id)).size).toBe(2);
      });

      it('is the same document on every request, and 304 for a reader that has it', async () => {
        const a = await feedOf('habo');
        const b = await feedOf('habo');
        expect(b.res.body).toBe(a.res.body);
        const again = await get('/kommun/habo/flode.atom', { 'if-none-match': String(a.res.headers.etag) });
        expect(again.statusCode).toBe(304);
      });

      it('escapes what staff typed and drops characters XML cannot carry', async () => {
        const { feed } = await feedOf('tecken');
        expect(feed.title).toBe('Medborgarlöften – Tecken & <Test> "kommun"');
        expect(feed.entry[0].summary['#text']).toContain('Löfte <b>&amp; "citat". Undertecknad');
        expect(feed.entry[0].summary['#text']).toContain('Anna </summary> Ek');
      });

      it('is announced in the head of the public pledge page', async () => {
        const page = await get('/kommun/strangnas/2022-2023');
        expect(page.body).toContain('<link rel="alternate" type="application/atom+xml" href="/kommun/strangnas/flode.atom" title="Nya versioner av medborgarlöften för Strängnäs kommun (Atom)"/>');
      });
    });

    describe('DCAT-AP-SE catalogue', () => {
      const DCAT = 'http://www.w3.org/ns/dcat#';
      const DCT = 'http://purl.org/dc/terms/';
      const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
      const FOAF = 'http://xmlns.com/foaf/0.1/';
      const VCARD = 'http://www.w3.org/2006/vcard/ns#';

      async function catalogue(app = s.app) {
        const res = await app.inject({ method: 'GET', url: '/dcat' });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('application/rdf+xml; charset=utf-8');
        expect(XMLValidator.validate(res.body)).toBe(true);
        const quads = await quadsOf(res.body);
        const objects = (subject: string, predicate: string) => quads.filter((q) => q.s === subject && q.p === predicate);
        const ofType = (type: string) => quads.filter((q) => q.p === RDF_TYPE && q.o === type).map((q) => q.s);
        return { res, quads, objects, ofType };
      }

      it('describes a catalogue with what DCAT-AP-SE asks of it', async () => {
        const { objects, ofType, quads } = await catalogue();
        expect(ofType(`${DCAT}Catalog`)).toEqual([`${BASE}/dcat`]);
        const cat = `${BASE}/dcat`;
        expect(objects(cat, `${DCT}title`).map((q) => q.lang).sort()).toEqual(['en', 'sv']);
        expect(objects(cat, `${DCT}description`).map((q) => q.lang).sort()).toEqual(['en', 'sv']);
        expect(objects(cat, `${FOAF}homepage`).map((q) => q.o)).toEqual([`${BASE}/`]);
        expect(objects(cat, `${DCT}language`).map((q) => q.o)).toEqual(['http://publications.europa.eu/resource/authority/language/SWE']);
        expect(objects(cat, `${DCT}license`).map((q) => q.o)).toEqual(['http://creativecommons.org/publicdomain/zero/1.0/']);
        expect(objects(cat, `${DCT}issued`)[0]!.o).toMatch(RFC3339);
        expect(objects(cat, `${DCT}modified`)[0]!.o).toBe('2026-11-27T12:00:00Z');
        const [publisher] = objects(cat, `${DCT}publisher`).map((q) => q.o);
        expect(ofType(`${FOAF}Agent`)).toContain(publisher);
        expect(objects(publisher!, `${FOAF}name`).map((q) => q.o)).toEqual(['Medborgarlöften']);
        expect(objects(cat, `${DCAT}dataset`).map((q) => q.o).sort()).toEqual(ofType(`${DCAT}Dataset`).sort());
        // The portal wants absolute IRIs throughout.
        for (const q of quads) {
          expect(q.s).toMatch(/^https?:\/\//);
          if (q.kind === 'NamedNode') expect(q.o).toMatch(/^(https?|mailto):/);
        }
      });

      it('gives every dataset the required and recommended properties', async () => {
        const { objects, ofType } = await catalogue();
        const datasets = ofType(`${DCAT}Dataset`);
        expect(datasets.sort()).toEqual([`${BASE}/dcat#aktiviteter`, `${BASE}/dcat#floden`, `${BASE}/dcat#medborgarloften`]);
        for (const d of datasets) {
          expect(objects(d, `${DCT}title`).map((q) => q.lang).sort(), d).toEqual(['en', 'sv']);
          expect(objects(d, `${DCT}description`).map((q) => q.lang).sort()).toEqual(['en', 'sv']);
          const publisher = objects(d, `${DCT}publisher`).map((q) => q.o);
          expect(publisher).toHaveLength(1);
          expect(ofType(`${FOAF}Agent`)).toContain(publisher[0]);
          const [contact] = objects(d, `${DCAT}contactPoint`).map((q) => q.o);
          expect(ofType(`${VCARD}Organization`)).toContain(contact);
          expect(objects(contact!, `${VCARD}fn`)).toHaveLength(1);
          expect(objects(contact!, `${VCARD}hasEmail`).length + objects(contact!, `${VCARD}hasURL`).length).toBe(1);
          expect(objects(d, `${DCAT}theme`).map((q) => q.o).sort()).toEqual([
            'http://publications.europa.eu/resource/authority/data-theme/GOVE',
            'http://publications.europa.eu/resource/authority/data-theme/JUST',
          ]);
          expect(objects(d, `${DCAT}keyword`).filter((q) => q.lang === 'sv').length).toBeGreaterThanOrEqual(5);
          expect(objects(d, `${DCT}accrualPeriodicity`).map((q) => q.o)).toEqual(['http://publications.europa.eu/resource/authority/frequency/IRREG']);
          expect(objects(d, `${DCT}spatial`).map((q) => q.o)).toEqual(['http://sws.geonames.org/2661886']);
          expect(objects(d, `${DCT}modified`)).toHaveLength(1);
          expect(objects(d, `${DCAT}distribution`).length).toBeGreaterThan(0);
        }
        expect(objects(`${BASE}/dcat#floden`, `${DCAT}distribution`).map((q) => q.o)).toEqual(
          ['habo', 'strangnas', 'stromsund', 'tecken', 'vingaker', 'ockero'].map((slug) => `${BASE}/dcat#flode-${slug}`),
        );
      });

      it('lists distributions whose every URL answers 200', async () => {
        const { objects, ofType } = await catalogue();
        const distributions = ofType(`${DCAT}Distribution`);
        expect(distributions.length).toBe(3 + 2 + 6);
        for (const d of distributions) {
          const access = objects(d, `${DCAT}accessURL`).map((q) => q.o);
          expect(access, d).toHaveLength(1);
          expect(objects(d, `${DCT}format`)[0]!.o).toMatch(/^(text|application)\/[a-z+]+$/);
          expect(objects(d, `${DCAT}mediaType`)[0]!.o).toMatch(/^http:\/\/www\.iana\.org\/assignments\/media-types\/(text|application)\/[a-z+]+$/);
          expect(objects(d, `${DCT}license`).map((q) => q.o)).toEqual(['http://creativecommons.org/publicdomain/zero/1.0/']);
          for (const url of [...access, ...objects(d, `${DCAT}downloadURL`).map((q) => q.o)]) {
            expect(url.startsWith(BASE), url).toBe(true);
            const res = await get(url.slice(BASE.length));
            expect(res.statusCode, url).toBe(200);
            expect(res.headers['content-type']).toContain(objects(d, `${DCT}format`)[0]!.o);
          }
        }
        const api = objects(`${BASE}/dcat#medborgarloften-api`, `${DCAT}accessService`)[0]!.o;
        expect(ofType(`${DCAT}DataService`)).toEqual([api]);
        expect((await get(objects(api, `${DCAT}endpointDescription`)[0]!.o.slice(BASE.length))).statusCode).toBe(200);
      });

      it('names the configured publisher by its organisation number, with an e-mail contact', async () => {
        const app = await buildApp({ db: s.t.db, publicBaseUrl: BASE, openData: { name: 'Polismyndigheten', orgNumber: '2021000076', contactEmail: 'oppnadata@example.se' } });
        try {
          const { objects, ofType } = await catalogue(app);
          const agent = 'http://dataportal.se/organisation/SE2021000076';
          expect(ofType(`${FOAF}Agent`)).toEqual([agent]);
          expect(objects(agent, `${FOAF}name`)[0]!.o).toBe('Polismyndigheten');
          expect(objects(`${BASE}/dcat#kontakt`, `${VCARD}hasEmail`).map((q) => q.o)).toEqual(['mailto:oppnadata@example.se']);
        } finally {
          await app.close();
        }
      });
    });
  });

  describe.skipIf(target.skip)(`Open data of an empty register on ${target.name}`, () => {
    let s: TestApp;
    beforeAll(async () => {
      s = await openApp(target, { demo: false, publicBaseUrl: BASE });
    });
    afterAll(async () => s?.close());

    it('serves the header alone, an empty list and a catalogue without feeds', async () => {
      const csv = await s.app.inject({ method: 'GET', url: '/data/aktiviteter.csv' });
      expect(csv.statusCode).toBe(200);
      expect(csv.body).toBe(`\uFEFF${ACTIVITY_COLUMNS.join(';')}\r\n`);
      expect((await s.app.inject({ method: 'GET', url: '/data/medborgarloften.json' })).json()).toEqual({ license: 'http://creativecommons.org/publicdomain/zero/1.0/', columns: PLEDGE_COLUMNS, data: [] });
      const dcat = await s.app.inject({ method: 'GET', url: '/dcat' });
      expect(dcat.statusCode).toBe(200);
      const quads = await quadsOf(dcat.body);
      expect(quads.filter((q) => q.o === 'http://www.w3.org/ns/dcat#Dataset')).toHaveLength(3);
      expect(quads.some((q) => q.p === 'http://purl.org/dc/terms/modified')).toBe(false);
    });
  });
}
