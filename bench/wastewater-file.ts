import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * A lab file of `rows` measurement rows, written as a stream (never held whole): 50 sites in 50
 * districts, one sample per site and day, eight substances per sample, Swedish decimal commas
 * and about one value in twelve reported as "<LOQ". Deterministic.
 */
export const BENCH_SITES = 50;
const SUBSTANCES = ['bensoylekgonin', 'amfetamin', 'metamfetamin', 'MDMA', 'THC-COOH', 'ketamin', 'kokain', 'morfin'];
export const HEADER = 'site_code;district;population;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l;below_loq';

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function writeLabFile(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  const rnd = random(6);
  let written = 0;
  let buffer = `${HEADER}\n`;
  const start = Date.UTC(2010, 0, 1);
  outer: for (let day = 0; ; day++) {
    const date = new Date(start + day * 86_400_000).toISOString().slice(0, 10);
    for (let s = 0; s < BENCH_SITES; s++) {
      const population = 5000 + s * 1000;
      const flow = Math.round(population * (0.28 + rnd() * 0.08));
      for (const substance of SUBSTANCES) {
        if (written === rows) break outer;
        const conc = rnd() < 0.08 ? '<LOQ' : (rnd() * 500).toFixed(1).replace('.', ',');
        buffer += `S${s};Del ${s};${population};${date};${flow};${substance};${conc};1,0;\n`;
        written++;
        if (buffer.length > 1 << 16) {
          if (!out.write(buffer)) await once(out, 'drain');
          buffer = '';
        }
      }
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return written;
}
