import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';

/**
 * A word-sized line chart beside a sentence: one series on a numeric x axis (so a target year
 * after the last value sits where it belongs), with optional baseline and target marks. It is one
 * `role="img"` with a title and a description that must say in words what the picture shows;
 * the numbers themselves belong in text or a table next to it.
 */

export interface SparkPoint {
  /** Position on the x axis, e.g. a year (2019) or a fractional year (2019.5). */
  x: number;
  /** Null is a gap (not yet available, suppressed): drawn as nothing, never as zero. */
  y: number | null;
  /** Drawn as an open circle: a preliminary figure. */
  open?: boolean;
}

export interface SparklineProps {
  id: string;
  title: string;
  description: string;
  points: readonly SparkPoint[];
  baseline?: { x: number; y: number } | null;
  target?: { x: number; y: number } | null;
  width?: number;
  height?: number;
}

const INK = '#0b3d91';
const MUTED = '#595959';
const TARGET = '#00704f';

export function Sparkline(props: SparklineProps) {
  const width = props.width ?? 180;
  const height = props.height ?? 48;
  const pad = 6;
  const present = props.points.filter((p): p is SparkPoint & { y: number } => p.y !== null && Number.isFinite(p.y));
  const xs = [...props.points.map((p) => p.x), ...(props.baseline ? [props.baseline.x] : []), ...(props.target ? [props.target.x] : [])];
  const ys = [...present.map((p) => p.y), ...(props.baseline ? [props.baseline.y] : []), ...(props.target ? [props.target.y] : [])];
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  const yMin = ys.length ? Math.min(...ys) : 0;
  const yMax = ys.length ? Math.max(...ys) : 1;
  const x = scaleLinear().domain(xMin === xMax ? [xMin - 1, xMax + 1] : [xMin, xMax]).range([pad, width - pad]);
  const y = scaleLinear().domain(yMin === yMax ? [yMin - 1, yMax + 1] : [yMin, yMax]).range([height - pad, pad]);
  const sorted = [...props.points].sort((a, b) => a.x - b.x);
  const path = line<SparkPoint>()
    .defined((p) => p.y !== null && Number.isFinite(p.y))
    .x((p) => x(p.x))
    .y((p) => y(p.y as number))(sorted);
  const last = present.length ? present.reduce((a, b) => (b.x > a.x ? b : a)) : null;
  const titleId = `${props.id}-title`;
  const descId = `${props.id}-desc`;
  return (
    <svg id={props.id} class="sparkline" role="img" aria-labelledby={`${titleId} ${descId}`} viewBox={`0 0 ${width} ${height}`} width={width} height={height}>
      <title id={titleId}>{props.title}</title>
      <desc id={descId}>{props.description}</desc>
      {props.target ? (
        <g class="spark-target">
          <line x1={pad} x2={width - pad} y1={y(props.target.y)} y2={y(props.target.y)} stroke={TARGET} strokeWidth={1} strokeDasharray="3 3" />
          <path d={`M${x(props.target.x)},${y(props.target.y) - 5}l5,5l-5,5l-5,-5Z`} fill="#fff" stroke={TARGET} strokeWidth={1.5} />
        </g>
      ) : null}
      {path ? <path d={path} fill="none" stroke={INK} strokeWidth={2} /> : null}
      {props.baseline ? <rect x={x(props.baseline.x) - 3.5} y={y(props.baseline.y) - 3.5} width={7} height={7} fill="#fff" stroke={MUTED} strokeWidth={1.5} /> : null}
      {present.map((p) =>
        p === last || p.open ? (
          <circle cx={x(p.x)} cy={y(p.y)} r={p === last ? 4 : 3} fill={p.open ? '#fff' : INK} stroke={INK} strokeWidth={1.5} />
        ) : null,
      )}
    </svg>
  );
}
