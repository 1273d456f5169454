/**
 * The science of docs/wastewater.md as plain functions: no I/O, no dates from the clock. Units:
 * concentration C in ng/L (= µg/m³), flow Q in m³/day, population P in inhabitants.
 */

/** Daily load in g/day: C × Q × 1e-6. */
export function dailyLoad(concentrationNgPerL: number, flowM3PerDay: number): number {
  return concentrationNgPerL * flowM3PerDay * 1e-6;
}

/** Population-normalised load in mg/day per 1 000 inhabitants: C × Q / P. */
export function populationNormalisedLoad(concentrationNgPerL: number, flowM3PerDay: number, population: number): number {
  return (concentrationNgPerL * flowM3PerDay) / population;
}

/** Estimated consumption of the parent drug, mg/day per 1 000 inhabitants: pnl × CF. An estimate, always labelled so. */
export function estimatedConsumption(pnl: number, cf: number): number {
  return pnl * cf;
}

/** How a below-LOQ value enters averages: 0 (EUDA's convention, the default) or LOQ/2 (sensitivity). */
export type BelowLoqRule = 'zero' | 'half-loq';

export interface MeasuredConcentration {
  concentration: number | null;
  loq: number | null;
  belowLoq: boolean;
}

/**
 * The concentration that enters a calculation. Below LOQ it is 0, or LOQ/2 when asked (0 when
 * the LOQ is unknown). A value the lab reported under its LOQ is not used as measured.
 */
export function effectiveConcentration(m: MeasuredConcentration, rule: BelowLoqRule): number {
  if (m.belowLoq) return rule === 'half-loq' && m.loq !== null ? m.loq / 2 : 0;
  return m.concentration ?? 0;
}

/** One day at one site: the value (pnl, or consumption) and whether it was below LOQ. */
export interface DayValue {
  /** YYYY-MM-DD, the start of the 24-hour sample. */
  date: string;
  value: number;
  belowLoq: boolean;
  population: number;
}

/** A mean over the days that exist: a missing day is left out, never counted as 0. */
export interface Mean {
  /** null when there were no days at all. */
  value: number | null;
  days: number;
  /** Every day that went into it was below LOQ: show "< LOQ", never "0". */
  allBelowLoq: boolean;
}

export const NO_DAYS: Mean = { value: null, days: 0, allBelowLoq: false };

export function mean(days: readonly DayValue[]): Mean {
  if (days.length === 0) return NO_DAYS;
  let sum = 0;
  let below = 0;
  for (const d of days) {
    sum += d.value;
    if (d.belowLoq) below++;
  }
  return { value: sum / days.length, days: days.length, allBelowLoq: below === days.length };
}

/** 0 = Sunday … 6 = Saturday, for a YYYY-MM-DD date, independent of the process time zone. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/**
 * Tuesday–Thursday is the weekday; Friday–Monday the weekend, because the sample that starts on
 * Monday morning still carries Sunday night's wastewater.
 */
export function dayKind(date: string): 'weekday' | 'weekend' {
  const wd = weekdayOf(date);
  return wd >= 2 && wd <= 4 ? 'weekday' : 'weekend';
}

export function weekdayMean(days: readonly DayValue[]): Mean {
  return mean(days.filter((d) => dayKind(d.date) === 'weekday'));
}

export function weekendMean(days: readonly DayValue[]): Mean {
  return mean(days.filter((d) => dayKind(d.date) === 'weekend'));
}

export function weekMean(days: readonly DayValue[]): Mean {
  return mean(days);
}

function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/**
 * The sampling week a day belongs to, named by its Tuesday: Tuesday to the following Monday, so
 * that one week holds exactly one weekday block (Tue–Thu) and the weekend that follows (Fri–Mon).
 */
export function samplingWeekOf(date: string): string {
  const wd = weekdayOf(date);
  return addDays(date, -((wd + 5) % 7));
}

/** ISO week number and year of a date, for labels ("v. 18 2023"). */
export function isoWeek(date: string): { year: number; week: number } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return { year: t.getUTCFullYear(), week: Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7) };
}

/** A site's (or district's) mean for a period, with the population it speaks for. */
export interface Weighted {
  mean: Mean;
  population: number;
}

/**
 * Population-weighted total across sites: Σ(pnl_s × P_s) / Σ P_s, the same as Σ loads / Σ population.
 * Sites without a value for the period are left out of both sums.
 */
export function populationWeightedTotal(parts: readonly Weighted[]): Weighted {
  let weighted = 0;
  let population = 0;
  let days = 0;
  let allBelow = true;
  let any = false;
  for (const p of parts) {
    if (p.mean.value === null) continue;
    any = true;
    weighted += p.mean.value * p.population;
    population += p.population;
    days += p.mean.days;
    if (!p.mean.allBelowLoq) allBelow = false;
  }
  if (!any || population === 0) return { mean: NO_DAYS, population: 0 };
  return { mean: { value: weighted / population, days, allBelowLoq: allBelow }, population };
}

/** The published correction for amphetamine formed from methamphetamine in the body. */
export const METHAMPHETAMINE_TO_AMPHETAMINE = 0.09;

/**
 * Amphetamine load less 0.09 × the methamphetamine load of the same sample, never below 0.
 * Works on pnl just as well (same Q and P). Without a methamphetamine value it cannot be applied.
 */
export function correctedAmphetamine(amphetamine: number, methamphetamine: number | null): { value: number; corrected: boolean } {
  if (methamphetamine === null) return { value: amphetamine, corrected: false };
  return { value: Math.max(0, amphetamine - METHAMPHETAMINE_TO_AMPHETAMINE * methamphetamine), corrected: true };
}
