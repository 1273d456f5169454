/**
 * The wastewater import benchmark, a section of `npm run bench` (also runnable alone:
 * `tsx bench/wastewater.ts`). Generates lab files of 100 000 and 1 000 000 measurement rows and
 * imports each into a fresh SQLite database in a process of its own, next to a raw
 * better-sqlite3 insert of the same rows in one transaction (bench/wastewater-import.ts): the
 * rows as the same CSV reader yields them, one prepared statement, nothing else. Everything the
 * import adds (row checks, staging, checks across rows, preview counts, corrections, the audit
 * row, one transaction) is what the ratio measures.
 *
 *   BENCH_WASTEWATER_ROWS    the large file's rows (default 1 000 000; the small one is a tenth)
 *   BENCH_WASTEWATER_ROUNDS  runs of each side on each file, best one counted (default 2): the
 *                            machine is shared, and a neighbour's burst should not decide it
 *
 * Targets: app rows/s ÷ raw rows/s ≥ 0.3 on the large file; peak RSS that stays flat as the
 * file grows ten-fold (at most 1.3 × the small file's, since streaming should cost nothing per row).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLabFile } from './wastewater-file.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

export const WASTEWATER_TARGET_RATIO = 0.3;
export const WASTEWATER_RSS_GROWTH = 1.3;

interface Run {
  rows: number;
  ms: number;
  /** User + system CPU time of the import itself. */
  cpuMs: number;
  maxRssMb: number;
}

export interface WastewaterBenchResult {
  rows: { small: number; large: number };
  fileBytes: { small: number; large: number };
  app: { small: Run & { rowsPerSecond: number }; large: Run & { rowsPerSecond: number } };
  raw: { small: Run & { rowsPerSecond: number }; large: Run & { rowsPerSecond: number } };
  split: { large: Run & { rowsPerSecond: number } };
  ratio: { small: number; large: number; largeVsSplit: number; largeCpu: number };
  rssGrowth: number;
  pass: { ratio: boolean; memory: boolean; all: boolean };
}

function child(mode: 'app' | 'raw' | 'split', file: string, db: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', join(here, 'wastewater-import.ts'), mode, file, db], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    c.once('error', reject);
    c.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`wastewater-import ${mode} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as Run);
      } catch {
        reject(new Error(`wastewater-import ${mode} printed ${out}`));
      }
    });
  });
}

const perSecond = (r: Run) => ({ ...r, rowsPerSecond: r.rows / (r.ms / 1000) });
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export async function runWastewaterBench(log: (line: string) => void = console.log): Promise<WastewaterBenchResult> {
  const large = Number(process.env.BENCH_WASTEWATER_ROWS || 1_000_000);
  if (!Number.isInteger(large) || large < 1000) throw new Error('BENCH_WASTEWATER_ROWS must be an integer >= 1000');
  const small = Math.round(large / 10);
  const dir = mkdtempSync(join(tmpdir(), 'loften-ww-bench-'));
  try {
    const files = { small: join(dir, 'small.csv'), large: join(dir, 'large.csv') };
    await writeLabFile(files.small, small);
    await writeLabFile(files.large, large);
    const bytes = { small: statSync(files.small).size, large: statSync(files.large).size };
    log(`wastewater import: files of ${fmt(small)} and ${fmt(large)} rows (${fmt(bytes.small / 1e6, 1)} MB, ${fmt(bytes.large / 1e6, 1)} MB), SQLite, one process per run`);

    // Raw and app alternate, so that a noisy neighbour hits both alike; the best round counts.
    const rounds = Math.max(1, Math.floor(Number(process.env.BENCH_WASTEWATER_ROUNDS || 2)));
    const best = (runs: Run[]) => perSecond(runs.reduce((a, b) => (b.ms < a.ms ? b : a)));
    const runs = { rawSmall: [] as Run[], appSmall: [] as Run[], rawLarge: [] as Run[], appLarge: [] as Run[], splitLarge: [] as Run[] };
    for (let i = 0; i < rounds; i++) {
      runs.rawSmall.push(await child('raw', files.small, join(dir, `raw-small-${i}.db`)));
      runs.appSmall.push(await child('app', files.small, join(dir, `app-small-${i}.db`)));
      runs.rawLarge.push(await child('raw', files.large, join(dir, `raw-large-${i}.db`)));
      runs.appLarge.push(await child('app', files.large, join(dir, `app-large-${i}.db`)));
      runs.splitLarge.push(await child('split', files.large, join(dir, `split-large-${i}.db`)));
      for (const f of [`raw-small-${i}`, `app-small-${i}`, `raw-large-${i}`, `app-large-${i}`, `split-large-${i}`]) for (const ext of ['.db', '.db-wal', '.db-shm']) rmSync(join(dir, f + ext), { force: true });
      const last = (r: Run[]) => `${fmt(r[r.length - 1]!.ms / 1000, 2)} s`;
      log(`  round ${i + 1}/${rounds}: raw ${last(runs.rawSmall)} / app ${last(runs.appSmall)} (small), raw ${last(runs.rawLarge)} / app ${last(runs.appLarge)} / hand-split ${last(runs.splitLarge)} (large)`);
    }
    const rawSmall = best(runs.rawSmall);
    const appSmall = best(runs.appSmall);
    const rawLarge = best(runs.rawLarge);
    const appLarge = best(runs.appLarge);
    const splitLarge = best(runs.splitLarge);
    // Peak memory is a property of the run, not of its speed: the highest of the rounds.
    appSmall.maxRssMb = Math.max(...runs.appSmall.map((r) => r.maxRssMb));
    appLarge.maxRssMb = Math.max(...runs.appLarge.map((r) => r.maxRssMb));

    const ratio = {
      small: appSmall.rowsPerSecond / rawSmall.rowsPerSecond,
      large: appLarge.rowsPerSecond / rawLarge.rowsPerSecond,
      largeVsSplit: appLarge.rowsPerSecond / splitLarge.rowsPerSecond,
      largeCpu: Math.min(...runs.rawLarge.map((r) => r.cpuMs)) / Math.min(...runs.appLarge.map((r) => r.cpuMs)),
    };
    const rssGrowth = appLarge.maxRssMb / appSmall.maxRssMb;
    const pass = { ratio: ratio.large >= WASTEWATER_TARGET_RATIO, memory: rssGrowth <= WASTEWATER_RSS_GROWTH, all: false };
    pass.all = pass.ratio && pass.memory;

    const line = (label: string, r: Run & { rowsPerSecond: number }) =>
      `  ${label.padEnd(26)} ${fmt(r.rows).padStart(9)} rows  ${fmt(r.ms / 1000, 2).padStart(7)} s (CPU ${fmt(r.cpuMs / 1000, 2).padStart(6)} s)  ${fmt(r.rowsPerSecond).padStart(8)} rows/s  peak RSS ${fmt(r.maxRssMb, 1).padStart(6)} MB`;
    log(line('raw better-sqlite3, small', rawSmall));
    log(line('app import, small', appSmall));
    log(line('raw better-sqlite3, large', rawLarge));
    log(line('app import, large', appLarge));
    log(line('hand-split + insert, large', splitLarge));
    log(`  ratio app/raw: ${fmt(ratio.small, 3)} (small), ${fmt(ratio.large, 3)} (large); target >= ${WASTEWATER_TARGET_RATIO} on the large file: ${pass.ratio ? 'PASS' : 'FAIL'}`);
    log(`  by CPU time, which a busy neighbour disturbs less: app/raw ${fmt(ratio.largeCpu, 3)} on the large file`);
    log(`  (for reference, app/hand-split on the large file: ${fmt(ratio.largeVsSplit, 3)}; hand-splitting ignores CSV quoting, so no importer can use it)`);
    log(
      `  peak RSS of the app import: ${fmt(appSmall.maxRssMb, 1)} MB at ${fmt(small)} rows, ${fmt(appLarge.maxRssMb, 1)} MB at ${fmt(large)} rows ` +
        `(× ${fmt(rssGrowth, 2)}; flat means <= × ${WASTEWATER_RSS_GROWTH}): ${pass.memory ? 'PASS' : 'FAIL'}`,
    );
    return {
      rows: { small, large },
      fileBytes: bytes,
      app: { small: appSmall, large: appLarge },
      raw: { small: rawSmall, large: rawLarge },
      split: { large: splitLarge },
      ratio,
      rssGrowth,
      pass,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runWastewaterBench().then(
    (r) => process.exit(r.pass.all ? 0 : 1),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
