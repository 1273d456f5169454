import { scaleLinear } from 'd3-scale';
import { chartWords, formatChartNumber } from './format.js';
import type { ChartLang } from './types.js';

export interface Bar {
  label: string;
  /** null: nothing to show (e.g. no activity counts), drawn as an empty row with the word for missing. */
  value: number | null;
}

export interface BarChartProps {
  /** Unique on the page: the <title> and <desc> ids derive from it. */
  id: string;
  title: string;
  /** The accessible description: what the bars say, in a sentence or two (the data table holds the numbers). */
  description: string;
  bars: readonly Bar[];
  /** The scale's end, e.g. 100 for percentages. */
  max: number;
  /** Text after each value, e.g. " %". */
  suffix?: string;
  lang?: ChartLang;
  width?: number;
}

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif';
const CHAR_WIDTH = 6.6; // rough width of one character at font-size 12, for layout only
const BAR = '#0b3d91'; // 10:1 on white
const TRACK = '#e4e7ee';
const TEXT = '#1b1b1f';
const MUTED = '#4a4a55';

/** Splits a label into lines that fit `chars` characters, at spaces; at most three lines, the last cut with "…". */
function wrap(label: string, chars: number): string[] {
  const words = label.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && (line + ' ' + w).length > chars) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  if (lines.length > 3) return [...lines.slice(0, 2), `${lines[2]!.slice(0, chars - 1)}…`];
  return lines;
}

/**
 * Horizontal bars, one per category, drawn on the server: each label above its bar, the value at
 * the bar's end, a grid at every 25 % of the scale. Like LineChart: one `role="img"` with a title
 * and a description; the numbers belong in a table beside it. The bar colour has more than 3:1
 * contrast with white and with the track, so the length reads without colour vision.
 */
export function BarChart(props: BarChartProps) {
  const lang = props.lang ?? 'sv';
  const width = props.width ?? 720;
  const suffix = props.suffix ?? '';
  const margin = { top: 8, right: 72, bottom: 28, left: 20 };
  const barHeight = 18;
  const lineHeight = 15;
  const x = scaleLinear().domain([0, props.max]).range([margin.left, width - margin.right]);
  const chars = Math.floor((width - margin.left - margin.right) / CHAR_WIDTH);

  let y = margin.top;
  const rows = props.bars.map((b) => {
    const lines = wrap(b.label, chars);
    const top = y;
    const barY = top + lines.length * lineHeight + 4;
    y = barY + barHeight + 14;
    return { ...b, lines, top, barY };
  });
  const plotBottom = y;
  const height = plotBottom + margin.bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * props.max);
  const titleId = `${props.id}-title`;
  const descId = `${props.id}-desc`;

  return (
    <svg
      id={props.id}
      class="chart bar-chart"
      role="img"
      aria-labelledby={`${titleId} ${descId}`}
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      preserveAspectRatio="xMidYMid meet"
      fontFamily={FONT}
      fontSize={12}
    >
      <title id={titleId}>{props.title}</title>
      <desc id={descId}>{props.description}</desc>
      <g class="grid">
        {ticks.map((t) => (
          <g>
            <line x1={x(t)} x2={x(t)} y1={margin.top} y2={plotBottom} stroke="#d9d9df" strokeWidth={1} />
            <text x={x(t)} y={plotBottom + 16} textAnchor="middle" fill={MUTED}>
              {`${formatChartNumber(t, lang)}${suffix}`}
            </text>
          </g>
        ))}
      </g>
      <g class="bars">
        {rows.map((r) => (
          <g>
            {r.lines.map((l, i) => (
              <text x={x(0)} y={r.top + (i + 1) * lineHeight - 3} fill={TEXT}>
                {l}
              </text>
            ))}
            <rect x={x(0)} y={r.barY} width={x(props.max) - x(0)} height={barHeight} fill={TRACK} />
            {r.value !== null && r.value > 0 ? <rect x={x(0)} y={r.barY} width={x(Math.min(r.value, props.max)) - x(0)} height={barHeight} fill={BAR} /> : null}
            <text x={x(Math.min(r.value ?? 0, props.max)) + 6} y={r.barY + barHeight / 2} dominantBaseline="middle" fill={TEXT} fontWeight="bold">
              {r.value === null ? chartWords[lang].missing : `${formatChartNumber(r.value, lang)}${suffix}`}
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
}
