import { describe, expect, it } from 'vitest';
import { CORRECTION_SETS, correctionFactor } from '../../src/features/wastewater/correction-factors.js';
import {
  correctedAmphetamine,
  dailyLoad,
  dayKind,
  effectiveConcentration,
  estimatedConsumption,
  isoWeek,
  populationNormalisedLoad,
  populationWeightedTotal,
  samplingWeekOf,
  weekdayMean,
  weekendMean,
  weekMean,
  type DayValue,
} from '../../src/features/wastewater/computation.js';
import { parseReference, summariseReference } from '../../src/features/wastewater/reference.js';
import { buildSeries, type MeasurementRow, type SeriesOptions } from '../../src/features/wastewater/series.js';

/** Every expected number here was worked out by hand (shown in the comments), not by the code under test. */

const day = (date: string, value: number, belowLoq = false): DayValue => ({ date, value, belowLoq, population: 1000 });

describe('formulas', () => {
  it('load, population-normalised load and estimated consumption', () => {
    // 500 ng/L × 10 000 m³/day = 5e9 ng/day = 5 g/day
    expect(dailyLoad(500, 10_000)).toBeCloseTo(5, 12);
    // 5 g/day = 5 000 mg/day over 50 thousand inhabitants = 100 mg/day/1000 inh
    expect(populationNormalisedLoad(500, 10_000, 50_000)).toBeCloseTo(100, 12);
    expect(estimatedConsumption(100, 2.33)).toBeCloseTo(233, 12);
  });

  it('counts below-LOQ values as 0, or LOQ/2 as a sensitivity option', () => {
    expect(effectiveConcentration({ concentration: 0.3, loq: 2, belowLoq: true }, 'zero')).toBe(0);
    expect(effectiveConcentration({ concentration: null, loq: 2, belowLoq: true }, 'half-loq')).toBe(1);
    expect(effectiveConcentration({ concentration: null, loq: null, belowLoq: true }, 'half-loq')).toBe(0);
    expect(effectiveConcentration({ concentration: 12.5, loq: 2, belowLoq: false }, 'half-loq')).toBe(12.5);
  });

  it('derives the correction factors from molar masses and excretion fractions as published', () => {
    const cf = (set: 'refined' | 'zuccato2008', s: Parameters<typeof correctionFactor>[1]) => correctionFactor(set, s)!.cf;
    // (303.36 / 289.33) / 0.45 = 2.330; / 0.292 = 3.591
    expect(cf('zuccato2008', 'benzoylecgonine')).toBe(2.33);
    expect(cf('refined', 'benzoylecgonine')).toBe(3.59);
    expect(cf('zuccato2008', 'amphetamine')).toBe(3.33);
    expect(cf('refined', 'amphetamine')).toBe(2.77);
    expect(cf('zuccato2008', 'methamphetamine')).toBe(2.33);
    expect(cf('zuccato2008', 'mdma')).toBe(1.54);
    expect(cf('refined', 'mdma')).toBe(4.44);
    // (314.47 / 344.45) / 0.006 = 152.2, cited as 152
    expect(Math.round(cf('zuccato2008', 'thc_cooh'))).toBe(152);
    // (369.42 / 285.34) / 0.42 = 3.083
    expect(cf('zuccato2008', 'morphine')).toBe(3.08);
    expect(correctionFactor('refined', 'ketamine')).toBeNull();
    for (const set of Object.values(CORRECTION_SETS)) for (const f of set.factors) expect(f.source).toMatch(/\d{4}/);
  });
});

describe('days and weeks', () => {
  it('Tuesday–Thursday is the weekday, Friday–Monday the weekend', () => {
    // 2023-05-01 was a Monday
    expect(['2023-05-01', '2023-05-02', '2023-05-03', '2023-05-04', '2023-05-05', '2023-05-06', '2023-05-07'].map(dayKind)).toEqual([
      'weekend',
      'weekday',
      'weekday',
      'weekday',
      'weekend',
      'weekend',
      'weekend',
    ]);
  });

  it('names a sampling week (Tuesday to Monday) by its Tuesday, and labels it by ISO week', () => {
    expect(samplingWeekOf('2023-05-02')).toBe('2023-05-02');
    expect(samplingWeekOf('2023-05-07')).toBe('2023-05-02');
    expect(samplingWeekOf('2023-05-08')).toBe('2023-05-02');
    expect(samplingWeekOf('2023-05-09')).toBe('2023-05-09');
    expect(samplingWeekOf('2024-01-01')).toBe('2023-12-26');
    expect(isoWeek('2023-05-02')).toEqual({ year: 2023, week: 18 });
    expect(isoWeek('2021-01-03')).toEqual({ year: 2020, week: 53 });
  });
});

describe('means', () => {
  const week = [day('2023-05-02', 10), day('2023-05-04', 20), day('2023-05-05', 30), day('2023-05-06', 40), day('2023-05-08', 50)];

  it('leaves a missing weekday out instead of counting it as 0', () => {
    // Wednesday is missing: (10 + 20) / 2 = 15, not (10 + 0 + 20) / 3 = 10
    expect(weekdayMean(week)).toEqual({ value: 15, days: 2, allBelowLoq: false });
    // Sunday is missing: (30 + 40 + 50) / 3 = 40
    expect(weekendMean(week)).toEqual({ value: 40, days: 3, allBelowLoq: false });
    // All five days: 150 / 5 = 30
    expect(weekMean(week)).toEqual({ value: 30, days: 5, allBelowLoq: false });
  });

  it('counts below-LOQ days as 0 and says so when every day was below LOQ', () => {
    const mixed = [day('2023-05-02', 12), day('2023-05-03', 0, true), day('2023-05-04', 6)];
    // (12 + 0 + 6) / 3 = 6
    expect(weekdayMean(mixed)).toEqual({ value: 6, days: 3, allBelowLoq: false });
    const allBelow = [day('2023-05-02', 0, true), day('2023-05-03', 0, true)];
    expect(weekdayMean(allBelow)).toEqual({ value: 0, days: 2, allBelowLoq: true });
    expect(weekendMean(allBelow)).toEqual({ value: null, days: 0, allBelowLoq: false });
  });

  it('weights a municipality total by population: Σ(pnl × P) / Σ P', () => {
    const m = (value: number | null, allBelowLoq = false) => ({ value, days: value === null ? 0 : 3, allBelowLoq });
    // (100 × 20 000 + 200 × 5 000 + 50 × 15 000) / 40 000 = 3 750 000 / 40 000 = 93.75
    expect(
      populationWeightedTotal([
        { mean: m(100), population: 20_000 },
        { mean: m(200), population: 5_000 },
        { mean: m(50), population: 15_000 },
        { mean: m(null), population: 99_000 },
      ]),
    ).toEqual({ mean: { value: 93.75, days: 9, allBelowLoq: false }, population: 40_000 });
    expect(populationWeightedTotal([{ mean: m(0, true), population: 3000 }, { mean: m(0, true), population: 4000 }]).mean.allBelowLoq).toBe(true);
    expect(populationWeightedTotal([]).mean.value).toBeNull();
  });

  it('subtracts 0.09 × methamphetamine from amphetamine when asked, never below 0', () => {
    // 100 − 0.09 × 50 = 95.5
    expect(correctedAmphetamine(100, 50)).toEqual({ value: 95.5, corrected: true });
    expect(correctedAmphetamine(100, null)).toEqual({ value: 100, corrected: false });
    expect(correctedAmphetamine(1, 50)).toEqual({ value: 0, corrected: true });
  });
});

describe('series with districts and suppression', () => {
  /** pnl = C × Q / P; with Q = P / 10 the pnl is C / 10, which keeps the arithmetic readable. */
  function rows(site: string, district: string, population: number, days: [string, number | null][], substance: MeasurementRow['substance'] = 'amphetamine', published = true): MeasurementRow[] {
    return days.map(([date, c]) => ({
      siteId: site,
      district,
      sitePublished: published,
      date,
      flow: population / 10,
      population,
      substance,
      concentration: c,
      loq: 1,
      belowLoq: c === null,
    }));
  }
  const base: SeriesOptions = { measure: 'pnl', belowLoq: 'zero', amphetamineCorrection: false, correctionSet: 'refined', audience: 'public', threshold: 2000 };
  const data = [
    ...rows('a', 'Centrum', 20_000, [
      ['2023-05-02', 1000],
      ['2023-05-03', 1200],
      ['2023-05-05', 2000],
    ]),
    ...rows('b', 'By', 1_500, [
      ['2023-05-02', 3000],
      ['2023-05-05', null],
    ]),
    ...rows('c', 'Udde', 1_000, [['2023-05-02', 500]]),
  ];

  it('shows staff every district and a total over all of them', () => {
    const s = buildSeries(data, { ...base, audience: 'staff' });
    const w = s.substances[0]!.weeks[0]!;
    expect(w.week).toBe('2023-05-02');
    expect(w.label).toBe('v. 18 2023');
    expect(w.districts.map((d) => [d.district, d.hidden])).toEqual([
      ['By', true],
      ['Centrum', false],
      ['Udde', true],
    ]);
    // Centrum weekday: (100 + 120) / 2 = 110; By weekday 300; Udde weekday 50
    // total: (110 × 20 000 + 300 × 1 500 + 50 × 1 000) / 22 500 = 2 700 000 / 22 500 = 120
    expect(w.municipality!.weekday.value).toBeCloseTo(120, 10);
    expect(w.municipality!.population).toBe(22_500);
    // By's weekend is its one below-LOQ day: shown as "< LOQ"
    expect(w.districts[0]!.weekend).toEqual({ value: 0, days: 1, allBelowLoq: true });
  });

  it('never shows the public a district under the threshold, and merges two small ones into the total only together', () => {
    const s = buildSeries(data, base);
    const w = s.substances[0]!.weeks[0]!;
    expect(w.districts.map((d) => d.district)).toEqual(['Centrum']);
    expect(s.districts).toEqual(['Centrum']);
    expect(w.hiddenDistricts).toBe(2);
    // By and Udde together have 2 500 ≥ 2 000 inhabitants, so both are in the total (= staff's 120)
    expect(w.hiddenIncluded).toBe(true);
    expect(w.municipality!.weekday.value).toBeCloseTo(120, 10);
  });

  it('leaves a single hidden district out of the public total, so it cannot be worked out by subtraction', () => {
    const s = buildSeries(data.filter((r) => r.siteId !== 'c'), base);
    const w = s.substances[0]!.weeks[0]!;
    expect(w.hiddenIncluded).toBe(false);
    // Only Centrum: weekday 110
    expect(w.municipality!.weekday.value).toBeCloseTo(110, 10);
    expect(w.municipality!.population).toBe(20_000);
  });

  it('hides a district whose site is marked not to be published, whatever its size', () => {
    const s = buildSeries(rows('a', 'Centrum', 20_000, [['2023-05-02', 1000]], 'amphetamine', false), base);
    expect(s.substances[0]!.weeks[0]!.districts).toEqual([]);
    expect(s.substances[0]!.weeks[0]!.municipality).toBeNull();
  });

  it('computes estimated consumption only where a correction factor exists', () => {
    const s = buildSeries([...rows('a', 'Centrum', 20_000, [['2023-05-02', 1000]]), ...rows('a', 'Centrum', 20_000, [['2023-05-02', 40]], 'ketamine')], { ...base, measure: 'consumption' });
    const amph = s.substances.find((x) => x.substance === 'amphetamine')!;
    // pnl 100 × CF 2.77 (refined) = 277
    expect(amph.weeks[0]!.municipality!.weekday.value).toBeCloseTo(277, 10);
    expect(amph.factor!.cf).toBe(2.77);
    expect(s.substances.find((x) => x.substance === 'ketamine')!.available).toBe(false);
  });

  it('applies the amphetamine correction day by day from the same site’s methamphetamine', () => {
    const s = buildSeries(
      [...rows('a', 'Centrum', 20_000, [['2023-05-02', 1000], ['2023-05-03', 1000]]), ...rows('a', 'Centrum', 20_000, [['2023-05-02', 500]], 'methamphetamine')],
      { ...base, amphetamineCorrection: true, substances: ['amphetamine'] },
    );
    const amph = s.substances[0]!;
    // Tuesday: 100 − 0.09 × 50 = 95.5; Wednesday has no methamphetamine: 100 stays. Mean 97.75
    expect(amph.weeks[0]!.municipality!.weekday.value).toBeCloseTo(97.75, 10);
    expect(amph.uncorrectedDays).toBe(1);
  });

  it('filters by date and substance', () => {
    const s = buildSeries(data, { ...base, from: '2023-05-03', to: '2023-05-04', audience: 'staff' });
    expect(s.firstDate).toBe('2023-05-03');
    expect(s.substances[0]!.weeks[0]!.districts.map((d) => d.district)).toEqual(['Centrum']);
    expect(buildSeries(data, { ...base, substances: ['mdma'] }).substances).toEqual([]);
  });
});

describe('the EUDA reference', () => {
  const csv = [
    'site_id,city,plant,population,year,substance,biomarker,weekday,pnl_mg_per_day_per_1000',
    'SE1,Aby,P1,100000,2020,cocaine,benzoylecgonine,tuesday,10',
    'SE1,Aby,P1,100000,2020,cocaine,benzoylecgonine,saturday,30',
    'SE1,Aby,P1,100000,2021,cocaine,benzoylecgonine,tuesday,20',
    'SE1,Aby,P1,100000,2021,cocaine,benzoylecgonine,saturday,0.0',
    'SE2,Bro,P2,300000,2021,cocaine,benzoylecgonine,tuesday,40',
    'SE2,Bro,P2,300000,2021,cocaine,benzoylecgonine,friday,60',
  ].join('\n');

  it('treats zeros as unknown and weights the latest year by population', () => {
    const ref = summariseReference(parseReference(csv), 'benzoylecgonine');
    expect(ref.cities.map((c) => [c.city, c.year, c.week.value])).toEqual([
      ['Aby', 2020, 20],
      ['Aby', 2021, 20],
      ['Bro', 2021, 50],
    ]);
    // 2021 week: (20 × 100 000 + 50 × 300 000) / 400 000 = 42.5; weekend: Aby unknown, so Bro's 60
    expect(ref.latest).toMatchObject({ year: 2021, cities: ['Aby', 'Bro'] });
    expect(ref.latest!.week.value).toBeCloseTo(42.5, 10);
    expect(ref.latest!.weekend.value).toBe(60);
    expect(summariseReference(parseReference(csv), 'ketamine').latest).toBeNull();
  });
});
