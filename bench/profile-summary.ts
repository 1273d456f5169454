/**
 * Summarises a V8 .cpuprofile (from `BENCH_PROFILE=1 npm run bench`) by self time:
 * per area (our src/, each node_modules package, node internals, GC/idle) and the top functions.
 *   tsx bench/profile-summary.ts bench/results/profile/CPU.….cpuprofile [topN]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) {
  console.error('usage: profile-summary.ts file.cpuprofile [topN]');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 25);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map<number, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

function area(url: string, fn: string): string {
  if (fn === '(idle)' || fn === '(garbage collector)' || fn === '(program)') return fn;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.includes('/src/')) return 'src/' + (url.split('/src/')[1] ?? '').split('/').slice(0, 2).join('/');
  if (url.includes('/bench/')) return 'bench';
  if (url.startsWith('node:') || url === '') return 'node internals / native';
  return url;
}

// Inclusive time per "interesting" frame: walk each sample's stack once per distinct key.
const inclusive = new Map<string, number>();
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    const key = `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
  }
});

function short(url: string): string {
  return url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/');
}

const areas = new Map<string, number>();
const fns = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  const a = area(n.callFrame.url, n.callFrame.functionName);
  areas.set(a, (areas.get(a) ?? 0) + t);
  const key = `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + t);
}
const busy = total - (areas.get('(idle)') ?? 0);
const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
console.log(`profile: ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (percentages of busy time)\n\nself time by area:`);
for (const [a, t] of [...areas].filter(([a]) => a !== '(idle)').sort((x, y) => y[1] - x[1]).slice(0, 20)) console.log(`  ${pct(t)}  ${a}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [f, t] of [...fns].filter(([f]) => !f.startsWith('(idle)')).sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(t)}  ${f}`);
console.log(`\ntop ${top} frames by inclusive time:`);
for (const [f, t] of [...inclusive].filter(([f]) => !f.startsWith('(idle)') && !f.startsWith('(root)')).sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(t)}  ${f}`);
