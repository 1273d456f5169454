import { describe, expect, it } from 'vitest';
import { messages } from '../../src/platform/i18n/index.js';
import {
  IndicatorForm,
  comparePeriods,
  expectedFrom,
  hasNumber,
  latestNumeric,
  latestPeriod,
  linkForm,
  meetsTarget,
  parsePeriod,
  periodPosition,
  seriesOf,
  trendFrom,
  valueProblem,
  type Indicator,
  type IndicatorValue,
} from '../../src/features/indicators/indicator.js';
import { formatPeriod, formatReading, formatValue, indicatorSentence } from '../../src/features/indicators/indicator-text.js';
import { checkKoladaMunicipality, ImportRefusedError, parseKoladaJson, planImport, type ImportRow, type StoredValue } from '../../src/features/indicators/indicator-import.js';
import { readIndicatorCsv } from '../../src/features/indicators/indicator-csv.js';

const sv = messages('sv');
const en = messages('en');
/** The sentences use no-break spaces before "%" and inside numbers; compare them as plain spaces. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

const v = (period: string, value: number | null, status: IndicatorValue['status'] = value === null ? 'not_yet_available' : 'final', gender: IndicatorValue['gender'] = 'T'): IndicatorValue => ({
  period,
  gender,
  value,
  status,
  previous: null,
});

const otrygghet = { name: 'Andelen som känner sig otrygga ute sent på kvällen', unit: 'percent' as const, direction: 'down' as const };

describe('indicator values: status semantics', () => {
  it('gives a number only to preliminary and final figures', () => {
    expect(hasNumber('final')).toBe(true);
    expect(hasNumber('preliminary')).toBe(true);
    expect(hasNumber('not_yet_available')).toBe(false);
    expect(hasNumber('suppressed')).toBe(false);
  });

  it('shows a missing or suppressed figure as such, never as 0', () => {
    expect(formatReading({ value: null, status: 'not_yet_available' }, 'percent', sv)).toBe('Inte tillgängligt ännu');
    expect(formatReading({ value: null, status: 'suppressed' }, 'count', sv)).toBe('Redovisas inte (för litet underlag)');
    expect(formatReading({ value: null, status: 'suppressed' }, 'count', en)).toBe('Not published (numbers too small)');
    expect(formatReading({ value: 0, status: 'final' }, 'count', sv)).toBe('0');
    expect(plain(formatReading({ value: 13, status: 'preliminary' }, 'percent', sv))).toBe('13 %');
  });

  it('takes the latest figure with a number, skipping newer periods that have none', () => {
    const series = seriesOf([v('2023', null, 'not_yet_available'), v('2021', 24), v('2022', null, 'suppressed'), v('2020', 26), v('2021', 20, 'final', 'K')]);
    expect(series.map((x) => x.period)).toEqual(['2020', '2021', '2022', '2023']);
    expect(latestNumeric(series)).toMatchObject({ period: '2021', value: 24 });
    expect(latestPeriod(series)).toMatchObject({ period: '2023', status: 'not_yet_available' });
    expect(latestNumeric(seriesOf([v('2023', null, 'suppressed')]))).toBeNull();
  });

  it('refuses shares outside 0–100 and negative values of any unit', () => {
    expect(valueProblem('percent', 100)).toBeNull();
    expect(valueProblem('percent', 0)).toBeNull();
    expect(valueProblem('percent', 100.5)).toMatch(/100,5 ligger utanför 0–100/);
    expect(valueProblem('percent', -1)).toMatch(/utanför 0–100/);
    expect(valueProblem('per_100k', 15000)).toBeNull();
    expect(valueProblem('count', -3)).toMatch(/negativt/);
  });

  it('judges the trend and the target in the desired direction', () => {
    expect(trendFrom('down', 24, 19)).toBe('better');
    expect(trendFrom('down', 19, 24)).toBe('worse');
    expect(trendFrom('up', 19, 24)).toBe('better');
    expect(trendFrom('up', 19, 19)).toBe('unchanged');
    expect(trendFrom('up', null, 19)).toBe('unknown');
    expect(meetsTarget('down', 18, 18)).toBe(true);
    expect(meetsTarget('down', 18, 17.9)).toBe(true);
    expect(meetsTarget('down', 18, 19)).toBe(false);
    expect(meetsTarget('up', 80, 81)).toBe(true);
  });
});

describe('indicator periods', () => {
  it('accepts years, months and real dates, as numbers or text', () => {
    expect(parsePeriod(2019)).toBe('2019');
    expect(parsePeriod(' 2019 ')).toBe('2019');
    expect(parsePeriod('2019-05')).toBe('2019-05');
    expect(parsePeriod('2024-02-29')).toBe('2024-02-29');
    for (const bad of ['2023-02-29', '2019-13', '19', '1850', 'år 2019', 2019.5, null, '']) expect(parsePeriod(bad)).toBeNull();
  });

  it('orders and places periods in time', () => {
    expect(['2020', '2019-05', '2019', '2019-05-14'].sort(comparePeriods)).toEqual(['2019', '2019-05', '2019-05-14', '2020']);
    expect(periodPosition('2019')).toBe(2019);
    expect(periodPosition('2019-07')).toBe(2019.5);
    expect(periodPosition('2019-01-01')).toBe(2019);
  });

  it('knows when a figure can be expected, from the reporting lag', () => {
    expect(expectedFrom('2023', 0)).toBe('2024-01');
    expect(expectedFrom('2023', 5)).toBe('2024-06');
    expect(expectedFrom('2023-11', 2)).toBe('2024-02');
  });

  it('reads periods in Swedish and English', () => {
    expect(formatPeriod('2023', sv)).toBe('2023');
    expect(formatPeriod('2023-05', sv)).toBe('maj 2023');
    expect(formatPeriod('2023-05', en)).toBe('May 2023');
    expect(formatPeriod('2023-05-14', sv)).toBe('14 maj 2023');
  });
});

describe('the indicator sentence', () => {
  const link = { baseline: { value: 24, year: 2021 }, target: { value: 18, year: 2025 } };

  it('says it the way the issue does, in Swedish', () => {
    const s = indicatorSentence(otrygghet, link, seriesOf([v('2021', 24), v('2022', 21), v('2023', 19)]), sv);
    expect(plain(s)).toBe('Andelen som känner sig otrygga ute sent på kvällen har minskat från 24 % (2021) till 19 % (2023); målet är 18 % år 2025.');
    // No line break between a number and its unit.
    expect(s).toContain('24\u00a0%');
  });

  it('and in English', () => {
    const s = indicatorSentence(otrygghet, link, seriesOf([v('2021', 24), v('2023', 19)]), en);
    expect(s).toBe('“Andelen som känner sig otrygga ute sent på kvällen” has decreased from 24% (2021) to 19% (2023); the target is 18% by 2025.');
  });

  it('says increased, unchanged, and when the target is already met', () => {
    const up = { name: 'Andelen som känner sig trygga', unit: 'percent' as const, direction: 'up' as const };
    expect(plain(indicatorSentence(up, { baseline: { value: 70, year: 2019 }, target: { value: 75, year: 2024 } }, [v('2023', 76.5)], sv))).toBe(
      'Andelen som känner sig trygga har ökat från 70 % (2019) till 76,5 % (2023); målet, 75 % år 2024, är redan nått.',
    );
    expect(indicatorSentence(up, { baseline: { value: 70, year: 2019 }, target: { value: 75, year: 2024 } }, [v('2023', 76.5)], en)).toBe(
      '“Andelen som känner sig trygga” has increased from 70% (2019) to 76.5% (2023); the target, 75% by 2024, has already been reached.',
    );
    expect(plain(indicatorSentence(up, { baseline: { value: 70, year: 2019 }, target: null }, [v('2022', 70)], sv))).toBe(
      'Andelen som känner sig trygga har inte förändrats: 70 % (2019) och 70 % (2022).',
    );
  });

  it('marks a preliminary figure and uses the unit', () => {
    const crime = { name: 'Anmälda våldsbrott', unit: 'per_100k' as const, direction: 'down' as const };
    expect(plain(indicatorSentence(crime, { baseline: { value: 1234.5, year: 2019 }, target: null }, [v('2023', 1100, 'preliminary')], sv))).toBe(
      'Anmälda våldsbrott har minskat från 1 234,5 per 100 000 invånare (2019) till 1 100 per 100 000 invånare (2023, preliminärt).',
    );
    expect(indicatorSentence(crime, { baseline: { value: 1234.5, year: 2019 }, target: null }, [v('2023', 1100, 'preliminary')], en)).toBe(
      '“Anmälda våldsbrott” has decreased from 1,234.5 per 100,000 inhabitants (2019) to 1,100 per 100,000 inhabitants (2023, preliminary).',
    );
  });

  it('compares with the latest number, and says why a newer period has none', () => {
    const can = { name: 'Andelen elever i åk 9 som vill prova narkotika', unit: 'percent' as const, direction: 'down' as const };
    const ref = { baseline: { value: 13, year: 2019 }, target: { value: 10, year: 2023 } };
    expect(plain(indicatorSentence(can, ref, [v('2019', 13), v('2023', null, 'not_yet_available')], sv))).toBe(
      'Andelen elever i åk 9 som vill prova narkotika: utgångsvärdet är 13 % (2019); målet är 10 % år 2023. Värdet för 2023 är inte tillgängligt ännu.',
    );
    expect(indicatorSentence(can, ref, [v('2019', 13), v('2021', 11), v('2023', null, 'suppressed')], en)).toBe(
      '“Andelen elever i åk 9 som vill prova narkotika” has decreased from 13% (2019) to 11% (2021); the target is 10% by 2023. The value for 2023 is not published because the numbers are too small.',
    );
    // A suppressed figure is never read as 0: with only that, there is nothing to compare.
    expect(plain(indicatorSentence(can, { baseline: null, target: null }, [v('2023', null, 'suppressed')], sv))).toBe(
      'Andelen elever i åk 9 som vill prova narkotika: det finns inga värden ännu. Värdet för 2023 redovisas inte, eftersom underlaget är för litet.',
    );
  });

  it('works without a baseline or without any values', () => {
    expect(plain(indicatorSentence(otrygghet, { baseline: null, target: { value: 18, year: 2025 } }, [v('2023', 19)], sv))).toBe(
      'Andelen som känner sig otrygga ute sent på kvällen var 19 % (2023); målet är 18 % år 2025.',
    );
    expect(indicatorSentence(otrygghet, { baseline: null, target: null }, [], en)).toBe('“Andelen som känner sig otrygga ute sent på kvällen”: no values are available yet.');
    expect(plain(indicatorSentence(otrygghet, { baseline: { value: 24, year: 2021 }, target: null }, [], sv))).toBe(
      'Andelen som känner sig otrygga ute sent på kvällen: utgångsvärdet är 24 % (2021), och nyare värden finns inte ännu.',
    );
    expect(plain(formatValue(12.345, 'mg_per_day_per_1000', sv))).toBe('12,35 mg/dygn per 1 000 invånare');
  });
});

describe('indicator forms', () => {
  const base = { partyId: 'p', name: 'Anmälda brott', unit: 'per_100k', direction: 'down', source: 'kolada', koladaKpi: 'n07540', level: 'municipality' };

  it('takes the Kolada id as the code when none is given', () => {
    const f = IndicatorForm.parse(base);
    expect(f).toMatchObject({ code: 'N07540', koladaKpi: 'N07540', reportingLagMonths: 0, areaName: null });
  });

  it('asks for what each source and level needs', () => {
    const issues = (input: Record<string, string>) => IndicatorForm.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ ...base, koladaKpi: 'X1' })).toEqual([expect.stringMatching(/^koladaKpi: Ange nyckeltalets id i Kolada/)]);
    expect(issues({ ...base, source: 'can', code: 'can-prova' })).toEqual([
      'koladaKpi: Bara indikatorer med källan Kolada har ett Kolada-id. Lämna fältet tomt.',
    ]);
    expect(issues({ ...base, source: 'can', koladaKpi: '' })).toEqual([expect.stringMatching(/^code: Ange en kort kod/)]);
    expect(issues({ ...base, level: 'district' })).toEqual(['areaName: Ange vilken kommundel indikatorn mäter, t.ex. Mariefred.']);
    expect(issues({ ...base, reportingLagMonths: '61' })).toEqual(['reportingLagMonths: Ange ett helt antal månader, 0–60.']);
  });

  it('checks baseline and target against the unit, with decimal commas', () => {
    const form = linkForm('percent');
    expect(form.parse({ baselineValue: '13,5', baselineYear: '2019', targetValue: '10', targetYear: '2023' })).toMatchObject({ baselineValue: 13.5, targetValue: 10 });
    const msgs = (input: Record<string, string>) => form.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(msgs({ baselineValue: '130', baselineYear: '2019' })).toEqual(['baselineValue: 130 ligger utanför 0–100, som en andel i procent måste göra.']);
    expect(msgs({ baselineValue: '13' })).toEqual(['baselineYear: Ange vilket år utgångsvärdet gäller.']);
    expect(msgs({ targetValue: 'tio', targetYear: '2023' })).toEqual(['targetValue: Ange ett tal, t.ex. 13 eller 13,5.']);
    expect(msgs({ baselineValue: '13', baselineYear: '2023', targetValue: '10', targetYear: '2019' })).toEqual(['targetYear: Målåret kan inte ligga före utgångsåret.']);
  });
});

const koladaAnswer = (over: Record<string, unknown>[] = []) =>
  JSON.stringify({
    count: 3,
    values: [
      { kpi: 'N07540', municipality: '0486', period: 2021, values: [{ count: 1, gender: 'T', status: '', value: 9512.4 }] },
      { kpi: 'N07540', municipality: '0486', period: 2022, values: [{ count: 1, gender: 'T', status: 'Preliminärt', value: 9100 }] },
      { kpi: 'N07540', municipality: '0486', period: 2023, values: [{ count: 1, gender: 'T', status: 'Missing', value: null }] },
      ...over,
    ],
  });

function refusal(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImportRefusedError) return err.issues.map((i) => `${i.ref}${i.column ? ` [${i.column}]` : ''}: ${i.message}`);
    throw err;
  }
  throw new Error('expected a refusal');
}

async function refusalAsync(fn: () => Promise<unknown>): Promise<string[]> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ImportRefusedError) return err.issues.map((i) => `${i.ref}${i.column ? ` [${i.column}]` : ''}: ${i.message}`);
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('Kolada JSON', () => {
  it('reads the API answer: statuses, genders, missing values', () => {
    const f = parseKoladaJson(`\uFEFF${koladaAnswer([{ kpi: 'N07403', municipality: '0486', period: '2021', values: [{ gender: 'K', status: '', value: 1 }, { gender: 'M', status: 'sekretess', value: null }] }])}`);
    expect(f.rows.map(({ key, period, gender, value, status }) => ({ key, period, gender, value, status }))).toEqual([
      { key: 'N07540', period: '2021', gender: 'T', value: 9512.4, status: 'final' },
      { key: 'N07540', period: '2022', gender: 'T', value: 9100, status: 'preliminary' },
      { key: 'N07540', period: '2023', gender: 'T', value: null, status: 'not_yet_available' },
      { key: 'N07403', period: '2021', gender: 'K', value: 1, status: 'final' },
      { key: 'N07403', period: '2021', gender: 'M', value: null, status: 'suppressed' },
    ]);
    expect([...f.municipalities.keys()]).toEqual(['0486']);
  });

  it('refuses a file for another municipality than the one chosen, naming it', () => {
    const f = parseKoladaJson(koladaAnswer([{ kpi: 'N07540', municipality: '0428', period: 2021, values: [{ gender: 'T', status: '', value: 5 }] }]));
    expect(refusal(() => checkKoladaMunicipality(f, { code: '0486', name: 'Strängnäs kommun' }, new Map([['0428', 'Vingåkers kommun']])))).toEqual([
      'post 4 [municipality]: Filen har värden för kommun 0428 (Vingåkers kommun), men du importerar till Strängnäs kommun (0486). Hämta filen för rätt kommun eller välj den kommun filen gäller.',
    ]);
    expect(() => checkKoladaMunicipality(parseKoladaJson(koladaAnswer()), { code: '0486', name: 'Strängnäs kommun' })).not.toThrow();
  });

  it('names every bad entry and field', () => {
    const bad = JSON.stringify({
      values: [
        { kpi: 'X', municipality: 486, period: 'nyss', values: [] },
        { kpi: 'N07540', municipality: '0486', period: 2021, values: [{ gender: 'F', status: '', value: '12' }, { gender: 'T', status: 'Konstig', value: 3 }] },
      ],
    });
    expect(refusal(() => parseKoladaJson(bad))).toEqual([
      'post 1 [kpi]: "X" är inget id för ett nyckeltal i Kolada (N eller U och fem siffror, t.ex. N07540).',
      'post 1 [municipality]: Kommunkoden 486 är ett tal; Kolada skriver den som text med fyra siffror, t.ex. "0486".',
      'post 1 [period]: "nyss" är inget år mellan 1990 och 2100.',
      'post 2, värde 1 [gender]: "F" är inget kön som Kolada redovisar (T, K eller M).',
      'post 2, värde 1 [value]: "12" är inte ett tal.',
      'post 2, värde 2 [status]: Okänd status "Konstig" för ett värde. Kända: tom, Missing, preliminär, sekretess.',
    ]);
    expect(refusal(() => parseKoladaJson('{"values": ['))[0]).toMatch(/^filen: Filen är inte giltig JSON/);
    expect(refusal(() => parseKoladaJson('[1,2]'))[0]).toMatch(/^filen: Filen har inte formen från Koladas API/);
    expect(refusal(() => parseKoladaJson('{"values": []}'))).toEqual(['filen: Filen innehåller inga värden ("values" är tom).']);
  });
});

describe('the generic CSV', () => {
  it('reads ; with decimal commas and a BOM, , with points, Swedish column names and statuses', async () => {
    const rows = await readIndicatorCsv('\uFEFFindicator;period;value;gender;status\r\ncan-prova;2019;13,5;T;final\ncan-prova;2023;;;saknas\ncan-prova;2021;;K;sekretess\n\ncan-prova;2022;12;;preliminär\n');
    expect(rows.map(({ ref, key, period, gender, value, status }) => ({ ref, key, period, gender, value, status }))).toEqual([
      { ref: 'rad 2', key: 'can-prova', period: '2019', gender: 'T', value: 13.5, status: 'final' },
      { ref: 'rad 3', key: 'can-prova', period: '2023', gender: 'T', value: null, status: 'not_yet_available' },
      { ref: 'rad 4', key: 'can-prova', period: '2021', gender: 'K', value: null, status: 'suppressed' },
      { ref: 'rad 6', key: 'can-prova', period: '2022', gender: 'T', value: 12, status: 'preliminary' },
    ]);
    const sv2 = await readIndicatorCsv('indikator,år,värde\nN07540,2021,9512.4\n');
    expect(sv2).toMatchObject([{ key: 'N07540', period: '2021', value: 9512.4, status: 'final', gender: 'T' }]);
  });

  it('refuses with the row and column of each problem', async () => {
    expect(await refusalAsync(() => readIndicatorCsv('indicator;period\nx;2019\n'))).toEqual([
      'rad 1: Kolumnen value saknas i rubrikraden. Filen ska ha kolumnerna indicator, period, value, gender, status (gender och status får utelämnas). Rubrikraden var: indicator, period.',
    ]);
    expect(
      await refusalAsync(() =>
        readIndicatorCsv('indicator;period;value;gender;status\n;2019;1;;\nx;19;1;;\nx;2019;tretton;;\nx;2019;;;\nx;2019;5;;saknas\nx;2019;5;X;\nx;2019;5;;kanske\n'),
      ),
    ).toEqual([
      'rad 2 [indicator]: Ange indikatorns kod, t.ex. N07540 eller can-vill-prova.',
      'rad 3 [period]: "19" är ingen period. Skriv ett år (2023), en månad (2023-05) eller ett datum (2023-05-14).',
      'rad 4 [value]: "tretton" är inte ett tal. Skriv t.ex. 13 eller 13,5, utan enhet.',
      'rad 5 [value]: Värdet saknas. Ange ett tal, eller status not_yet_available (inte tillgängligt ännu) eller suppressed (för litet underlag).',
      'rad 6 [value]: Ett värde med status saknas kan inte ha ett tal: lämna värdet tomt. Det visas som "inte tillgängligt ännu", aldrig som 0.',
      'rad 7 [gender]: "X" är inget kön. Skriv T (totalt), K (kvinnor) eller M (män), eller lämna tomt för totalt.',
      'rad 8 [status]: "kanske" är ingen status. Skriv final, preliminary, not_yet_available eller suppressed (eller slutlig, preliminär, saknas, sekretess).',
    ]);
    expect(await refusalAsync(() => readIndicatorCsv(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 1])))).toEqual([expect.stringMatching(/^filen: Filen är inte en CSV-fil, den ser ut att vara en Excel-fil/)]);
    expect(await refusalAsync(() => readIndicatorCsv('indicator;period;value\n'))).toEqual(['filen: Filen innehåller inga värden, bara en rubrikrad.']);
  });
});

describe('the import plan', () => {
  const indicator = (code: string, unit: Indicator['unit'] = 'percent'): Indicator => ({
    id: `id-${code}`,
    partyId: 'p',
    code,
    name: code,
    definition: '',
    unit,
    direction: 'down',
    source: 'can',
    koladaKpi: null,
    sourceDetail: '',
    level: 'municipality',
    areaName: null,
    reportingLagMonths: 0,
    isDemo: false,
    version: 1,
  });
  const can = indicator('can');
  const resolve = (k: string) => (k === 'can' ? can : null);
  const row = (ref: string, period: string, value: number | null, status: ImportRow['status'] = value === null ? 'not_yet_available' : 'final', key = 'can'): ImportRow => ({ ref, key, period, gender: 'T', value, status });
  const stored = (entries: [string, StoredValue][]) => new Map([[can.id, new Map(entries.map(([p, s]) => [`${p}|T`, s]))]]);
  const unknown = (k: string) => `okänd ${k}`;

  it('classifies each figure as new, unchanged, a status change or a correction', () => {
    const plan = planImport(
      [row('rad 2', '2019', 13), row('rad 3', '2020', 12), row('rad 4', '2021', 11, 'final'), row('rad 5', '2022', 10), row('rad 6', '2023', 9), row('rad 7', '2019', 13)],
      resolve,
      stored([
        ['2019', { value: 13, status: 'final' }],
        ['2020', { value: 12.5, status: 'final' }],
        ['2021', { value: 11, status: 'preliminary' }],
        ['2022', { value: null, status: 'not_yet_available' }],
      ]),
      unknown,
    );
    const p = plan.indicators[0]!;
    expect(p.unchanged).toBe(1);
    expect(p.corrections.map((c) => [c.period, c.before, c.after])).toEqual([['2020', { value: 12.5, status: 'final' }, { value: 12, status: 'final' }]]);
    expect(p.statusChanged.map((c) => c.period)).toEqual(['2021', '2022']);
    expect(p.added.map((c) => c.period)).toEqual(['2023']);
    expect(plan.duplicates).toBe(1);
  });

  it('refuses values outside 0–100 for a share, unknown indicators, and conflicting duplicates, each with its row', () => {
    expect(refusal(() => planImport([row('rad 2', '2019', 113), row('rad 3', '2019', 5, 'final', 'nej'), row('rad 4', '2020', 5), row('rad 9', '2020', 6)], resolve, new Map(), unknown))).toEqual([
      'rad 2 [value]: 113 ligger utanför 0–100, som en andel i procent måste göra.',
      'rad 3 [indicator]: okänd nej',
      'rad 9 [value]: 2020 (kön T) för can finns redan på rad 4 med ett annat värde. Ta bort den ena raden; filen får inte säga två saker om samma period.',
    ]);
  });
});
