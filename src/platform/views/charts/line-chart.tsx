import { scaleLinear, scalePoint } from 'd3-scale';
import { line } from 'd3-shape';
import { chartWords, formatChartNumber } from './format.js';
import { summarizeChart } from './summary.js';
import type { ChartLang, ChartSeries, ReferenceLine } from './types.js';
import { indexSeries, xValuesOf } from './x-values.js';

export interface LineChartProps {
  /** Unique on the page: the <title> and <desc> ids derive from it. */
  id: string;
  title: string;
  series: readonly ChartSeries[];
  /** Shown on the y axis and in the summary, e.g. "mg/dygn per 1 000 invånare". */
  unit: string;
  referenceLines?: readonly ReferenceLine[];
  /** Short label under each x tick; defaults to the x value itself. */
  formatX?: (x: string) => string;
  /** Long form of an x value for the description (e.g. "3 maj 2022"); defaults to formatX. */
  describeX?: (x: string) => string;
  xOrder?: 'text' | 'as-given';
  /** Replaces the generated description. */
  description?: string;
  lang?: ChartLang;
  width?: number;
  height?: number;
  /** At least this top of the y axis: gives small multiples one shared scale. */
  yMax?: number;
}

/**
 * Colours keep at least 3:1 contrast against white (WCAG 1.4.11), and each series also has its
 * own marker shape, so no reader has to tell series apart by colour alone.
 */
export const SERIES_COLOURS = ['#0b3d91', '#b34700', '#00704f', '#a3007d', '#4d4d4d', '#7a5c00', '#0063a6', '#c2185b'] as const;
const MARKERS = ['circle', 'square', 'triangle', 'diamond'] as const;
type Marker = (typeof MARKERS)[number];

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif';
/** Generous width of one character at font-size 12 (system-ui), for layout only: overlap is worse than a gap. */
const CHAR_WIDTH = 7.4;

function markerPath(kind: Marker, x: number, y: number, r: number): string {
  switch (kind) {
    case 'circle':
      return `M${x - r},${y}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`;
    case 'square':
      return `M${x - r},${y - r}h${2 * r}v${2 * r}h${-2 * r}Z`;
    case 'triangle':
      return `M${x},${y - r * 1.2}L${x + r * 1.1},${y + r * 0.8}L${x - r * 1.1},${y + r * 0.8}Z`;
    case 'diamond':
      return `M${x},${y - r * 1.3}L${x + r * 1.3},${y}L${x},${y + r * 1.3}L${x - r * 1.3},${y}Z`;
  }
}

interface LegendItem {
  label: string;
  colour: string;
  dashed: boolean;
  marker: Marker | null;
  x: number;
  y: number;
}

/** Lays legend entries out left to right, wrapping at the chart width. */
function legendLayout(items: Omit<LegendItem, 'x' | 'y'>[], width: number, left: number): { items: LegendItem[]; height: number } {
  const out: LegendItem[] = [];
  let x = left;
  let y = 14;
  for (const it of items) {
    const w = 34 + it.label.length * CHAR_WIDTH + 16;
    if (x + w > width && x > left) {
      x = left;
      y += 20;
    }
    out.push({ ...it, x, y });
    x += w;
  }
  return { items: out, height: items.length === 0 ? 0 : y + 12 };
}

/**
 * A line chart drawn entirely on the server: no script, presentation attributes only (the CSP
 * allows no inline style). The picture is one `role="img"` with a title and a description; the
 * numbers themselves belong in a ChartDataTable beside it.
 */
export function LineChart(props: LineChartProps) {
  const lang = props.lang ?? 'sv';
  const width = props.width ?? 720;
  const baseHeight = props.height ?? 320;
  const fx = props.formatX ?? ((x: string) => x);
  const xs = xValuesOf(props.series, props.xOrder);
  const refs = props.referenceLines ?? [];
  const margin = { top: 12, right: 16, bottom: 40, left: 64 };

  const legend = legendLayout(
    [
      ...props.series.map((s, i) => ({
        label: s.label,
        colour: SERIES_COLOURS[i % SERIES_COLOURS.length]!,
        dashed: s.dashed === true,
        marker: MARKERS[i % MARKERS.length]!,
      })),
      ...refs.map((r) => ({ label: r.label, colour: '#595959', dashed: true, marker: null })),
    ],
    width - margin.right,
    margin.left,
  );
  const top = legend.height + margin.top + 8;
  const height = baseHeight + legend.height;
  const plotBottom = height - margin.bottom;

  const ys: number[] = refs.map((r) => r.y);
  if (props.yMax !== undefined && Number.isFinite(props.yMax)) ys.push(props.yMax);
  for (const s of props.series) for (const p of s.points) if (p.y !== null && Number.isFinite(p.y)) ys.push(p.y);
  const yMax = ys.length ? Math.max(...ys) : 1;
  const yMin = ys.length ? Math.min(0, ...ys) : 0;
  const y = scaleLinear()
    .domain([yMin, yMax === yMin ? yMin + 1 : yMax * 1.05])
    .nice(5)
    .range([plotBottom, top]);
  const x = scalePoint<string>().domain(xs).range([margin.left, width - margin.right]).padding(0.5);

  // Ticks thin out so that labels never overlap, whatever the number of x values.
  const longest = Math.max(1, ...xs.map((v) => fx(v).length));
  const maxTicks = Math.max(1, Math.floor((width - margin.left - margin.right) / (longest * CHAR_WIDTH + 12)));
  const step = Math.ceil(xs.length / maxTicks);
  const xTicks = xs.filter((_, i) => i % step === 0);

  const indexed = indexSeries(props.series);
  const titleId = `${props.id}-title`;
  const descId = `${props.id}-desc`;
  const description =
    props.description ??
    summarizeChart({ series: props.series, unit: props.unit, referenceLines: refs, formatX: props.describeX ?? props.formatX, xOrder: props.xOrder, lang });

  return (
    <svg
      id={props.id}
      class="chart"
      role="img"
      aria-labelledby={`${titleId} ${descId}`}
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      preserveAspectRatio="xMidYMid meet"
      font-family={FONT}
      font-size={13}
    >
      <title id={titleId}>{props.title}</title>
      <desc id={descId}>{description}</desc>
      <g class="legend">
        {legend.items.map((it) => (
          <g>
            <line
              x1={it.x}
              x2={it.x + 26}
              y1={it.y}
              y2={it.y}
              stroke={it.colour}
              strokeWidth={2.5}
              strokeDasharray={it.dashed ? '6 4' : undefined}
            />
            {it.marker ? <path d={markerPath(it.marker, it.x + 13, it.y, 3.5)} fill={it.colour} /> : null}
            <text x={it.x + 32} y={it.y} dominantBaseline="middle" fill="#1b1b1f">
              {it.label}
            </text>
          </g>
        ))}
      </g>
      <g class="y-axis">
        {y.ticks(5).map((t) => (
          <g>
            <line x1={margin.left} x2={width - margin.right} y1={y(t)} y2={y(t)} stroke="#d9d9df" strokeWidth={1} />
            <text x={margin.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle" fill="#4a4a55">
              {formatChartNumber(t, lang)}
            </text>
          </g>
        ))}
        <text x={12} y={(top + plotBottom) / 2} textAnchor="middle" transform={`rotate(-90 12 ${(top + plotBottom) / 2})`} fill="#4a4a55">
          {props.unit}
        </text>
      </g>
      <g class="x-axis">
        <line x1={margin.left} x2={width - margin.right} y1={plotBottom} y2={plotBottom} stroke="#4a4a55" strokeWidth={1} />
        {xTicks.map((t) => (
          <g>
            <line x1={x(t)} x2={x(t)} y1={plotBottom} y2={plotBottom + 5} stroke="#4a4a55" />
            <text x={x(t)} y={plotBottom + 18} textAnchor="middle" fill="#4a4a55">
              {fx(t)}
            </text>
          </g>
        ))}
      </g>
      <g class="reference-lines">
        {refs.map((r) => (
          <g>
            <line x1={margin.left} x2={width - margin.right} y1={y(r.y)} y2={y(r.y)} stroke="#595959" strokeWidth={1.5} strokeDasharray="2 4" />
            <text x={width - margin.right} y={y(r.y) - 5} textAnchor="end" fill="#4a4a55">
              {`${r.label}: ${formatChartNumber(r.y, lang)}`}
            </text>
          </g>
        ))}
      </g>
      <g class="series">
        {props.series.map((s, i) => {
          const colour = SERIES_COLOURS[i % SERIES_COLOURS.length]!;
          const marker = MARKERS[i % MARKERS.length]!;
          const values = indexed[i]!;
          const path = line<string>()
            .defined((v) => {
              const yv = values.get(v);
              return yv !== null && yv !== undefined && Number.isFinite(yv);
            })
            .x((v) => x(v) ?? 0)
            .y((v) => y(values.get(v) as number))(xs);
          return (
            <g class="series-line">
              {path ? <path d={path} fill="none" stroke={colour} strokeWidth={2.5} strokeDasharray={s.dashed ? '6 4' : undefined} /> : null}
              {xs.map((v) => {
                const yv = values.get(v);
                if (yv === null || yv === undefined || !Number.isFinite(yv)) return null;
                return (
                  <path d={markerPath(marker, x(v) ?? 0, y(yv), 3.5)} fill={colour}>
                    <title>{`${s.label}, ${fx(v)}: ${formatChartNumber(yv, lang)} ${props.unit}`}</title>
                  </path>
                );
              })}
            </g>
          );
        })}
      </g>
      {xs.length === 0 ? (
        <text x={width / 2} y={(top + plotBottom) / 2} textAnchor="middle" fill="#4a4a55">
          {chartWords[lang].noValues}
        </text>
      ) : null}
    </svg>
  );
}
