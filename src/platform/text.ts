/** Swedish text rules that the database cannot be trusted with (SQLite folds only ASCII). */
const collator = new Intl.Collator('sv');

export function compareSv(a: string, b: string): number {
  return collator.compare(a, b);
}

export function sortSv<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => collator.compare(key(a), key(b)));
}

const SWEDISH_LETTERS = /[åäöÅÄÖ]/;

function fold(s: string): string {
  return s.normalize('NFC').toLocaleLowerCase('sv').replace(/\s+/g, ' ').trim();
}

function stripDiacritics(s: string): string {
  return s.normalize('NFD').replace(/\p{Diacritic}/gu, '');
}

/**
 * Case-insensitive substring match where å, ä and ö are letters of their own: "strängnäs" and
 * "STRÄNGNÄS" find Strängnäs, "ä" never finds "a". A query typed without any å/ä/ö (say on an
 * English keyboard, "strangnas") is also tried against the name with its diacritics removed.
 */
export function matchesSv(name: string, query: string): boolean {
  const q = fold(query);
  if (q === '') return true;
  const n = fold(name);
  if (n.includes(q)) return true;
  return !SWEDISH_LETTERS.test(q) && stripDiacritics(n).includes(q);
}

/** URL slug from a Swedish name: "Strängnäs kommun" → "strangnas-kommun". */
export function slugify(s: string): string {
  return stripDiacritics(s.toLocaleLowerCase('sv'))
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
