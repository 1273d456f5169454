import { describe, expect, it } from 'vitest';
import { CsvError } from '../../src/platform/csv.js';
import { mapColumns, normaliseHeader, parseLabRecord, SiteBook } from '../../src/features/wastewater/lab-file.js';
import { substanceFromLabName, suggestSubstance } from '../../src/features/wastewater/substances.js';

const CANON = ['site_code', 'district', 'population', 'sample_date', 'flow_m3_per_day', 'substance', 'concentration_ng_per_l', 'loq_ng_per_l', 'below_loq'];
const map = mapColumns(CANON);
const row = (cells: Partial<Record<string, string>>, line = 2) => parseLabRecord({ line, fields: CANON.map((c) => cells[c] ?? '') }, map);
const ok = { site_code: 'EKO', sample_date: '2023-05-02', flow_m3_per_day: '7 350', substance: 'amfetamin', concentration_ng_per_l: '480,5', loq_ng_per_l: '2' };

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof CsvError) return err.message;
    throw err;
  }
  throw new Error('no error');
}

describe('lab file header', () => {
  it('accepts µg/m³ as ng/L and L/day as a thousandth of m³/day', () => {
    expect(normaliseHeader('Concentration (µg/m³)')).toBe('concentration_ug_per_m3');
    expect(normaliseHeader('LOQ µg/m3')).toBe('loq_ug_per_m3');
    const m = mapColumns(['site_code', 'sample_date', 'flow_l_per_day', 'substance', 'concentration_µg_per_m³', 'loq_ug_per_m3']);
    expect(m.flowFactor).toBe(0.001);
    const r = parseLabRecord({ line: 2, fields: ['EKO', '2023-05-02', '7350000', 'MDMA', '12', '1'] }, m);
    expect(r).toMatchObject({ flow: 7350, concentration: 12, loq: 1, substance: 'mdma' });
  });

  it('refuses two columns that mean the same thing', () => {
    expect(error(() => mapColumns([...CANON, 'concentration_ug_per_m3']))).toBe(
      'rad 1, kolumn concentration_ug_per_m3: kolumnerna concentration_ng_per_l och concentration_ug_per_m3 betyder samma sak; ta bort den ena.',
    );
  });
});

describe('one lab row', () => {
  it('reads decimal commas and spaces in numbers', () => {
    expect(row(ok)).toEqual({ line: 2, siteCode: 'EKO', district: null, population: null, sampleDate: '2023-05-02', flow: 7350, substance: 'amphetamine', concentration: 480.5, loq: 2, belowLoq: false });
  });

  it('understands "<LOQ" and "<0,5" without a below_loq column, and a measured value under the LOQ', () => {
    expect(row({ ...ok, concentration_ng_per_l: '<LOQ' })).toMatchObject({ concentration: null, loq: 2, belowLoq: true });
    expect(row({ ...ok, concentration_ng_per_l: '< 0,5', loq_ng_per_l: '' })).toMatchObject({ concentration: null, loq: 0.5, belowLoq: true });
    expect(row({ ...ok, concentration_ng_per_l: '1,2' })).toMatchObject({ concentration: 1.2, belowLoq: true });
    expect(row({ ...ok, below_loq: 'ja', concentration_ng_per_l: '' })).toMatchObject({ concentration: null, belowLoq: true });
    expect(row({ ...ok, below_loq: 'nej' })).toMatchObject({ belowLoq: false });
  });

  it('refuses contradictions and unreadable cells, naming the column', () => {
    expect(error(() => row({ ...ok, concentration_ng_per_l: '<LOQ', below_loq: 'nej' }))).toBe('rad 2, kolumn below_loq: raden säger både "<LOQ" och att värdet inte är under LOQ.');
    expect(error(() => row({ ...ok, below_loq: 'kanske' }))).toBe('rad 2, kolumn below_loq: "kanske" går inte att läsa; skriv ja eller nej (eller 1/0, true/false).');
    expect(error(() => row({ ...ok, concentration_ng_per_l: '' }))).toBe('rad 2, kolumn concentration_ng_per_l: koncentrationen saknas.');
    expect(error(() => row({ ...ok, sample_date: '2/5/2023' }))).toBe('rad 2, kolumn sample_date: "2/5/2023" är inte ett datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2023-05-02.');
    expect(error(() => row({ ...ok, flow_m3_per_day: '0' }))).toBe('rad 2, kolumn flow_m3_per_day: flödet måste vara större än 0.');
    expect(error(() => row({ ...ok, population: '2500,5' }))).toBe('rad 2, kolumn population: antalet anslutna invånare ska vara ett heltal, inte 2500,5.');
    expect(error(() => row({ ...ok, loq_ng_per_l: '0' }))).toBe('rad 2, kolumn loq_ng_per_l: kvantifieringsgränsen måste vara större än 0 (var 0).');
  });

  it('knows the Swedish and English names of each substance, and suggests the closest', () => {
    for (const [name, code] of [
      ['bensoylekgonin', 'benzoylecgonine'],
      ['Benzoylecgonine', 'benzoylecgonine'],
      ['THC-COOH', 'thc_cooh'],
      ['THCA', 'thc_cooh'],
      ['metamfetamin', 'methamphetamine'],
      ['Ketamin', 'ketamine'],
      ['kokain', 'cocaine'],
      ['MDMA', 'mdma'],
    ] as const)
      expect(substanceFromLabName(name)).toBe(code);
    expect(suggestSubstance('bensoylekgonine')).toBe('bensoylekgonin');
    expect(suggestSubstance('THC-COO')).toBe('THC-COOH');
    expect(suggestSubstance('vatten')).toBeNull();
  });
});

describe('sites in a file', () => {
  it('lets a known site leave district and population out, and refuses a contradicting district', () => {
    const book = new SiteBook(new Map([['EKO', { code: 'EKO', district: 'Strängnäs tätort', population: 24_500 }]]));
    book.check(row(ok), map);
    expect(error(() => book.check(row({ ...ok, district: 'Mariefred' }, 5), map))).toBe('rad 5, kolumn district: mätpunkten EKO hör till kommundelen Strängnäs tätort, inte Mariefred.');
    expect(error(() => book.check(row({ ...ok, site_code: 'NY', district: 'Härad' }, 6), map))).toBe('rad 6, kolumn population: mätpunkten NY är ny: ange antalet anslutna invånare (population).');
    book.check(row({ ...ok, site_code: 'NY', district: 'Härad', population: '900' }, 7), map);
    // Later rows of the new site may leave both out.
    book.check(row({ ...ok, site_code: 'NY' }, 8), map);
    expect([...book.created.keys()]).toEqual(['NY']);
  });
});
