import type { Locale } from '../i18n/index.js';

/** A site-internal link that keeps the reader's language. */
export function href(path: string, locale: Locale, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  if (locale !== 'sv') q.set('lang', locale);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The same page in the other language. */
export function switchLanguage(url: string, to: Locale): string {
  const u = new URL(url, 'http://x');
  if (to === 'sv') u.searchParams.delete('lang');
  else u.searchParams.set('lang', to);
  const s = u.searchParams.toString();
  return s ? `${u.pathname}?${s}` : u.pathname;
}
