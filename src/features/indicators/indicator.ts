import { z } from 'zod';
import { parseDecimalSv } from '../../platform/csv.js';

/**
 * Indicators: measured outcomes beside a pledge (Kolada KPIs, the police's trygghetsmätning, Brå's
 * NTU, school surveys such as CAN, wastewater figures, local counts). Types, form schemas and the
 * rules that hold whatever stores them. Decisions: docs/decisions/indicators.md.
 */

export const UNITS = ['percent', 'per_100k', 'count', 'mg_per_day_per_1000'] as const;
export type Unit = (typeof UNITS)[number];

export const DIRECTIONS = ['up', 'down'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const SOURCES = ['kolada', 'trygghetsmatning', 'ntu', 'can', 'school_survey', 'wastewater', 'local'] as const;
export type Source = (typeof SOURCES)[number];

export const LEVELS = ['municipality', 'police_area', 'district'] as const;
export type Level = (typeof LEVELS)[number];

/** Kolada's breakdown: T total, K kvinnor (women), M män (men). */
export const GENDERS = ['T', 'K', 'M'] as const;
export type Gender = (typeof GENDERS)[number];

export const VALUE_STATUSES = ['preliminary', 'final', 'not_yet_available', 'suppressed'] as const;
export type ValueStatus = (typeof VALUE_STATUSES)[number];

export interface Indicator {
  id: string;
  partyId: string;
  code: string;
  name: string;
  definition: string;
  unit: Unit;
  direction: Direction;
  source: Source;
  koladaKpi: string | null;
  sourceDetail: string;
  level: Level;
  areaName: string | null;
  reportingLagMonths: number;
  isDemo: boolean;
  version: number;
}

export interface IndicatorValue {
  period: string;
  gender: Gender;
  /** Null exactly when the status is not_yet_available or suppressed: such a figure has no number, never 0. */
  value: number | null;
  status: ValueStatus;
  /** What the row said before its last correction, for readers who saw the old figure. */
  previous: { value: number | null; status: ValueStatus; correctedAt: string } | null;
}

export interface Reference {
  value: number;
  year: number;
}

export interface IndicatorLink {
  id: string;
  indicatorId: string;
  focusAreaId: string | null;
  commitmentId: string | null;
  baseline: Reference | null;
  target: Reference | null;
  version: number;
}

// ---------------------------------------------------------------------------------------------
// Status semantics

/** Preliminary and final figures carry a number; the other two statuses never do. */
export function hasNumber(status: ValueStatus): boolean {
  return status === 'preliminary' || status === 'final';
}

/** Why a number is impossible for the unit, or null. A share is 0–100; nothing we measure is negative. */
export function valueProblem(unit: Unit, value: number): string | null {
  if (!Number.isFinite(value)) return 'Värdet är inte ett tal.';
  if (unit === 'percent' && (value < 0 || value > 100)) return `${formatPlain(value)} ligger utanför 0–100, som en andel i procent måste göra.`;
  if (value < 0) return `${formatPlain(value)} är negativt; indikatorns enhet kan inte vara negativ.`;
  return null;
}

function formatPlain(n: number): string {
  return String(n).replace('.', ',');
}

/** Values of one breakdown, oldest period first. */
export function seriesOf(values: readonly IndicatorValue[], gender: Gender = 'T'): IndicatorValue[] {
  return values.filter((v) => v.gender === gender).sort((a, b) => comparePeriods(a.period, b.period));
}

/** The newest figure with a number (preliminary or final), or null. */
export function latestNumeric(series: readonly IndicatorValue[]): (IndicatorValue & { value: number }) | null {
  for (let i = series.length - 1; i >= 0; i--) {
    const v = series[i]!;
    if (hasNumber(v.status) && v.value !== null) return v as IndicatorValue & { value: number };
  }
  return null;
}

/** The newest period of all, whatever its status: it may say "not yet available" or "suppressed". */
export function latestPeriod(series: readonly IndicatorValue[]): IndicatorValue | null {
  return series.length === 0 ? null : series[series.length - 1]!;
}

export type Trend = 'better' | 'worse' | 'unchanged' | 'unknown';

/** Whether the newest figure is better than the baseline, in the indicator's desired direction. */
export function trendFrom(direction: Direction, baseline: number | null, latest: number | null): Trend {
  if (baseline === null || latest === null) return 'unknown';
  if (nearlyEqual(baseline, latest)) return 'unchanged';
  const up = latest > baseline;
  return up === (direction === 'up') ? 'better' : 'worse';
}

/** Whether a figure meets the target in the desired direction (equal counts as met). */
export function meetsTarget(direction: Direction, target: number, value: number): boolean {
  return nearlyEqual(target, value) || (direction === 'up' ? value > target : value < target);
}

function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

// ---------------------------------------------------------------------------------------------
// Periods: 'YYYY' (a year, as Kolada and the surveys report), 'YYYY-MM' or 'YYYY-MM-DD'

const PERIOD = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
export const MIN_YEAR = 1990;
export const MAX_YEAR = 2100;

/** A period in canonical form, or null. Kolada sends the year as a number. */
export function parsePeriod(raw: unknown): string | null {
  const s = typeof raw === 'number' && Number.isInteger(raw) ? String(raw) : typeof raw === 'string' ? raw.trim() : null;
  if (s === null) return null;
  const m = PERIOD.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  if (m[2] !== undefined) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) return null;
  }
  if (m[3] !== undefined) {
    const d = new Date(`${s}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) return null;
  }
  return s;
}

/** Time order: a year sorts before its months and days ('2019' < '2019-05' < '2019-05-14' < '2020'). */
export function comparePeriods(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function periodYear(period: string): number {
  return Number(period.slice(0, 4));
}

/** Position on a time axis in years: 2019 → 2019, 2019-07 → 2019.5, a day likewise within its year. */
export function periodPosition(period: string): number {
  const [y, mo, d] = period.split('-').map(Number) as [number, number | undefined, number | undefined];
  if (mo === undefined) return y;
  if (d === undefined) return y + (mo - 1) / 12;
  const start = Date.UTC(y, 0, 1);
  return y + (Date.UTC(y, mo - 1, d) - start) / (Date.UTC(y + 1, 0, 1) - start);
}

/**
 * The first month in which a period's figure can be expected, given the source's reporting lag:
 * Kolada's reported crime for 2023 comes some months into 2024. 'YYYY-MM'.
 */
export function expectedFrom(period: string, lagMonths: number): string {
  const [y, mo, d] = period.split('-').map(Number) as [number, number | undefined, number | undefined];
  // The month after the period ends, plus the lag.
  const endMonthIndex = mo === undefined ? y * 12 + 11 : d === undefined ? y * 12 + mo - 1 : y * 12 + mo - 1;
  const due = endMonthIndex + 1 + lagMonths;
  return `${Math.floor(due / 12)}-${String((due % 12) + 1).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Forms (strings in, validated values out)

const trimmed = (max: number) => z.string().trim().max(max, `Högst ${max} tecken.`);
const required = (max: number, empty: string) => z.string().trim().min(1, empty).max(max, `Högst ${max} tecken.`);

export const KOLADA_KPI = /^[NU]\d{5}$/;
const CODE = /^[A-Za-z0-9ÅÄÖåäö][A-Za-z0-9ÅÄÖåäö_.-]*$/;

export const IndicatorForm = z
  .object({
    version: z.string().optional(),
    partyId: z.string().trim().min(1, 'Välj vems område indikatorn mäter.'),
    name: required(200, 'Ange ett namn, t.ex. Andelen som känner sig otrygga ute sent på kvällen.'),
    code: trimmed(40).default(''),
    definition: trimmed(4000).default(''),
    unit: z.enum(UNITS, 'Välj en enhet.'),
    direction: z.enum(DIRECTIONS, 'Välj om det är bättre när värdet går upp eller ner.'),
    source: z.enum(SOURCES, 'Välj en källa.'),
    koladaKpi: trimmed(10).default(''),
    sourceDetail: trimmed(300).default(''),
    level: z.enum(LEVELS, 'Välj vilken nivå indikatorn mäts på.'),
    areaName: trimmed(200).default(''),
    reportingLagMonths: z
      .string()
      .trim()
      .default('0')
      .refine((s) => s === '' || /^\d{1,2}$/.test(s), 'Ange ett helt antal månader, 0–60.')
      .transform((s) => (s === '' ? 0 : Number(s)))
      .refine((n) => n <= 60, 'Ange ett helt antal månader, 0–60.'),
  })
  .superRefine((f, ctx) => {
    const kpi = f.koladaKpi.toUpperCase();
    if (f.source === 'kolada' && !KOLADA_KPI.test(kpi))
      ctx.addIssue({ code: 'custom', path: ['koladaKpi'], message: 'Ange nyckeltalets id i Kolada: N eller U och fem siffror, t.ex. N07540.' });
    if (f.source !== 'kolada' && f.koladaKpi !== '')
      ctx.addIssue({ code: 'custom', path: ['koladaKpi'], message: 'Bara indikatorer med källan Kolada har ett Kolada-id. Lämna fältet tomt.' });
    const code = f.code || (f.source === 'kolada' ? kpi : '');
    if (code === '') ctx.addIssue({ code: 'custom', path: ['code'], message: 'Ange en kort kod, t.ex. can-vill-prova. Den används i CSV-filer.' });
    else if (!CODE.test(code))
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'Koden får bara innehålla bokstäver, siffror, punkt, bindestreck och understreck, t.ex. can-vill-prova.' });
    if (f.level === 'district' && f.areaName === '')
      ctx.addIssue({ code: 'custom', path: ['areaName'], message: 'Ange vilken kommundel indikatorn mäter, t.ex. Mariefred.' });
  })
  .transform((f) => ({
    ...f,
    koladaKpi: f.source === 'kolada' ? f.koladaKpi.toUpperCase() : null,
    code: f.code || (f.source === 'kolada' ? f.koladaKpi.toUpperCase() : ''),
    areaName: f.areaName === '' ? null : f.areaName,
  }));
export type IndicatorFormOutput = z.output<typeof IndicatorForm>;

/** "13,5", "13.5" or "1 234,5" → 13.5 / 1234.5; null for an empty field; NaN when it is not a number. */
export function parseDecimal(raw: string): number | null {
  if (raw.trim() === '') return null;
  return parseDecimalSv(raw) ?? Number.NaN;
}

const yearField = z
  .string()
  .trim()
  .default('')
  .refine((s) => s === '' || (/^\d{4}$/.test(s) && Number(s) >= MIN_YEAR && Number(s) <= MAX_YEAR), `Ange ett årtal mellan ${MIN_YEAR} och ${MAX_YEAR}, t.ex. 2019.`)
  .transform((s) => (s === '' ? null : Number(s)));
const decimalField = z
  .string()
  .default('')
  .refine((s) => !Number.isNaN(parseDecimal(s) ?? 0), 'Ange ett tal, t.ex. 13 eller 13,5.')
  .transform((s) => parseDecimal(s));

/** Baseline and target of a link; the unit decides which numbers are possible. */
export function linkForm(unit: Unit) {
  return z
    .object({
      version: z.string().optional(),
      baselineValue: decimalField,
      baselineYear: yearField,
      targetValue: decimalField,
      targetYear: yearField,
    })
    .superRefine((f, ctx) => {
      for (const [what, valueKey, yearKey] of [
        ['utgångsvärdet', 'baselineValue', 'baselineYear'],
        ['målet', 'targetValue', 'targetYear'],
      ] as const) {
        const value = f[valueKey];
        const year = f[yearKey];
        if (value !== null && year === null) ctx.addIssue({ code: 'custom', path: [yearKey], message: `Ange vilket år ${what} gäller.` });
        if (value === null && year !== null) ctx.addIssue({ code: 'custom', path: [valueKey], message: `Ange ${what}, eller lämna även året tomt.` });
        if (typeof value === 'number' && !Number.isNaN(value)) {
          const problem = valueProblem(unit, value);
          if (problem) ctx.addIssue({ code: 'custom', path: [valueKey], message: problem });
        }
      }
      if (f.baselineYear !== null && f.targetYear !== null && f.targetYear < f.baselineYear)
        ctx.addIssue({ code: 'custom', path: ['targetYear'], message: 'Målåret kan inte ligga före utgångsåret.' });
    });
}
