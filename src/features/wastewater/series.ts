import { correctionFactor, type CorrectionFactor, type CorrectionSetCode } from './correction-factors.js';
import {
  correctedAmphetamine,
  effectiveConcentration,
  estimatedConsumption,
  isoWeek,
  NO_DAYS,
  populationNormalisedLoad,
  populationWeightedTotal,
  samplingWeekOf,
  weekdayMean,
  weekendMean,
  weekMean,
  type BelowLoqRule,
  type DayValue,
  type Mean,
  type Weighted,
} from './computation.js';
import { SUBSTANCES, type SubstanceCode } from './substances.js';
import { compareSv } from '../../platform/text.js';

/**
 * From stored measurements to the figures every surface shows (page, admin, API, downloads,
 * CLI): per substance, per sampling week, the weekday, weekend and week means for each district
 * and for the municipality. Suppression happens here, once, so no surface can forget it.
 */

export interface MeasurementRow {
  siteId: string;
  district: string;
  sitePublished: boolean;
  date: string;
  flow: number;
  population: number;
  substance: SubstanceCode;
  concentration: number | null;
  loq: number | null;
  belowLoq: boolean;
}

export type Measure = 'pnl' | 'consumption';
export type Audience = 'public' | 'staff';

export interface SeriesOptions {
  measure: Measure;
  belowLoq: BelowLoqRule;
  amphetamineCorrection: boolean;
  correctionSet: CorrectionSetCode;
  audience: Audience;
  threshold: number;
  /** Only these substances (default: every substance with data). */
  substances?: readonly SubstanceCode[];
  /** Inclusive YYYY-MM-DD bounds on the sample date. */
  from?: string;
  to?: string;
}

export interface PeriodFigures {
  weekday: Mean;
  weekend: Mean;
  week: Mean;
  /** Connected inhabitants the figures speak for (mean over the week's samples). */
  population: number;
}

export interface DistrictFigures extends PeriodFigures {
  district: string;
  /** Staff only: this district is not shown publicly in this week. */
  hidden: boolean;
}

export interface WeekFigures {
  /** The sampling week, named by its Tuesday (YYYY-MM-DD). */
  week: string;
  label: string;
  /** Null when even the municipality total would speak for too few people. */
  municipality: PeriodFigures | null;
  /** Alphabetical, never ordered by level. Public: only districts at or above the threshold. */
  districts: DistrictFigures[];
  /**
   * Public: whether districts that are not shown separately are part of the municipality figure
   * (only when at least two of them together reach the threshold, so none can be worked out by
   * subtraction).
   */
  hiddenIncluded: boolean;
  hiddenDistricts: number;
}

export interface SubstanceSeries {
  substance: SubstanceCode;
  /** The factor used for consumption, or null (pnl, or no factor for this biomarker). */
  factor: CorrectionFactor | null;
  /** False when consumption was asked for and this biomarker has no correction factor. */
  available: boolean;
  weeks: WeekFigures[];
  /** Amphetamine only, when the correction was asked for: days without a methamphetamine value to correct with. */
  uncorrectedDays: number;
}

export interface Series {
  options: SeriesOptions;
  substances: SubstanceSeries[];
  /** Districts that appear anywhere in the result, alphabetical. */
  districts: string[];
  firstDate: string | null;
  lastDate: string | null;
}

export function weekLabel(week: string, lang: 'sv' | 'en' = 'sv'): string {
  const { year, week: w } = isoWeek(week);
  return lang === 'sv' ? `v. ${w} ${year}` : `week ${w} ${year}`;
}

/** A district may be published in a week: every site in it publishable and enough people behind it. */
export function districtIsPublic(population: number, allSitesPublished: boolean, threshold: number): boolean {
  return allSitesPublished && population >= threshold;
}

interface SiteWeek {
  siteId: string;
  district: string;
  published: boolean;
  days: DayValue[];
  populations: number[];
}

function figuresOf(days: DayValue[], population: number): { weekday: Weighted; weekend: Weighted; week: Weighted } {
  return {
    weekday: { mean: weekdayMean(days), population },
    weekend: { mean: weekendMean(days), population },
    week: { mean: weekMean(days), population },
  };
}

function combine(parts: { weekday: Weighted; weekend: Weighted; week: Weighted }[]): PeriodFigures {
  const weekday = populationWeightedTotal(parts.map((p) => p.weekday));
  const weekend = populationWeightedTotal(parts.map((p) => p.weekend));
  const week = populationWeightedTotal(parts.map((p) => p.week));
  return { weekday: weekday.mean, weekend: weekend.mean, week: week.mean, population: week.population };
}

const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function buildSeries(rows: readonly MeasurementRow[], options: SeriesOptions): Series {
  const inRange = rows.filter((r) => (!options.from || r.date >= options.from) && (!options.to || r.date <= options.to));
  const wanted = new Set(options.substances ?? SUBSTANCES);

  // Methamphetamine per site and day, for the amphetamine correction.
  const meth = new Map<string, MeasurementRow>();
  if (options.amphetamineCorrection) for (const r of inRange) if (r.substance === 'methamphetamine') meth.set(`${r.siteId}|${r.date}`, r);

  const pnlOf = (r: MeasurementRow) => populationNormalisedLoad(effectiveConcentration(r, options.belowLoq), r.flow, r.population);

  const substances: SubstanceSeries[] = [];
  const allDistricts = new Set<string>();
  let firstDate: string | null = null;
  let lastDate: string | null = null;

  for (const substance of SUBSTANCES) {
    if (!wanted.has(substance)) continue;
    const mine = inRange.filter((r) => r.substance === substance);
    if (mine.length === 0) continue;
    const factor = options.measure === 'consumption' ? correctionFactor(options.correctionSet, substance) : null;
    const available = options.measure === 'pnl' || factor !== null;
    let uncorrectedDays = 0;

    // site × sampling week → days
    const bySiteWeek = new Map<string, SiteWeek>();
    for (const r of mine) {
      let value = pnlOf(r);
      let belowLoq = r.belowLoq;
      if (substance === 'amphetamine' && options.amphetamineCorrection) {
        const m = meth.get(`${r.siteId}|${r.date}`);
        const c = correctedAmphetamine(value, m ? pnlOf(m) : null);
        if (!c.corrected) uncorrectedDays++;
        value = c.value;
        // A corrected value of 0 from a measured amphetamine is a measured 0, not below LOQ.
      }
      if (factor) value = estimatedConsumption(value, factor.cf);
      const week = samplingWeekOf(r.date);
      const key = `${r.siteId}|${week}`;
      let sw = bySiteWeek.get(key);
      if (!sw) {
        sw = { siteId: r.siteId, district: r.district, published: r.sitePublished, days: [], populations: [] };
        bySiteWeek.set(key, sw);
      }
      sw.days.push({ date: r.date, value, belowLoq, population: r.population });
      sw.populations.push(r.population);
      if (firstDate === null || r.date < firstDate) firstDate = r.date;
      if (lastDate === null || r.date > lastDate) lastDate = r.date;
    }

    const weeks = new Map<string, SiteWeek[]>();
    for (const [key, sw] of bySiteWeek) {
      const week = key.slice(key.indexOf('|') + 1);
      const list = weeks.get(week) ?? [];
      list.push(sw);
      weeks.set(week, list);
    }

    const weekFigures: WeekFigures[] = [];
    for (const week of [...weeks.keys()].sort()) {
      const sites = weeks.get(week)!;
      const districts = new Map<string, SiteWeek[]>();
      for (const s of sites) districts.set(s.district, [...(districts.get(s.district) ?? []), s]);

      const perDistrict: (DistrictFigures & { parts: ReturnType<typeof figuresOf>[] })[] = [];
      for (const [district, ds] of districts) {
        const parts = ds.map((s) => figuresOf(s.days, average(s.populations)));
        const figures = combine(parts);
        const hidden = !districtIsPublic(figures.population, ds.every((s) => s.published), options.threshold);
        perDistrict.push({ district, ...figures, hidden, parts });
      }
      perDistrict.sort((a, b) => compareSv(a.district, b.district));

      const visible = perDistrict.filter((d) => !d.hidden);
      const hidden = perDistrict.filter((d) => d.hidden);
      const hiddenPopulation = hidden.reduce((n, d) => n + d.population, 0);
      const hiddenIncluded = hidden.length === 0 || (hidden.length >= 2 && hiddenPopulation >= options.threshold);

      let municipality: PeriodFigures | null;
      if (options.audience === 'staff') {
        municipality = combine(perDistrict.flatMap((d) => d.parts));
      } else {
        const included = hiddenIncluded ? perDistrict : visible;
        const total = combine(included.flatMap((d) => d.parts));
        municipality = included.length > 0 && total.population >= options.threshold ? total : null;
      }

      const shown = options.audience === 'staff' ? perDistrict : visible;
      for (const d of shown) allDistricts.add(d.district);
      weekFigures.push({
        week,
        label: weekLabel(week),
        municipality,
        districts: shown.map(({ parts: _parts, ...d }) => d),
        hiddenIncluded: options.audience === 'staff' ? true : hiddenIncluded,
        hiddenDistricts: hidden.length,
      });
    }
    substances.push({ substance, factor, available, weeks: weekFigures, uncorrectedDays });
  }

  return { options, substances, districts: [...allDistricts].sort(compareSv), firstDate, lastDate };
}

export { NO_DAYS };
