import { chartWords, formatChartNumber } from './format.js';
import type { ChartLang, ChartPoint, ChartSeries } from './types.js';
import { indexSeries, xValuesOf } from './x-values.js';

export interface ChartDataTableProps {
  caption: string;
  series: readonly ChartSeries[];
  /** Heading of the first column, e.g. "Datum". */
  xHeader: string;
  formatX?: (x: string) => string;
  xOrder?: 'text' | 'as-given';
  /**
   * Text for one cell instead of the formatted number, e.g. "< LOQ". Return undefined for the
   * default. Called for missing values too (y null), so a caller can explain a gap.
   */
  cellText?: (seriesIndex: number, point: ChartPoint) => string | undefined;
  lang?: ChartLang;
  id?: string;
}

/** The chart's numbers as a table: one row per x value, one column per series. */
export function ChartDataTable(props: ChartDataTableProps) {
  const lang = props.lang ?? 'sv';
  const fx = props.formatX ?? ((x: string) => x);
  const xs = xValuesOf(props.series, props.xOrder);
  const indexed = indexSeries(props.series);
  const missing = chartWords[lang].missing;
  return (
    <div class="table-scroll">
      <table class="chart-data" id={props.id}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{props.xHeader}</th>
            {props.series.map((s) => (
              <th scope="col">{s.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {xs.map((xv) => (
            <tr>
              <th scope="row">{fx(xv)}</th>
              {props.series.map((_, i) => {
                const raw = indexed[i]!.get(xv);
                const yv = raw === undefined || (raw !== null && !Number.isFinite(raw)) ? null : raw;
                const custom = props.cellText?.(i, { x: xv, y: yv });
                if (custom !== undefined) return <td class="num">{custom}</td>;
                if (yv === null)
                  return (
                    <td class="num missing">
                      <span aria-hidden="true">–</span>
                      <span class="visually-hidden">{missing}</span>
                    </td>
                  );
                return <td class="num">{formatChartNumber(yv, lang)}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
