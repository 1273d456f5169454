import { en } from './en.js';
import { sv, type Messages } from './sv.js';

export type Locale = 'sv' | 'en';
export type { Messages };

const catalogues: Record<Locale, Messages> = { sv, en };

export function messages(locale: Locale): Messages {
  return catalogues[locale];
}

/** Swedish unless the reader asked for English with ?lang=en; no cookie, so pages stay cacheable. */
export function localeFrom(query: unknown): Locale {
  return typeof query === 'object' && query !== null && (query as { lang?: unknown }).lang === 'en' ? 'en' : 'sv';
}
