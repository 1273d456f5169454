import type { Messages } from '../i18n/index.js';

/** "2022-06-01" → "1 juni 2022". */
export function formatDate(iso: string, m: Messages): string {
  const [y, mo, d] = iso.split('-').map(Number) as [number, number, number];
  return `${d} ${m.months[mo - 1]} ${y}`;
}

/** Built once per language: a new Intl.NumberFormat per number cost more than the rest of a table row. */
const numberFormats = {
  en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 }),
  sv: new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 2 }),
};

export function formatNumber(n: number, m: Messages): string {
  return (m.lang === 'en' ? numberFormats.en : numberFormats.sv).format(n);
}
