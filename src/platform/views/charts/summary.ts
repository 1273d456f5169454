import { chartWords, formatChartNumber } from './format.js';
import type { ChartLang, ChartSeries, ReferenceLine } from './types.js';
import { xValuesOf } from './x-values.js';

export interface ChartSummaryInput {
  series: readonly ChartSeries[];
  unit: string;
  referenceLines?: readonly ReferenceLine[];
  /** How an x value reads in a sentence, e.g. an ISO date as "3 maj 2022". */
  formatX?: (x: string) => string;
  xOrder?: 'text' | 'as-given';
  lang?: ChartLang;
  /**
   * Why a series has no value at x, when the caller knows (e.g. "< LOQ"): such gaps are named
   * instead of counted as missing. Return null for a plain missing value.
   */
  gapLabel?: (seriesIndex: number, x: string) => string | null;
}

/**
 * A plain-text account of a line chart, for its <desc> and for readers who skip the picture:
 * the span covered and, per series, the first and latest value, the lowest and highest and how
 * many values are missing. Each series is described on its own; the text never compares or
 * ranks the series against each other, which the caller may not want said.
 */
export function summarizeChart(input: ChartSummaryInput): string {
  const lang = input.lang ?? 'sv';
  const w = chartWords[lang];
  const fx = input.formatX ?? ((x: string) => x);
  const num = (n: number) => formatChartNumber(n, lang);
  const xs = xValuesOf(input.series, input.xOrder);
  const sentences: string[] = [];

  if (xs.length === 0) {
    sentences.push(lang === 'sv' ? `Diagrammet saknar värden (${input.unit}).` : `The chart has no values (${input.unit}).`);
  } else {
    const span = xs.length === 1 ? fx(xs[0]!) : lang === 'sv' ? `från ${fx(xs[0]!)} till ${fx(xs[xs.length - 1]!)}` : `from ${fx(xs[0]!)} to ${fx(xs[xs.length - 1]!)}`;
    sentences.push(
      lang === 'sv'
        ? `Linjediagram med ${w.series(input.series.length)} och ${w.points(xs.length)}, ${span}, i ${input.unit}.`
        : `Line chart with ${w.series(input.series.length)} and ${w.points(xs.length)}, ${span}, in ${input.unit}.`,
    );
  }

  input.series.forEach((s, si) => {
    const present = s.points.filter((p): p is { x: string; y: number } => p.y !== null && Number.isFinite(p.y));
    const has = new Set(present.map((p) => p.x));
    const labelled = new Map<string, string[]>();
    let missing = 0;
    for (const x of xs) {
      if (has.has(x)) continue;
      const label = input.gapLabel?.(si, x) ?? null;
      if (label === null) missing++;
      else labelled.set(label, [...(labelled.get(label) ?? []), x]);
    }
    const gapParts = [...labelled].map(([label, at]) =>
      at.length === xs.length
        ? lang === 'sv'
          ? `${label} vid alla tidpunkter`
          : `${label} at every point`
        : lang === 'sv'
          ? `${label} vid ${w.points(at.length)} (${at.map(fx).join(', ')})`
          : `${label} at ${w.points(at.length)} (${at.map(fx).join(', ')})`,
    );
    if (present.length === 0) {
      sentences.push(`${s.label}: ${[...(gapParts.length > 0 ? [] : [w.noValues]), ...gapParts, ...(missing > 0 && gapParts.length > 0 ? [w.missingCount(missing)] : [])].join('; ')}.`);
      return;
    }
    const ordered = input.xOrder === 'as-given' ? present : [...present].sort((a, b) => (a.x < b.x ? -1 : a.x > b.x ? 1 : 0));
    const first = ordered[0]!;
    const last = ordered[ordered.length - 1]!;
    let low = first;
    let high = first;
    for (const p of ordered) {
      if (p.y < low.y) low = p;
      if (p.y > high.y) high = p;
    }
    const parts: string[] = [];
    if (ordered.length === 1) {
      parts.push(lang === 'sv' ? `ett värde, ${num(first.y)} (${fx(first.x)})` : `one value, ${num(first.y)} (${fx(first.x)})`);
    } else {
      parts.push(
        lang === 'sv'
          ? `första värdet ${num(first.y)} (${fx(first.x)}), senaste ${num(last.y)} (${fx(last.x)})`
          : `first value ${num(first.y)} (${fx(first.x)}), latest ${num(last.y)} (${fx(last.x)})`,
      );
      parts.push(
        lang === 'sv'
          ? `lägst ${num(low.y)} (${fx(low.x)}), högst ${num(high.y)} (${fx(high.x)})`
          : `lowest ${num(low.y)} (${fx(low.x)}), highest ${num(high.y)} (${fx(high.x)})`,
      );
    }
    parts.push(...gapParts);
    if (missing > 0) parts.push(w.missingCount(missing));
    sentences.push(`${s.label}: ${parts.join('; ')}.`);
  });

  for (const r of input.referenceLines ?? []) {
    sentences.push(lang === 'sv' ? `Referenslinje ${r.label}: ${num(r.y)}.` : `Reference line ${r.label}: ${num(r.y)}.`);
  }
  return sentences.join(' ');
}
