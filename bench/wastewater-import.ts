import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import SQLite from 'better-sqlite3';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createParty } from '../src/features/pledges/pledge-service.js';
import { openCsv, parseDecimalSv } from '../src/platform/csv.js';
import { applyImport, readImport, startImport } from '../src/features/wastewater/import-service.js';

/**
 * Child process of bench/run.ts, so that each measurement has a process, and a peak RSS, of its
 * own. Prints one JSON line: {"rows": n, "ms": t, "maxRssMb": m}.
 *
 *   app FILE DB   the real import (stream, check, stage, cross-row checks, apply in one
 *                 transaction with corrections and audit) into a freshly migrated database
 *   raw FILE DB   the baseline: the same rows, read from the file by the same CSV reader
 *                 (platform/csv.ts, csv-parse), inserted with one prepared better-sqlite3
 *                 statement into a table with the same columns and key, in one transaction; no
 *                 checks, no staging, nothing else
 *   split FILE DB the floor below that: the file read line by line and split on ";" by hand
 *                 (no CSV quoting rules at all), inserted the same way
 */
const [mode, file, dbFile] = process.argv.slice(2);
if (!mode || !file || !dbFile) {
  console.error('usage: wastewater-import.ts app|raw|split FILE DBFILE');
  process.exit(2);
}

async function app(): Promise<number> {
  const database = await connect(`sqlite:${dbFile}`);
  await migrateToLatest(database);
  const party = await createParty(database.db, { kind: 'municipality', name: 'Benchkommun', slug: 'benchkommun', municipalityCode: '0999' }, { actor: null, label: 'bench' });
  const deps = { db: database.db, clock: () => new Date() };
  const started = startClock();
  const id = await startImport(deps, { partyId: party.id, filename: 'bench.csv', source: 'cli', actor: null, actorLabel: 'bench' });
  const read = await readImport(deps, id, createReadStream(file!, { highWaterMark: 256 * 1024 }));
  if (read.status !== 'ready') throw new Error(`import failed: ${read.error_message}`);
  const done = await applyImport(deps, id, null, { skipAuthorization: true });
  const ms = performance.now() - started;
  const stored = await database.db.selectFrom('wastewater_measurement').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  if (Number(stored.n) !== done.rows_read) throw new Error(`stored ${stored.n} of ${done.rows_read} rows`);
  await database.close();
  report(done.rows_read, ms);
  return 0;
}

function rawTable(): { db: SQLite.Database; insert: SQLite.Statement } {
  const db = new SQLite(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`create table measurement (
    site_code text not null, district text, population integer, sample_date text not null,
    flow_m3_per_day real not null, substance text not null, concentration_ng_per_l real,
    loq_ng_per_l real, below_loq integer not null,
    primary key (site_code, sample_date, substance))`);
  return { db, insert: db.prepare('insert into measurement values (?, ?, ?, ?, ?, ?, ?, ?, ?)') };
}

async function raw(): Promise<number> {
  const { db, insert } = rawTable();
  const started = startClock();
  let rows = 0;
  db.exec('begin');
  const file_ = await openCsv(createReadStream(file!, { highWaterMark: 256 * 1024 }));
  for await (const records of file_.batches()) {
    for (const { fields: f } of records) {
      const below = f[6]!.startsWith('<');
      insert.run(f[0], f[1], Number(f[2]), f[3], parseDecimalSv(f[4]!), f[5], below ? null : parseDecimalSv(f[6]!), parseDecimalSv(f[7]!), below ? 1 : 0);
      rows++;
    }
  }
  db.exec('commit');
  const ms = performance.now() - started;
  db.close();
  report(rows, ms);
  return 0;
}

async function split(): Promise<number> {
  const { db, insert } = rawTable();
  const num = (s: string) => (s === '' ? null : Number(s.replace(',', '.')));
  const started = startClock();
  let rows = 0;
  db.exec('begin');
  const lines = createInterface({ input: createReadStream(file!, { highWaterMark: 256 * 1024 }), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    if (line === '') continue;
    const f = line.split(';');
    const below = f[6]!.startsWith('<');
    insert.run(f[0], f[1], Number(f[2]), f[3], num(f[4]!), f[5], below ? null : num(f[6]!), num(f[7]!), below ? 1 : 0);
    rows++;
  }
  db.exec('commit');
  const ms = performance.now() - started;
  db.close();
  report(rows, ms);
  return 0;
}

/** CPU time of this process since `from` (user + system, ms): steadier than wall time on a shared machine. */
let cpuFrom = process.cpuUsage();
function startClock(): number {
  cpuFrom = process.cpuUsage();
  return performance.now();
}

function report(rows: number, ms: number): void {
  const cpu = process.cpuUsage(cpuFrom);
  // maxRSS is in kilobytes: the process's peak, from start to now.
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ rows, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMb: Math.round(maxRssMb * 10) / 10 }));
}

(mode === 'app' ? app() : mode === 'raw' ? raw() : split()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
