import { parse } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { csvCell, toCsv, toJson } from '../../src/features/publishing/open-data/formats.js';
import type { Column } from '../../src/features/publishing/open-data/tables.js';
import { el, escapeAttr, escapeText, xmlDocument, xmlSafe } from '../../src/features/publishing/open-data/xml.js';

describe('CSV cells for Swedish Excel', () => {
  it.each([
    [2.5, '2,5'],
    [12, '12'],
    [0.125, '0,125'],
    [null, ''],
    [true, 'true'],
    [false, 'false'],
    [['Polisen', 'Kommunen'], 'Polisen | Kommunen'],
    [[], ''],
    ['Åsa på Öland', 'Åsa på Öland'],
    ['=1+1', "'=1+1"],
    ['+46 8 123', "'+46 8 123"],
    ['-10 %', "'-10 %"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tflik', "'\tflik"],
    [['=cmd', 'ok'], "'=cmd | ok"],
    ['a=b', 'a=b'],
  ] as const)('%j → %j', (value, cell) => {
    expect(csvCell(value as never)).toBe(cell);
  });

  it('writes a BOM, semicolons, CRLF and RFC 4180 quoting that csv-parse reads back', async () => {
    const columns: Column<{ t: string; n: number }>[] = [
      { name: 'text', type: 'string', about: '', value: (r) => r.t },
      { name: 'number', type: 'number', about: '', value: (r) => r.n },
    ];
    const rows = [
      { t: 'semi;kolon', n: 1.5 },
      { t: 'citat "så här"', n: 2 },
      { t: 'rad\r\nbrytning', n: 3 },
    ];
    const csv = await toCsv({ columns, rows });
    expect(csv.startsWith('\uFEFFtext;number\r\n')).toBe(true);
    expect(csv).toContain('"semi;kolon";1,5\r\n');
    expect(csv).toContain('"citat ""så här""";2\r\n');
    const back = parse(csv, { bom: true, delimiter: ';', columns: true });
    expect(back).toEqual([
      { text: 'semi;kolon', number: '1,5' },
      { text: 'citat "så här"', number: '2' },
      { text: 'rad\r\nbrytning', number: '3' },
    ]);
    expect(JSON.parse(await toJson({ columns, rows }, 'L'))).toEqual({ license: 'L', columns: ['text', 'number'], data: rows.map((r) => ({ text: r.t, number: r.n })) });
  });
  it('writes big and empty tables whole, in slices', async () => {
    const columns: Column<number>[] = [{ name: 'n', type: 'integer', about: '', value: (r) => r }];
    for (const count of [0, 1, 499, 500, 501, 1201]) {
      const rows = Array.from({ length: count }, (_, k) => k);
      const csv = await toCsv({ columns, rows });
      expect(csv.match(/\uFEFF/g)).toHaveLength(1);
      expect((parse(csv, { bom: true, delimiter: ';', columns: true }) as { n: string }[]).map((r) => Number(r.n))).toEqual(rows);
      expect(JSON.parse(await toJson({ columns, rows }, 'L')).data).toEqual(rows.map((n) => ({ n })));
    }
  });
});

describe('XML writer', () => {
  it('escapes markup in text and attributes', () => {
    expect(escapeText('a < b && c > "d"')).toBe('a &lt; b &amp;&amp; c &gt; "d"');
    expect(escapeAttr('say "hi" & <bye>\n\t')).toBe('say &quot;hi&quot; &amp; &lt;bye&gt;&#10;&#9;');
  });

  it('drops characters XML 1.0 cannot carry, and keeps every other letter', () => {
    expect(xmlSafe('ok\u0000\u0001\u0008\u000B\u000C\u001F\uFFFE\uFFFF\uD800slut')).toBe('okslut');
    expect(xmlSafe('tab\tny\nrad\r åäö – € 😀')).toBe('tab\tny\nrad\r åäö – € 😀');
  });

  it('writes a well-formed document that reads back to the same text', () => {
    const nasty = 'Anna </title> & "Bo" \u0007 <![CDATA[x]]> 😀';
    const feed = el(
      'feed',
      { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': 'sv' },
      el('title', { type: 'text' }, nasty),
      el('link', { href: 'https://x.se/?a=1&b="2"' }),
      null,
      false,
      [el('e', null, 'ett'), el('e', null, 'två')],
    );
    const doc = xmlDocument(feed);
    expect(XMLValidator.validate(doc)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(doc);
    expect(parsed.feed.title['#text']).toBe('Anna </title> & "Bo"  <![CDATA[x]]> 😀');
    expect(parsed.feed.link['@href']).toBe('https://x.se/?a=1&b="2"');
    expect(parsed.feed.e).toEqual(['ett', 'två']);
    expect(doc.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')).toBe(true);
  });

  it('refuses element and attribute names that are not XML names', () => {
    expect(() => xmlDocument(el('a b'))).toThrow(/not an XML name/);
    expect(() => xmlDocument(el('a', { 'x"': '1' }))).toThrow(/not an XML attribute name/);
  });
});
