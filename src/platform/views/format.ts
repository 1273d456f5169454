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

const stockholmParts = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** A timestamp as a Swedish reader expects it, in Swedish time: "3 mars 2022 kl. 14:05". */
export function formatDateTime(isoTimestamp: string, m: Messages): string {
  const parts = Object.fromEntries(stockholmParts.formatToParts(new Date(isoTimestamp)).map((p) => [p.type, p.value]));
  const date = formatDate(`${parts.year}-${parts.month}-${parts.day}`, m);
  return m.lang === 'en' ? `${date}, ${parts.hour}:${parts.minute}` : `${date} kl. ${parts.hour}.${parts.minute}`;
}

/** The Swedish calendar date of a timestamp. */
export function stockholmDateOf(isoTimestamp: string): string {
  const parts = Object.fromEntries(stockholmParts.formatToParts(new Date(isoTimestamp)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}
