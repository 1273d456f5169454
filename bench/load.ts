/**
 * `npm run bench:load`: a bounded mixed workload against a real `loften serve` on loopback, on
 * SQLite and on PostgreSQL. 95 % public reads (index, pledge pages, follow-up, embeds, API, feeds,
 * open data), 5 % signed-in writes (activity reports and activity edits), then a check in the
 * database that every acknowledged write is there. See docs/decisions/performance.md, "Load test".
 *
 *   --db sqlite|postgres|both   (default both)
 *   --duration S                measured seconds (default 60)
 *   --connections N             concurrent clients (default 100)
 *   --warmup S                  read-only seconds before measuring (default 5)
 *   --baseline S                seconds of the raw node:http baseline (default 10, 0 = none)
 *   --reads-only                no writes: shows what the writes cost the readers
 *
 * LOAD_PROFILE=1 writes a CPU profile of each server to bench/results/profile/ (summarise it with
 * bench/profile-summary.ts).
 *
 * PostgreSQL: a fresh database on $LOAD_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * dropped afterwards. Results go to bench/results/load-latest.json. Exit code 0 when every target passes.
 */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { runLoad, type Latencies, type LoadResult } from './load-driver.js';

const here = dirname(fileURLToPath(import.meta.url));
const HOST = '127.0.0.1';
const READ_P99_TARGET_MS = 50;

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '5' },
    baseline: { type: 'string', default: '10' },
    'reads-only': { type: 'boolean', default: false },
  },
});
function num(name: string, raw: string | undefined, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${raw}`);
  return n;
}
const DURATION = num('duration', args.duration, 1);
const CONNECTIONS = num('connections', args.connections, 1);
const WARMUP = num('warmup', args.warmup, 0);
const BASELINE = num('baseline', args.baseline, 0);
if (!['sqlite', 'postgres', 'both'].includes(args.db!)) throw new Error('--db must be sqlite, postgres or both');
const kinds = (args.db === 'both' ? ['sqlite', 'postgres'] : [args.db]) as ('sqlite' | 'postgres')[];
const PG_ADMIN = process.env.LOAD_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// ---------------------------------------------------------------------------------------------
// Databases, cleaned up whatever happens

const cleanups: (() => Promise<void> | void)[] = [];
async function cleanupAll() {
  while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch((e) => console.error(`cleanup: ${(e as Error).message}`));
}
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    console.error(`\n${sig}: stopping`);
    void cleanupAll().finally(() => process.exit(130));
  });

async function freshDatabase(kind: 'sqlite' | 'postgres'): Promise<string> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'loften-load-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return `sqlite:${join(dir, 'loften.db')}`;
  }
  const name = `loften_load_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 5000 });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const a = new pg.Client({ connectionString: PG_ADMIN });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  });
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Baseline: the same gzip bytes of one page from a raw node:http server (bench/serve-baseline.ts)

interface Baseline {
  path: string;
  rps: number;
  p99: number;
  errors: number;
}

async function measureBaseline(appUrl: string, seconds: number): Promise<Baseline> {
  const path = '/kommun/lasttest';
  // The bytes as the app sends them to a reader asking for gzip, still compressed.
  const { body, contentType } = await new Promise<{ body: Buffer; contentType: string }>((resolve, reject) =>
    get(`${appUrl}${path}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.headers['content-encoding'] === 'gzip' ? resolve({ body: Buffer.concat(chunks), contentType: String(res.headers['content-type']) }) : reject(new Error(`${path} was not sent gzipped`))));
    }).on('error', reject),
  );
  const dir = mkdtempSync(join(tmpdir(), 'loften-load-baseline-'));
  try {
    const file = join(dir, 'page.gzip');
    writeFileSync(file, body);
    const manifest = join(dir, 'baseline.json');
    writeFileSync(manifest, JSON.stringify({ [path]: [{ encoding: 'gzip', file, contentType }] }));
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'serve-baseline.ts'), manifest], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`baseline exited with ${code}`)));
        child.stdout.once('data', (b: Buffer) => resolve((JSON.parse(b.toString().split('\n')[0]!) as { port: number }).port));
      });
      const r = await autocannon({ url: `http://${HOST}:${port}${path}`, connections: CONNECTIONS, duration: seconds, headers: { 'accept-encoding': 'gzip' } });
      return { path, rps: r.requests.total / r.duration, p99: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts };
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const lat = (l: Latencies) => `p50 ${fmt(l.p50, 1)} ms, p90 ${fmt(l.p90, 1)} ms, p99 ${fmt(l.p99, 1)} ms, max ${fmt(l.max)} ms (n = ${fmt(l.count)})`;

interface Outcome {
  db: 'sqlite' | 'postgres';
  result: LoadResult;
  baseline: Baseline | null;
  loadBefore: number;
  loadAfter: number;
  checks: { name: string; pass: boolean }[];
}

async function one(kind: 'sqlite' | 'postgres'): Promise<Outcome> {
  console.log(`\n== ${kind}: ${CONNECTIONS} connections, ${DURATION} s (+ ${WARMUP} s read-only warm-up)`);
  const url = await freshDatabase(kind);
  const loadBefore = loadavg()[0]!;
  let baseline: Baseline | null = null;
  const result = await runLoad({
    databaseUrl: url,
    connections: CONNECTIONS,
    duration: DURATION,
    warmup: WARMUP,
    demo: true,
    readsOnly: args['reads-only'],
    profileDir: process.env.LOAD_PROFILE === '1' ? join(here, 'results', 'profile') : undefined,
    log: (l) => console.log(l),
    onServer: async (server) => {
      if (BASELINE > 0) baseline = await measureBaseline(server.url, BASELINE);
    },
  });
  const loadAfter = loadavg()[0]!;
  const checks = [
    { name: 'zero errors', pass: result.errors === 0 },
    { name: 'zero lost writes', pass: result.lostWrites === 0 && result.inconsistencies.length === 0 },
    ...(kind === 'sqlite' ? [{ name: `public p99 < ${READ_P99_TARGET_MS} ms`, pass: result.reads.p99 < READ_P99_TARGET_MS }] : []),
  ];
  const r = result;
  console.log(`  requests:    ${fmt(r.requests)} in ${fmt(r.seconds)} s = ${fmt(r.throughput)} req/s (reads ${fmt(r.reads.count)}, writes ${fmt(r.writes.count)})`);
  console.log(`  reads:       ${lat(r.reads)}`);
  console.log(`  writes:      ${lat(r.writes)}`);
  console.log(`  errors:      ${r.errors} (bad read statuses ${r.badReads}, bad write statuses ${r.badWrites}, socket errors ${r.socketErrors} incl. timeouts ${r.timeouts})`);
  console.log(`  statuses:    ${Object.entries(r.statuses).map(([k, v]) => `${k}: ${fmt(v)}`).join(', ')}`);
  console.log(`  per second:  ${r.perSecond.join(' ')}`);
  console.log(`  acknowledged writes: ${r.acknowledged.reports} activity reports, ${r.acknowledged.edits} activity edits`);
  console.log(`  lost writes: ${r.lostWrites}${r.inconsistencies.length ? ` (+ ${r.inconsistencies.length} inconsistencies: ${r.inconsistencies.slice(0, 3).join('; ')})` : ''}`);
  if (baseline) {
    const b = baseline as Baseline;
    console.log(`  baseline:    raw node:http, ${b.path} from memory: ${fmt(b.rps)} req/s, p99 ${fmt(b.p99)} ms; app mix / baseline = ${fmt(r.throughput / b.rps, 3)}`);
  }
  console.log(`  load average: ${fmt(loadBefore, 2)} before, ${fmt(loadAfter, 2)} after (${cpus().length} CPUs; other work adds noise)`);
  for (const c of checks) console.log(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name}`);
  return { db: kind, result, baseline, loadBefore, loadAfter, checks };
}

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  console.log(`loften bench:load: ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}, node ${process.version}, loopback only`);
  const outcomes: Outcome[] = [];
  try {
    for (const kind of kinds) {
      outcomes.push(await one(kind));
      await cleanupAll();
    }
  } finally {
    await cleanupAll();
  }
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', 'load-latest.json');
  writeFileSync(file, JSON.stringify({ startedAt, node: process.version, cpus: cpus().length, connections: CONNECTIONS, duration: DURATION, warmup: WARMUP, outcomes }, null, 2));
  console.log(`\nresults: ${file}`);
  const pass = outcomes.every((o) => o.checks.every((c) => c.pass));
  console.log(pass ? 'PASS' : 'FAIL');
  return pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(err);
    await cleanupAll();
    process.exit(1);
  },
);
