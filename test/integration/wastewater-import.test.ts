import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Party } from '../../src/features/pledges/pledge.js';
import { applyImport, discardImport, readImport, startImport, storeUpload } from '../../src/features/wastewater/import-service.js';
import { listCorrections, previewCorrections, readChunks } from '../../src/features/wastewater/import-repo.js';
import { listSites, loadMeasurements } from '../../src/features/wastewater/wastewater-repo.js';
import { targets, type TestDatabase } from '../support/databases.js';
import { buildMunicipality } from '../support/factories.js';

/** The lab import on both databases: round trip, idempotence, corrections, and every kind of bad input. */

const HEADER = 'site_code;district;population;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l;below_loq';
const FIRST = [
  HEADER,
  'EKO;Strängnäs tätort;24500;2023-05-02;7350;bensoylekgonin;210,5;1;',
  'EKO;Strängnäs tätort;24500;2023-05-02;7350;amfetamin;480;2;',
  'EKO;Strängnäs tätort;24500;2023-05-03;7100;bensoylekgonin;190;1;',
  'EKO;Strängnäs tätort;24500;2023-05-03;7100;amfetamin;<LOQ;2;',
  'MAR;Mariefred;4300;2023-05-02;1290;bensoylekgonin;150;1;',
  'MAR;Mariefred;4300;2023-05-02;1290;THCA;<0,5;;',
].join('\r\n');

function deps(t: TestDatabase) {
  return { db: t.db, clock: () => new Date('2026-11-27T12:00:00Z') };
}

async function importText(t: TestDatabase, party: Party, text: string | Buffer) {
  const d = deps(t);
  const id = await startImport(d, { partyId: party.id, filename: 'labb.csv', source: 'cli', actor: null, actorLabel: 'test' });
  const read = await readImport(d, id, text);
  return { id, read };
}

for (const target of targets) {
  describe.skipIf(target.skip)(`wastewater import on ${target.name}`, () => {
    let t: TestDatabase;
    let party: Party;

    beforeAll(async () => {
      t = await target.open();
      party = await buildMunicipality(t.db);
    });
    afterAll(async () => t?.dispose());

    it('reads, previews and applies a file; importing it again stores nothing twice', async () => {
      const { id, read } = await importText(t, party, FIRST);
      expect(read.status).toBe('ready');
      expect(read).toMatchObject({ rows_read: 6, rows_new: 6, rows_unchanged: 0, rows_corrected: 0, samples_new: 3, sites_new: 2, first_date: '2023-05-02', last_date: '2023-05-03' });
      expect(await loadMeasurements(t.db, party.id)).toEqual([]);

      const done = await applyImport(deps(t), id, null, { skipAuthorization: true });
      expect(done.status).toBe('done');
      const sites = await listSites(t.db, party.id);
      expect(sites.map((s) => [s.code, s.district, s.population])).toEqual([
        ['EKO', 'Strängnäs tätort', 24500],
        ['MAR', 'Mariefred', 4300],
      ]);
      const rows = await loadMeasurements(t.db, party.id);
      expect(rows).toHaveLength(6);
      const thc = rows.find((r) => r.substance === 'thc_cooh')!;
      expect(thc).toMatchObject({ concentration: null, loq: 0.5, belowLoq: true, flow: 1290, population: 4300, district: 'Mariefred' });
      const be = rows.find((r) => r.substance === 'benzoylecgonine' && r.date === '2023-05-02' && r.district === 'Strängnäs tätort')!;
      expect(be.concentration).toBe(210.5);
      const audit = await t.db.selectFrom('audit_event').selectAll().where('entity_id', '=', id).execute();
      expect(audit).toHaveLength(1);
      expect(JSON.parse(audit[0]!.after_json!)).toMatchObject({ rowsNew: 6, sitesNew: ['EKO', 'MAR'] });

      const again = await importText(t, party, FIRST);
      expect(again.read).toMatchObject({ status: 'ready', rows_new: 0, rows_unchanged: 6, rows_corrected: 0, samples_new: 0, samples_corrected: 0, sites_new: 0 });
      await applyImport(deps(t), again.id, null, { skipAuthorization: true });
      expect(await loadMeasurements(t.db, party.id)).toHaveLength(6);
    });

    it('reports a changed value for the same site, date and substance as a correction, and applies it', async () => {
      const changed = [
        'site_code,sample_date,flow_m3_per_day,substance,concentration_ug_per_m3,loq_ug_per_m3',
        'EKO,2023-05-02,7350,bensoylekgonin,"215,0",1',
        'EKO,2023-05-03,7100,amfetamin,"2,5",2',
        'MAR,2023-05-02,1300,bensoylekgonin,150,1',
        'EKO,2023-05-09,7000,ketamin,"3,3",1',
      ].join('\n');
      const { id, read } = await importText(t, party, changed);
      // Line 4 changes only the sample's flow: its benzoylecgonine value is unchanged.
      expect(read).toMatchObject({ status: 'ready', rows_new: 1, rows_unchanged: 1, rows_corrected: 2, samples_new: 1, samples_corrected: 1 });
      const preview = await previewCorrections(t.db, id, party.id, 10);
      expect(preview.map((c) => [c.line, c.siteCode, c.substance])).toEqual([
        [2, 'EKO', 'benzoylecgonine'],
        [3, 'EKO', 'amphetamine'],
        [4, 'MAR', ''],
      ]);
      expect(preview.find((c) => c.substance === 'benzoylecgonine')).toMatchObject({ oldConcentration: 210.5, newConcentration: 215 });
      expect(preview.find((c) => c.substance === 'amphetamine')).toMatchObject({ oldConcentration: null, newConcentration: 2.5, oldBelowLoq: true, newBelowLoq: false });
      expect(preview.find((c) => c.substance === '')).toMatchObject({ oldFlow: 1290, newFlow: 1300, oldPopulation: 4300, newPopulation: 4300 });

      await applyImport(deps(t), id, null, { skipAuthorization: true });
      expect((await listCorrections(t.db, id, 10)).length).toBe(3);
      const rows = await loadMeasurements(t.db, party.id);
      expect(rows.find((r) => r.substance === 'benzoylecgonine' && r.siteId && r.date === '2023-05-02' && r.district === 'Strängnäs tätort')!.concentration).toBe(215);
      expect(rows.find((r) => r.substance === 'amphetamine' && r.date === '2023-05-03')).toMatchObject({ concentration: 2.5, belowLoq: false });
      expect(rows.filter((r) => r.district === 'Mariefred').every((r) => r.flow === 1300)).toBe(true);
    });

    it('takes a new population from the file as the site’s population from then on', async () => {
      const { id } = await importText(t, party, [HEADER, 'MAR;;4600;2024-03-12;1350;MDMA;12;1;nej'].join('\n'));
      await applyImport(deps(t), id, null, { skipAuthorization: true });
      const mar = (await listSites(t.db, party.id)).find((s) => s.code === 'MAR')!;
      expect(mar.population).toBe(4600);
      // An older sample keeps the population it was taken with.
      const old = (await loadMeasurements(t.db, party.id)).find((r) => r.district === 'Mariefred' && r.date === '2023-05-02')!;
      expect(old.population).toBe(4300);
    });

    const bad: [string, string[], string][] = [
      ['a negative concentration', [HEADER, 'EKO;;;2023-06-01;7000;amfetamin;-3;1;'], 'rad 2, kolumn concentration_ng_per_l: koncentrationen kan inte vara negativ (-3).'],
      ['a non-numeric concentration', [HEADER, 'EKO;;;2023-06-01;7000;amfetamin;12;1;', 'EKO;;;2023-06-01;7000;MDMA;tolv;1;'], 'rad 3, kolumn concentration_ng_per_l: "tolv" är inte ett tal.'],
      ['a negative flow', [HEADER, 'EKO;;;2023-06-01;-7000;amfetamin;12;1;'], 'rad 2, kolumn flow_m3_per_day: flödet kan inte vara negativt (-7000).'],
      ['a non-numeric flow', [HEADER, 'EKO;;;2023-06-01;mycket;amfetamin;12;1;'], 'rad 2, kolumn flow_m3_per_day: "mycket" är inte ett tal.'],
      ['an unknown substance close to a known one', [HEADER, 'EKO;;;2023-06-01;7000;amfetamn;12;1;'], 'rad 2, kolumn substance: okänd substans "amfetamn". Menade du amfetamin?'],
      ['an unknown substance', [HEADER, 'EKO;;;2023-06-01;7000;koffein;12;1;'], 'rad 2, kolumn substance: okänd substans "koffein". Kända substanser: bensoylekgonin, amfetamin, metamfetamin, MDMA, THC-COOH (THCA), ketamin, kokain, morfin.'],
      ['a date that does not exist', [HEADER, 'EKO;;;2023-02-29;7000;amfetamin;12;1;'], 'rad 2, kolumn sample_date: datumet 2023-02-29 finns inte.'],
      ['a population of 0', [HEADER, 'NY;Härad;0;2023-06-01;300;amfetamin;12;1;'], 'rad 2, kolumn population: antalet anslutna invånare måste vara större än 0 (var 0).'],
      ['a missing column', ['site_code;sample_date;substance;concentration_ng_per_l;loq_ng_per_l', 'EKO;2023-06-01;amfetamin;12;1'], 'rad 1, kolumn flow_m3_per_day: kolumnen flow_m3_per_day (eller flow_l_per_day) saknas i rubrikraden.'],
      ['a new site without its district', [HEADER, 'NY;;900;2023-06-01;300;amfetamin;12;1;'], 'rad 2, kolumn district: mätpunkten NY är ny: ange dess kommundel (district).'],
      ['a repeated measurement', [HEADER, 'EKO;;;2023-06-01;7000;amfetamin;12;1;', 'EKO;;;2023-06-02;7000;amfetamin;12;1;', 'EKO;;;2023-06-01;7000;amfetamin;13;1;'], 'rad 4, kolumn substance: samma mätpunkt, datum och substans finns redan på rad 2.'],
      ['flows that disagree within one sample', [HEADER, 'EKO;;;2023-06-01;7000;amfetamin;12;1;', 'EKO;;;2023-06-01;7100;MDMA;12;1;'], 'rad 3, kolumn flow_m3_per_day: flödet skiljer sig från rad 2 för samma prov (mätpunkt EKO, 2023-06-01): alla substanser i ett prov har samma flöde.'],
    ];

    for (const [what, lines, message] of bad) {
      it(`refuses ${what}, naming line and column, and stores nothing`, async () => {
        const before = await loadMeasurements(t.db, party.id);
        const sitesBefore = await listSites(t.db, party.id);
        const { id, read } = await importText(t, party, lines.join('\n'));
        expect(read.status).toBe('failed');
        expect(read.error_message).toBe(message);
        expect(await t.db.selectFrom('wastewater_import_row').select('line').where('import_id', '=', id).execute()).toEqual([]);
        await expect(applyImport(deps(t), id, null, { skipAuthorization: true })).rejects.toMatchObject({ code: 'edit_conflict' });
        expect(await loadMeasurements(t.db, party.id)).toEqual(before);
        expect(await listSites(t.db, party.id)).toEqual(sitesBefore);
      });
    }

    /** 1 200 valid rows (more than one staging batch) and then `last`, which breaks a sample of line 2. */
    function longFile(last: string): string {
      const lines = [HEADER];
      for (let i = 0; i < 1200; i++) {
        const d = new Date(Date.UTC(2021, 0, 1 + Math.floor(i / 2))).toISOString().slice(0, 10);
        lines.push(`EKO;;;${d};7000;${i % 2 === 0 ? 'amfetamin' : 'MDMA'};12;1;`);
      }
      lines.push(last);
      return lines.join('\n');
    }

    it('finds a repeat far from the row it repeats, beyond one staging batch', async () => {
      const { read } = await importText(t, party, longFile('EKO;;;2021-01-01;7000;amfetamin;13;1;'));
      expect(read.error_message).toBe('rad 1202, kolumn substance: samma mätpunkt, datum och substans finns redan på rad 2.');
    });

    it('finds a flow or a population that disagrees with the same sample far away', async () => {
      const flow = await importText(t, party, longFile('EKO;;;2021-01-01;7100;ketamin;13;1;'));
      expect(flow.read.error_message).toBe('rad 1202, kolumn flow_m3_per_day: flödet skiljer sig från rad 2 för samma prov (mätpunkt EKO, 2021-01-01): alla substanser i ett prov har samma flöde.');
      const lines = longFile('EKO;;24000;2021-01-01;7000;ketamin;13;1;').split('\n');
      lines[1] = lines[1]!.replace('EKO;;;', 'EKO;;24500;');
      const pop = await importText(t, party, lines.join('\n'));
      expect(pop.read.error_message).toBe('rad 1202, kolumn population: antalet anslutna invånare skiljer sig från rad 2 för samma prov (mätpunkt EKO, 2021-01-01).');
    });

    it('refuses a file that is not CSV', async () => {
      const { read } = await importText(t, party, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]));
      expect(read.status).toBe('failed');
      expect(read.error_message).toMatch(/^Filen är inte en CSV-fil, den ser ut att vara en Excel-fil/);
    });

    it('keeps an uploaded file in chunks until read, and can discard a read import', async () => {
      const d = deps(t);
      const id = await startImport(d, { partyId: party.id, filename: 'upp.csv', source: 'upload', actor: null });
      const body = Buffer.from(FIRST, 'utf8');
      async function* parts() {
        for (let i = 0; i < body.length; i += 50) yield body.subarray(i, i + 50);
      }
      expect(await storeUpload(d, id, parts())).toBe(body.length);
      const read = await readImport(d, id, readChunks(t.db, id));
      expect(read).toMatchObject({ status: 'ready', rows_read: 6, bytes_total: body.length });
      await discardImport(d, id, null, { skipAuthorization: true });
      const after = await t.db.selectFrom('wastewater_import').select('status').where('id', '=', id).executeTakeFirstOrThrow();
      expect(after.status).toBe('discarded');
      expect(await t.db.selectFrom('wastewater_upload_chunk').select('seq').where('import_id', '=', id).execute()).toEqual([]);
    });
  });
}
