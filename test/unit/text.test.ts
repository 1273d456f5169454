import { describe, expect, it } from 'vitest';
import { matchesSv, slugify, sortSv } from '../../src/platform/text.js';

describe('Swedish search', () => {
  it('matches å, ä and ö regardless of case', () => {
    expect(matchesSv('Strängnäs kommun', 'strängnäs')).toBe(true);
    expect(matchesSv('Strängnäs kommun', 'STRÄNGNÄS')).toBe(true);
    expect(matchesSv('Åre kommun', 'åre')).toBe(true);
    expect(matchesSv('Örebro kommun', 'ÖREBRO')).toBe(true);
  });

  it('keeps å, ä and ö distinct from a and o when the reader typed them', () => {
    expect(matchesSv('Strangnas', 'ä')).toBe(false);
    expect(matchesSv('Åre kommun', 'ä')).toBe(false);
  });

  it('lets a query typed without Swedish letters find the name', () => {
    expect(matchesSv('Strängnäs kommun', 'strangnas')).toBe(true);
    expect(matchesSv('Strömsunds kommun', 'stroms')).toBe(true);
  });

  it('matches everything on an empty query and nothing on a wrong one', () => {
    expect(matchesSv('Vingåkers kommun', '  ')).toBe(true);
    expect(matchesSv('Vingåkers kommun', 'göteborg')).toBe(false);
  });
});

describe('Swedish order', () => {
  it('sorts å, ä, ö after z, as a Swedish reader expects', () => {
    expect(sortSv(['Örebro', 'Ale', 'Ängelholm', 'Åre', 'Zinkgruvan'], (s) => s)).toEqual(['Ale', 'Zinkgruvan', 'Åre', 'Ängelholm', 'Örebro']);
  });

  it('makes URL slugs without diacritics', () => {
    expect(slugify('Strängnäs kommun')).toBe('strangnas-kommun');
    expect(slugify('  Åre – Östersund ')).toBe('are-ostersund');
  });
});
