/** One value of a series at one x; `y: null` is a gap (missing, suppressed or not measured), never zero. */
export interface ChartPoint {
  x: string;
  y: number | null;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
  /** Drawn dashed: for estimates, references or anything the reader should not take as measured. */
  dashed?: boolean;
}

/** A horizontal line across the plot, e.g. a target or a national reference level. */
export interface ReferenceLine {
  label: string;
  y: number;
}

export type ChartLang = 'sv' | 'en';
