import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { ChartDataTable, formatChartNumber, LineChart, summarizeChart, xValuesOf, type ChartSeries } from '../../src/platform/views/charts/index.js';

const series: ChartSeries[] = [
  {
    label: 'Norra',
    points: [
      { x: '2023-05-02', y: 12.5 },
      { x: '2023-05-03', y: null },
      { x: '2023-05-04', y: 1234.567 },
    ],
  },
  {
    label: 'Södra',
    dashed: true,
    points: [
      { x: '2023-05-04', y: 3 },
      { x: '2023-05-02', y: 0.004 },
    ],
  },
];

describe('Swedish numbers in charts', () => {
  it('uses a decimal comma, a space between thousands and keeps small values visible', () => {
    expect(formatChartNumber(12.5)).toBe('12,5');
    expect(formatChartNumber(1234.567)).toBe('1\u00a0234,57');
    expect(formatChartNumber(0.004)).toBe('0,004');
    expect(formatChartNumber(0)).toBe('0');
    expect(formatChartNumber(12.5, 'en')).toBe('12.5');
  });
});

describe('x values', () => {
  it('collects every x of every series once, sorted as text unless the caller keeps its order', () => {
    expect(xValuesOf(series)).toEqual(['2023-05-02', '2023-05-03', '2023-05-04']);
    expect(xValuesOf([{ label: 'a', points: [{ x: 'höst', y: 1 }, { x: 'vår', y: 2 }, { x: 'höst', y: 3 }] }], 'as-given')).toEqual(['höst', 'vår']);
  });
});

describe('LineChart', () => {
  const html = renderToString(
    h(LineChart, { id: 'c1', title: 'Halter i maj', unit: 'mg/dygn', series, referenceLines: [{ label: 'Riket', y: 50 }] }),
  );

  it('is one image with a title and a description that name it for assistive technology', () => {
    expect(html).toMatch(/^<svg[^>]*role="img"/);
    expect(html).toContain('aria-labelledby="c1-title c1-desc"');
    expect(html).toContain('<title id="c1-title">Halter i maj</title>');
    expect(html).toMatch(/<desc id="c1-desc">Linjediagram med 2 serier och 3 tidpunkter/);
  });

  it('draws one line per series, dashed where asked, and the reference line with its label', () => {
    const lines = [...html.matchAll(/<path d="M[^"]*" fill="none" stroke="([^"]+)" stroke-width="2.5"( stroke-dasharray="6 4")?/g)];
    expect(lines).toHaveLength(2);
    expect(lines[0]![2]).toBeUndefined();
    expect(lines[1]![2]).toBeDefined();
    expect(html).toContain('Riket: 50');
    expect(html).toContain('stroke-dasharray="2 4"');
  });

  it('leaves a gap for a missing value instead of drawing it as zero', () => {
    const first = /<g class="series-line"><path d="([^"]+)"/.exec(html)![1]!;
    // Two separate runs (M…M) because the middle value is missing; no point is drawn for it.
    expect(first.match(/M/g)).toHaveLength(2);
    expect(html).not.toContain('Norra, 2023-05-03');
    expect(html).toContain('Norra, 2023-05-04: 1\u00a0234,57 mg/dygn');
  });

  it('writes y ticks with Swedish decimals and the unit on the axis', () => {
    expect(html).toContain('>mg/dygn</text>');
    expect(html).toMatch(/>1\u00a0[0-9]{3}<\/text>/);
  });

  it('uses no inline style, which the CSP would block', () => {
    expect(html).not.toContain('style=');
    expect(html).toContain('font-size="13"');
    expect(html).not.toMatch(/fontSize|fontFamily/);
  });

  it('says so when there is nothing to draw', () => {
    const empty = renderToString(h(LineChart, { id: 'e', title: 'Tomt', unit: 'st', series: [] }));
    expect(empty).toContain('inga värden');
    expect(empty).toContain('Diagrammet saknar värden (st).');
  });
});

describe('ChartDataTable', () => {
  const html = renderToString(h(ChartDataTable, { caption: 'Värden i maj (mg/dygn)', xHeader: 'Datum', series }));

  it('has a caption, a header per series and one row per x value', () => {
    expect(html).toContain('<caption>Värden i maj (mg/dygn)</caption>');
    expect(html).toContain('<th scope="col">Datum</th><th scope="col">Norra</th><th scope="col">Södra</th>');
    expect(html.match(/<th scope="row">/g)).toHaveLength(3);
  });

  it('shows a missing value as a dash that screen readers hear as "saknas"', () => {
    const row = /<tr><th scope="row">2023-05-03<\/th>(.*?)<\/tr>/.exec(html)![1]!;
    expect(row.match(/<span aria-hidden="true">–<\/span><span class="visually-hidden">saknas<\/span>/g)).toHaveLength(2);
  });

  it('formats numbers in Swedish and lets the caller word a cell itself', () => {
    expect(html).toContain('<td class="num">12,5</td>');
    const custom = renderToString(
      h(ChartDataTable, { caption: 'c', xHeader: 'x', series, cellText: (i, p) => (i === 1 && p.x === '2023-05-02' ? '< LOQ' : undefined) }),
    );
    expect(custom).toContain('<td class="num">&lt; LOQ</td>');
  });
});

describe('summarizeChart', () => {
  it('describes each series on its own: first, latest, lowest, highest and the gaps', () => {
    const text = summarizeChart({ series, unit: 'mg/dygn', referenceLines: [{ label: 'Riket', y: 50 }] });
    expect(text).toBe(
      'Linjediagram med 2 serier och 3 tidpunkter, från 2023-05-02 till 2023-05-04, i mg/dygn. ' +
        'Norra: första värdet 12,5 (2023-05-02), senaste 1\u00a0234,57 (2023-05-04); lägst 12,5 (2023-05-02), högst 1\u00a0234,57 (2023-05-04); 1 värde saknas. ' +
        'Södra: första värdet 0,004 (2023-05-02), senaste 3 (2023-05-04); lägst 0,004 (2023-05-02), högst 3 (2023-05-04); 1 värde saknas. ' +
        'Referenslinje Riket: 50.',
    );
  });

  it('handles a single value, a series without values and the reader’s own date wording', () => {
    const text = summarizeChart({
      series: [
        { label: 'A', points: [{ x: '2023-05-02', y: 4 }] },
        { label: 'B', points: [{ x: '2023-05-02', y: null }] },
      ],
      unit: 'st',
      formatX: (x) => (x === '2023-05-02' ? '2 maj 2023' : x),
    });
    expect(text).toBe('Linjediagram med 2 serier och 1 tidpunkt, 2 maj 2023, i st. A: ett värde, 4 (2 maj 2023). B: inga värden.');
  });

  it('speaks English when asked', () => {
    expect(summarizeChart({ series: [{ label: 'A', points: [{ x: '1', y: 1.5 }] }], unit: 'kg', lang: 'en' })).toBe(
      'Line chart with 1 series and 1 point in time, 1, in kg. A: one value, 1.5 (1).',
    );
  });
});

describe('summarizeChart with named gaps', () => {
  it('names a gap the caller explains instead of counting it as missing', () => {
    const text = summarizeChart({
      series: [
        { label: 'Vardag', points: [{ x: 'a', y: null }, { x: 'b', y: null }] },
        { label: 'Helg', points: [{ x: 'a', y: 2 }, { x: 'b', y: null }] },
      ],
      unit: 'mg',
      gapLabel: (i, x) => (i === 0 || x === 'b' ? '< LOQ' : null),
    });
    expect(text).toBe('Linjediagram med 2 serier och 2 tidpunkter, från a till b, i mg. Vardag: < LOQ vid alla tidpunkter. Helg: ett värde, 2 (a); < LOQ vid 1 tidpunkt (b).');
  });
});
