import type { Messages } from '../../platform/i18n/index.js';
import { formatDate } from '../../platform/views/format.js';
import {
  latestNumeric,
  latestPeriod,
  meetsTarget,
  type Indicator,
  type IndicatorValue,
  type Reference,
  type Unit,
  type ValueStatus,
} from './indicator.js';

/** How indicator figures read in Swedish and English: numbers with their unit, periods, the summary sentence. */

/** Shares and rates to one decimal (as Kolada and the surveys publish them); wastewater loads to two. */
const DIGITS: Record<Unit, number> = { percent: 1, per_100k: 1, count: 1, mg_per_day_per_1000: 2 };

const formats = new Map<string, Intl.NumberFormat>();
function numberFormat(lang: string, digits: number): Intl.NumberFormat {
  const key = `${lang}:${digits}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'sv-SE', { maximumFractionDigits: digits });
    formats.set(key, f);
  }
  return f;
}

/** The bare number as the reader's language writes it: "13,5" / "13.5", "1 234" / "1,234". */
export function formatIndicatorNumber(value: number, unit: Unit, m: Messages): string {
  return numberFormat(m.lang, DIGITS[unit]).format(value);
}

/** A number with its unit: "24 %" / "24%", "1 234,5 per 100 000 invånare". */
export function formatValue(value: number, unit: Unit, m: Messages): string {
  return m.indicators.unit[unit](formatIndicatorNumber(value, unit, m));
}

/** A figure as a table cell shows it: the number, or what stands in its place. Never 0 for a missing figure. */
export function formatReading(v: Pick<IndicatorValue, 'value' | 'status'>, unit: Unit, m: Messages): string {
  return v.value === null ? m.indicators.valueStatus[v.status] : formatValue(v.value, unit, m);
}

/** "2023", "maj 2023" / "May 2023", "14 maj 2023". */
export function formatPeriod(period: string, m: Messages): string {
  const parts = period.split('-');
  if (parts.length === 1) return period;
  if (parts.length === 2) return `${m.months[Number(parts[1]) - 1]} ${parts[0]}`;
  return formatDate(period, m);
}

/** 'YYYY-MM' → "juni 2025" / "June 2025". */
export function formatMonth(yearMonth: string, m: Messages): string {
  return formatPeriod(yearMonth, m);
}

export function statusNote(status: ValueStatus, m: Messages): string {
  return m.indicators.valueStatus[status];
}

/**
 * The one-sentence summary beside a pledge: "Andelen som känner sig otrygga ute sent på kvällen har
 * minskat från 24 % (2021) till 19 % (2023); målet är 18 % år 2025." It compares the newest figure
 * with a number against the link's baseline, never against a missing or suppressed one, and says so
 * when a newer period exists without a number.
 */
export function indicatorSentence(
  indicator: Pick<Indicator, 'name' | 'unit' | 'direction'>,
  ref: { baseline: Reference | null; target: Reference | null },
  series: readonly IndicatorValue[],
  m: Messages,
): string {
  const s = m.indicators.sentence;
  const name = indicator.name;
  const value = (n: number) => formatValue(n, indicator.unit, m);
  const latest = latestNumeric(series);
  const baseline = ref.baseline;
  const baselineAt = baseline ? s.at(value(baseline.value), String(baseline.year), false) : null;
  const latestAt = latest ? s.at(value(latest.value), formatPeriod(latest.period, m), latest.status === 'preliminary') : null;

  // A newer period than the newest number: say why it has none rather than skip it silently.
  const newest = latestPeriod(series);
  let after = '';
  if (newest && newest.value === null && (!latest || newest.period > latest.period)) {
    after = ` ${(newest.status === 'suppressed' ? s.laterSuppressed : s.laterMissing)(formatPeriod(newest.period, m))}`;
  }

  let main: string;
  if (latest && baseline && baselineAt && latestAt && latest.period > String(baseline.year)) {
    const d = latest.value - baseline.value;
    const same = Math.abs(d) < 1e-9 * Math.max(1, Math.abs(baseline.value));
    main = same ? s.unchanged(name, baselineAt, latestAt) : d < 0 ? s.decreased(name, baselineAt, latestAt) : s.increased(name, baselineAt, latestAt);
  } else if (latestAt && !(baseline && latest && latest.period <= String(baseline.year))) {
    main = s.was(name, latestAt);
  } else if (baselineAt) {
    main = s.baselineOnly(name, baselineAt, after !== '');
  } else {
    main = s.nothing(name);
  }

  let target = '';
  if (ref.target) {
    const met = latest !== null && meetsTarget(indicator.direction, ref.target.value, latest.value);
    target = (met ? s.targetMet : s.target)(value(ref.target.value), ref.target.year);
  }

  return `${main}${target}.${after}`;
}
