import type { ChartLang } from './types.js';

/** Built once: a new Intl.NumberFormat per value costs more than the rest of a table cell. */
const formats: Record<ChartLang, Intl.NumberFormat> = {
  sv: new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 }),
};
const smallFormats: Record<ChartLang, Intl.NumberFormat> = {
  sv: new Intl.NumberFormat('sv-SE', { maximumSignificantDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 2 }),
};

/**
 * "1 234,5" in Swedish (decimal comma, space between thousands), "1,234.5" in English. Values
 * below 0.01 keep two significant digits so that a small but real level never prints as 0.
 */
export function formatChartNumber(n: number, lang: ChartLang = 'sv'): string {
  const abs = Math.abs(n);
  if (abs > 0 && abs < 0.01) return smallFormats[lang].format(n);
  return formats[lang].format(n);
}

export const chartWords = {
  sv: {
    missing: 'saknas',
    noValues: 'inga värden',
    series: (n: number) => (n === 1 ? '1 serie' : `${n} serier`),
    points: (n: number) => (n === 1 ? '1 tidpunkt' : `${n} tidpunkter`),
    missingCount: (n: number) => (n === 1 ? '1 värde saknas' : `${n} värden saknas`),
  },
  en: {
    missing: 'missing',
    noValues: 'no values',
    series: (n: number) => (n === 1 ? '1 series' : `${n} series`),
    points: (n: number) => (n === 1 ? '1 point in time' : `${n} points in time`),
    missingCount: (n: number) => (n === 1 ? '1 value missing' : `${n} values missing`),
  },
} as const;
