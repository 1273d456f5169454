import type { Messages } from '../i18n/index.js';

/** "2022-06-01" → "1 juni 2022". */
export function formatDate(iso: string, m: Messages): string {
  const [y, mo, d] = iso.split('-').map(Number) as [number, number, number];
  return `${d} ${m.months[mo - 1]} ${y}`;
}

export function formatNumber(n: number, m: Messages): string {
  return new Intl.NumberFormat(m.lang === 'en' ? 'en-GB' : 'sv-SE', { maximumFractionDigits: 2 }).format(n);
}
