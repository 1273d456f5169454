import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyOf } from '../../src/features/audit/audit.js';
import { ImportRefusedError } from '../../src/features/indicators/indicator-import.js';
import { listValues } from '../../src/features/indicators/indicator-repo.js';
import { defineIndicator, importIndicatorValues, importSummary, linkIndicator, pledgeIndicators } from '../../src/features/indicators/indicator-service.js';
import type { Indicator } from '../../src/features/indicators/indicator.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { targets, type TestDatabase } from '../support/databases.js';
import { buildMunicipality, buildPledge } from '../support/factories.js';

const BY = { actor: null, label: 'test' };

const kolada = (municipality: string, values: [number, number | null, string][], kpi = 'N07540') =>
  JSON.stringify({ count: values.length, values: values.map(([period, value, status]) => ({ kpi, municipality, period, values: [{ count: 1, gender: 'T', status, value }] })) });

async function refusal(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ImportRefusedError) return err.issues.map((i) => `${i.ref}${i.column ? ` [${i.column}]` : ''}: ${i.message}`);
    throw err;
  }
  throw new Error('expected the import to be refused');
}

for (const target of targets) {
  describe.skipIf(target.skip)(`indicator imports on ${target.name}`, () => {
    let t: TestDatabase;
    let deps: { db: TestDatabase['db']; clock: () => Date };
    let kommun: Party;
    let crime: Indicator;
    let can: Indicator;

    beforeAll(async () => {
      t = await target.open();
      let tick = Date.parse('2026-03-01T10:00:00Z');
      deps = { db: t.db, clock: () => new Date((tick += 1000)) };
      kommun = await buildMunicipality(t.db, { municipalityCode: '0486', name: 'Strängnäs kommun', slug: 'strangnas-test' });
      await buildMunicipality(t.db, { municipalityCode: '0428', name: 'Vingåkers kommun', slug: 'vingaker-test' });
      crime = await defineIndicator(deps, { partyId: kommun.id, name: 'Anmälda brott totalt', unit: 'per_100k', direction: 'down', source: 'kolada', koladaKpi: 'N07540', level: 'municipality', reportingLagMonths: '4' }, BY);
      can = await defineIndicator(deps, { partyId: kommun.id, code: 'can-prova', name: 'Andelen elever i åk 9 som vill prova narkotika', unit: 'percent', direction: 'down', source: 'can', level: 'municipality' }, BY);
    });
    afterAll(async () => t?.dispose());

    it('imports a Kolada answer, and a second run of the same file changes nothing', async () => {
      const file = kolada('0486', [
        [2021, 9512.4, ''],
        [2022, 9100, 'Preliminärt'],
        [2023, null, 'Missing'],
      ]);
      const dry = await importIndicatorValues(deps, BY, { partyId: kommun.id, format: 'kolada', text: file, dryRun: true });
      expect(importSummary(dry.plan)).toBe('3 nya värden, 0 rättelser, 0 ändrade statusar, 0 oförändrade');
      expect(await listValues(t.db, crime.id)).toEqual([]);

      const first = await importIndicatorValues(deps, BY, { partyId: kommun.id, format: 'kolada', text: file, fileName: 'kolada.json', dryRun: false });
      expect(first.changed).toBe(true);
      expect(await listValues(t.db, crime.id)).toEqual([
        { period: '2021', gender: 'T', value: 9512.4, status: 'final', previous: null },
        { period: '2022', gender: 'T', value: 9100, status: 'preliminary', previous: null },
        { period: '2023', gender: 'T', value: null, status: 'not_yet_available', previous: null },
      ]);
      const again = await importIndicatorValues(deps, BY, { partyId: kommun.id, format: 'kolada', text: file, dryRun: false });
      expect(again.changed).toBe(false);
      expect(importSummary(again.plan)).toBe('0 nya värden, 0 rättelser, 0 ändrade statusar, 3 oförändrade');
      // One audit row for the import that changed something, none for the re-run.
      const history = (await historyOf(t.db, 'indicator', crime.id)).filter((e) => e.action === 'indicator.import');
      expect(history).toHaveLength(1);
      expect(history[0]!.after).toMatchObject({ format: 'kolada', file: 'kolada.json', added: [{ period: '2021' }, { period: '2022' }, { period: '2023' }] });
    });

    it('reports a changed figure as a correction and keeps what it said before', async () => {
      const file = kolada('0486', [
        [2021, 9498.1, ''],
        [2022, 9100, ''],
        [2023, 8800, ''],
      ]);
      const r = await importIndicatorValues(deps, BY, { partyId: kommun.id, format: 'kolada', text: file, dryRun: false });
      expect(importSummary(r.plan)).toBe('0 nya värden, 1 rättelse, 2 ändrade statusar, 0 oförändrade');
      // The 2023 figure that was not yet available arrives (a status change); 2022 becomes final; 2021 is corrected.
      expect(r.plan.indicators[0]!.corrections).toMatchObject([{ period: '2021', before: { value: 9512.4, status: 'final' }, after: { value: 9498.1, status: 'final' } }]);
      const values = await listValues(t.db, crime.id);
      expect(values[0]).toMatchObject({ period: '2021', value: 9498.1, previous: { value: 9512.4, status: 'final' } });
      expect(values[0]!.previous!.correctedAt).toMatch(/^2026-03-01T/);
      expect(values[2]).toMatchObject({ period: '2023', value: 8800, status: 'final', previous: null });
      const audit = (await historyOf(t.db, 'indicator', crime.id)).find((e) => e.action === 'indicator.import' && (e.after as { corrections: unknown[] }).corrections.length > 0);
      expect(audit?.after).toMatchObject({ corrections: [{ period: '2021', before: { value: 9512.4 }, after: { value: 9498.1 } }] });
    });

    it('refuses a Kolada file for another municipality, and stores nothing of it', async () => {
      const file = JSON.stringify({
        values: [
          { kpi: 'N07540', municipality: '0486', period: 2024, values: [{ gender: 'T', status: '', value: 1 }] },
          { kpi: 'N07540', municipality: '0428', period: 2024, values: [{ gender: 'T', status: '', value: 2 }] },
        ],
      });
      expect(await refusal(importIndicatorValues(deps, BY, { partyId: kommun.id, format: 'kolada', text: file, dryRun: false }))).toEqual([
        'post 2 [municipality]: Filen har värden för kommun 0428 (Vingåkers kommun), men du importerar till Strängnäs kommun (0486). Hämta filen för rätt kommun eller välj den kommun filen gäller.',
      ]);
      expect((await listValues(t.db, crime.id)).map((v) => v.period)).toEqual(['2021', '2022', '2023']);
    });

    it('refuses a KPI the municipality has no indicator for', async () => {
      const file = kolada('0486', [[2021, 500, '']], 'N07403');
      expect(await refusal(importIndicatorValues(deps, BY, { partyId: kommun.id, format: 'kolada', text: file, dryRun: false }))).toEqual([
        expect.stringMatching(/^post 1, värde 1 \(N07403, 0486, 2021, kön T\) \[indicator\]: Strängnäs kommun har ingen indikator för Kolada-nyckeltalet N07403/),
      ]);
    });

    it('imports the generic CSV all or nothing: one share above 100 stores none of the file', async () => {
      const bad = 'indicator;period;value;gender;status\ncan-prova;2019;13;T;final\nCAN-PROVA;2021;;T;suppressed\ncan-prova;2023;113;T;preliminary\n';
      expect(await refusal(importIndicatorValues(deps, BY, { partyId: kommun.id, format: 'csv', text: bad, dryRun: false }))).toEqual([
        'rad 4 [value]: 113 ligger utanför 0–100, som en andel i procent måste göra.',
      ]);
      expect(await listValues(t.db, can.id)).toEqual([]);

      const good = bad.replace('113', '11,5');
      const r = await importIndicatorValues(deps, BY, { partyId: kommun.id, format: 'csv', text: good, dryRun: false });
      expect(importSummary(r.plan)).toBe('3 nya värden, 0 rättelser, 0 ändrade statusar, 0 oförändrade');
      expect(await listValues(t.db, can.id)).toEqual([
        { period: '2019', gender: 'T', value: 13, status: 'final', previous: null },
        { period: '2021', gender: 'T', value: null, status: 'suppressed', previous: null },
        { period: '2023', gender: 'T', value: 11.5, status: 'preliminary', previous: null },
      ]);
      // The Kolada id works as the code of a Kolada indicator in the CSV too.
      const mixed = await importIndicatorValues(deps, BY, { partyId: kommun.id, format: 'csv', text: 'indicator,period,value\nN07540,2021,9498.1\ncan-prova,2019,13\n', dryRun: false });
      expect(mixed.changed).toBe(false);
    });

    it('refuses an unknown code with the codes that exist, and a file with two values for one period', async () => {
      expect(await refusal(importIndicatorValues(deps, BY, { partyId: kommun.id, format: 'csv', text: 'indicator;period;value\notrygghet;2021;24\n', dryRun: false }))).toEqual([
        'rad 2 [indicator]: Strängnäs kommun har ingen indikator med koden "otrygghet". Koderna som finns är: can-prova, N07540.',
      ]);
      expect(await refusal(importIndicatorValues(deps, BY, { partyId: kommun.id, format: 'csv', text: 'indicator;period;value\ncan-prova;2025;10\ncan-prova;2025;12\n', dryRun: false }))).toEqual([
        'rad 3 [value]: 2025 (kön T) för can-prova finns redan på rad 2 med ett annat värde. Ta bort den ena raden; filen får inte säga två saker om samma period.',
      ]);
    });

    it('has the database refuse a number on a figure that is not yet available, even as 0', async () => {
      const before = await listValues(t.db, can.id);
      const row = (period: string, value: number | null, status: 'final' | 'not_yet_available' | 'suppressed') => ({
        id: crypto.randomUUID(), indicator_id: can.id, period, gender: 'T' as const, value, status, created_at: 'x', updated_at: 'x',
      });
      for (const bad of [row('2031', 0, 'not_yet_available'), row('2031', 3, 'suppressed'), row('2031', null, 'final')]) {
        await expect(
          t.db.transaction().execute(async (trx) => {
            await trx.insertInto('indicator_value').values(row('2030', 1, 'final')).execute();
            await trx.insertInto('indicator_value').values(bad).execute();
          }),
        ).rejects.toThrow();
      }
      expect(await listValues(t.db, can.id)).toEqual(before);
    });

    it('shows linked indicators on a public pledge only, never on a draft', async () => {
      const signed = await buildPledge(t.db, { state: 'signed' });
      const draft = await buildPledge(t.db, { state: 'draft' });
      const ind = async (partyId: string) =>
        defineIndicator(deps, { partyId, code: 'otrygghet', name: 'Andelen som känner sig otrygga', unit: 'percent', direction: 'down', source: 'trygghetsmatning', level: 'municipality' }, BY);
      const a = await ind(signed.municipality.id);
      const b = await ind(draft.municipality.id);
      const fa = (p: typeof signed) => p.pledge.focusAreas[0]!;
      await linkIndicator(deps, null, a.id, { place: `fa:${fa(signed).id}`, baselineValue: '24', baselineYear: '2021', targetValue: '18', targetYear: '2025' }, BY);
      await linkIndicator(deps, null, b.id, { place: `c:${fa(draft).commitments[0]!.id}`, baselineValue: '', baselineYear: '', targetValue: '', targetYear: '' }, BY);
      const shown = await pledgeIndicators(t.db, signed.pledge.id, [fa(signed).id]);
      expect(shown).toMatchObject([{ indicator: { id: a.id }, baseline: { value: 24, year: 2021 }, target: { value: 18, year: 2025 }, commitmentTitle: null }]);
      expect(await pledgeIndicators(t.db, draft.pledge.id, [fa(draft).id])).toEqual([]);
    });
  });
}
