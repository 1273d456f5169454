import type { ChartSeries } from './types.js';

/**
 * Every x that any series mentions, in order. x values are opaque strings; ISO dates, years and
 * ISO weeks ("2023-W19") sort correctly as text, which is the default. Pass `order` to keep the
 * caller's own order (e.g. campaign names).
 */
export function xValuesOf(series: readonly ChartSeries[], order: 'text' | 'as-given' = 'text'): string[] {
  const seen = new Set<string>();
  for (const s of series) for (const p of s.points) seen.add(p.x);
  const xs = [...seen];
  return order === 'text' ? xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : xs;
}

/** The y of a series at x, or null when the series has no value there. */
export function valueAt(series: ChartSeries, x: string): number | null {
  for (const p of series.points) if (p.x === x) return p.y;
  return null;
}

/** Lookup tables per series, for tables with many rows: valueAt is linear per call. */
export function indexSeries(series: readonly ChartSeries[]): Map<string, number | null>[] {
  return series.map((s) => new Map(s.points.map((p) => [p.x, p.y] as const)));
}
