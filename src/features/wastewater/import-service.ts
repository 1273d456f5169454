import { randomUUID } from 'node:crypto';
import type { Executor } from '../../db/executor.js';
import { CsvError, openCsv, type CsvSource } from '../../platform/csv.js';
import { AppError } from '../../platform/errors.js';
import { authorize, type Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import {
  applyStagedRows,
  deleteChunks,
  deleteStagedRows,
  findImport,
  firstBrokenSample,
  overlapsStored,
  stageSamples,
  insertChunk,
  insertImport,
  insertStagedRows,
  newSitesInImport,
  previewCounts,
  STAGE_BATCH,
  stagedRowsOfSample,
  transitionImport,
  updateImport,
  beatImport,
  listSilentImports,
  type ImportRow,
  type SamplePart,
} from './import-repo.js';
import { mapColumns, parseLabRecord, SiteBook, type ColumnMap, type KnownSite, type LabRow } from './lab-file.js';
import { SUBSTANCES } from './substances.js';
import { insertSite, listSites } from './wastewater-repo.js';

/**
 * Importing a lab's CSV, all or nothing, in three steps that any instance can pick up:
 *
 * 1. read: stream the file, check every row, stage the rows, check across rows (repeats,
 *    disagreeing flows), and count what applying would do → status `ready` (or `failed`, with
 *    line, column and reason, and nothing staged);
 * 2. preview: the counts and the corrections, from the staged rows;
 * 3. apply: in one transaction, or discard.
 *
 * Progress lives in the import row, not in memory, so a second instance can show it.
 *
 * Whoever reads or applies an import claims it (`worker_id`) and beats a heartbeat into its
 * `updated_at` while it works. An import that stays `reading` or `applying` without a beat for
 * `staleAfterMs` was interrupted (its process died): any instance settles it, never a live one's.
 */

export interface ImportDeps {
  db: Executor;
  clock: () => Date;
  /** This process, as the claim on an import names it (default: WORKER_ID). */
  workerId?: string;
  /** Silence after which a running import counts as interrupted (default: STALE_AFTER_MS). */
  staleAfterMs?: number;
}

/** One id per process: a restarted process is a new worker, and its predecessor's claims are dead. */
export const WORKER_ID = randomUUID();

export interface Progress {
  rowsRead: number;
  bytesRead: number;
  bytesTotal: number | null;
}

/** How often progress is written while reading. */
export const PROGRESS_EVERY_ROWS = 20_000;
/** Rows staged per transaction while reading. */
const STAGE_GROUP = 20_000;
/**
 * Reading or applying without a heartbeat for this long was interrupted (the process stopped).
 * Generous because a SQLite apply holds the only connection, so its heartbeat waits for the commit.
 */
export const STALE_AFTER_MS = 10 * 60_000;
/** Imports this process is working on right now: never judged by their heartbeat here. */
const workingHere = new Set<string>();

const workerOf = (deps: ImportDeps) => deps.workerId ?? WORKER_ID;
const staleAfter = (deps: ImportDeps) => deps.staleAfterMs ?? STALE_AFTER_MS;

/** Beats while `work` runs: several beats per staleness window, so one slow write does not look like death. */
async function withHeartbeat<T>(deps: ImportDeps, importId: string, work: () => Promise<T>): Promise<T> {
  const every = Math.max(200, Math.floor(staleAfter(deps) / 6));
  workingHere.add(importId);
  const timer = setInterval(() => {
    beatImport(deps.db, importId, workerOf(deps), deps.clock().toISOString()).catch(() => {
      // A missed beat is harmless; the next one, or the job's own writes, will tell.
    });
  }, every);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    workingHere.delete(importId);
  }
}
const UPLOAD_CHUNK_BYTES = 1024 * 1024;

export async function startImport(
  deps: ImportDeps,
  v: { partyId: string; filename: string; source: ImportRow['source']; isDryRun?: boolean; bytesTotal?: number | null; actor: Actor | null; actorLabel?: string },
): Promise<string> {
  const id = randomUUID();
  await insertImport(
    deps.db,
    {
      id,
      partyId: v.partyId,
      filename: v.filename.slice(0, 200) || 'fil.csv',
      source: v.source,
      isDryRun: v.isDryRun ?? false,
      bytesTotal: v.bytesTotal ?? null,
      userId: v.actor?.userId ?? null,
      actorLabel: v.actor ? `${v.actor.name} <${v.actor.email}>` : (v.actorLabel ?? 'system'),
      workerId: workerOf(deps),
    },
    deps.clock().toISOString(),
  );
  return id;
}

/** Keeps an uploaded file in the database, in chunks, so that reading it can happen anywhere. */
export async function storeUpload(deps: ImportDeps, importId: string, stream: AsyncIterable<Buffer>): Promise<number> {
  // A large upload over a slow line takes a while: it beats like reading does.
  return withHeartbeat(deps, importId, () => storeChunks(deps, importId, stream));
}

async function storeChunks(deps: ImportDeps, importId: string, stream: AsyncIterable<Buffer>): Promise<number> {
  let seq = 0;
  let total = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    await insertChunk(deps.db, importId, seq++, Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  for await (const chunk of stream) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    total += chunk.length;
    if (pendingBytes >= UPLOAD_CHUNK_BYTES) await flush();
  }
  await flush();
  await updateImport(deps.db, importId, { bytes_total: total, updated_at: deps.clock().toISOString() });
  return total;
}

export async function discardUpload(deps: ImportDeps, importId: string): Promise<void> {
  await deleteChunks(deps.db, importId);
}

async function fail(deps: ImportDeps, importId: string, err: CsvError): Promise<void> {
  await deleteStagedRows(deps.db, importId);
  await updateImport(deps.db, importId, {
    status: 'failed',
    phase: null,
    error_line: err.line,
    error_column: err.column,
    error_message: err.message,
    updated_at: deps.clock().toISOString(),
    finished_at: deps.clock().toISOString(),
  });
}

/**
 * Step 1: reads the file into staged rows and checks it. A bad file ends as a `failed` import
 * with its line, column and reason, and nothing staged; the returned row says which.
 */
/**
 * One batch of rows, merged per sample before it is staged: rows of the same sample within the
 * batch are checked against each other here, with exact lines; across batches the staged sample
 * does the same (see stageSamples).
 */
class SampleBatch {
  readonly parts = new Map<string, SamplePart & { lines: Int32Array }>();

  add(row: LabRow, map: ColumnMap): void {
    const key = `${row.siteCode}\u0000${row.sampleDate}`;
    const bit = SUBSTANCES.indexOf(row.substance);
    let part = this.parts.get(key);
    if (!part) {
      part = {
        siteCode: row.siteCode,
        sampleDate: row.sampleDate,
        line: row.line,
        flow: row.flow,
        population: row.population,
        populationLine: row.population === null ? null : row.line,
        district: row.district,
        substances: 0,
        lines: new Int32Array(SUBSTANCES.length),
      };
      this.parts.set(key, part);
    } else {
      if (row.flow !== part.flow) throw flowConflict(row.line, part.line, row.siteCode, row.sampleDate, map);
      if (row.population !== null) {
        if (part.population === null) {
          part.population = row.population;
          part.populationLine = row.line;
        } else if (row.population !== part.population) throw populationConflict(row.line, part.populationLine!, row.siteCode, row.sampleDate, map);
      }
      part.district ??= row.district;
    }
    if (part.substances & (1 << bit)) throw duplicate(row.line, part.lines[bit]!, map);
    part.substances |= 1 << bit;
    part.lines[bit] = row.line;
  }
}

const duplicate = (line: number, firstLine: number, map: ColumnMap) =>
  new CsvError(`samma mätpunkt, datum och substans finns redan på rad ${firstLine}.`, line, map.name.substance ?? 'substance');
const flowConflict = (line: number, firstLine: number, site: string, date: string, map: ColumnMap) =>
  new CsvError(`flödet skiljer sig från rad ${firstLine} för samma prov (mätpunkt ${site}, ${date}): alla substanser i ett prov har samma flöde.`, line, map.name.flow ?? 'flow_m3_per_day');
const populationConflict = (line: number, firstLine: number, site: string, date: string, map: ColumnMap) =>
  new CsvError(`antalet anslutna invånare skiljer sig från rad ${firstLine} för samma prov (mätpunkt ${site}, ${date}).`, line, map.name.population ?? 'population');

/**
 * Step 1: reads the file into staged rows and samples and checks it. A bad file ends as a
 * `failed` import with its line, column and reason, and nothing staged; the returned row says which.
 */
export async function readImport(deps: ImportDeps, importId: string, source: CsvSource, onProgress?: (p: Progress) => void): Promise<ImportRow> {
  const imp = await findImport(deps.db, importId);
  if (!imp) throw new AppError('not_found');
  if (imp.status !== 'reading') throw new AppError('edit_conflict', 'Importen har redan lästs in.');
  // Reading is claimed by whoever reads: the upload may have been stored by another instance.
  await updateImport(deps.db, importId, { worker_id: workerOf(deps), updated_at: deps.clock().toISOString() });
  return withHeartbeat(deps, importId, () => readClaimed(deps, imp, source, onProgress));
}

async function readClaimed(deps: ImportDeps, imp: ImportRow, source: CsvSource, onProgress?: (p: Progress) => void): Promise<ImportRow> {
  const importId = imp.id;
  const known = new Map<string, KnownSite>((await listSites(deps.db, imp.party_id)).map((s) => [s.code, { code: s.code, district: s.district, population: s.population }] as const));
  const book = new SiteBook(known);
  let rowsRead = 0;
  try {
    const file = await openCsv(source);
    const map = mapColumns(file.columns);
    let batch: LabRow[] = [];
    let samples = new SampleBatch();
    let nextProgress = PROGRESS_EVERY_ROWS;
    let first: string | null = null;
    let last: string | null = null;
    // Staged in groups of STAGE_GROUP rows, each group one short transaction: a commit per
    // statement made the write-ahead log, not the rows, the cost of a large file.
    const flush = async () => {
      const rows = batch;
      const parts = [...samples.parts.values()];
      batch = [];
      samples = new SampleBatch();
      await deps.db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += STAGE_BATCH) await insertStagedRows(trx, importId, rows.slice(i, i + STAGE_BATCH));
        for (let i = 0; i < parts.length; i += STAGE_BATCH) await stageSamples(trx, importId, parts.slice(i, i + STAGE_BATCH));
      });
    };
    for await (const records of file.batches()) {
      for (const record of records) {
        const row = parseLabRecord(record, map);
        book.check(row, map);
        samples.add(row, map);
        if (first === null || row.sampleDate < first) first = row.sampleDate;
        if (last === null || row.sampleDate > last) last = row.sampleDate;
        batch.push(row);
        if (batch.length === STAGE_GROUP) await flush();
      }
      rowsRead += records.length;
      if (rowsRead >= nextProgress) {
        nextProgress = rowsRead + PROGRESS_EVERY_ROWS;
        const p = { rowsRead, bytesRead: file.bytesRead(), bytesTotal: imp.bytes_total };
        await updateImport(deps.db, importId, { rows_read: p.rowsRead, bytes_read: p.bytesRead, phase: 'rows', updated_at: deps.clock().toISOString() });
        onProgress?.(p);
      }
    }
    await flush();
    if (rowsRead === 0) throw new CsvError('filen har en rubrikrad men inga mätvärden.', 2);
    await updateImport(deps.db, importId, { rows_read: rowsRead, bytes_read: file.bytesRead(), phase: 'checks', updated_at: deps.clock().toISOString() });
    onProgress?.({ rowsRead, bytesRead: file.bytesRead(), bytesTotal: imp.bytes_total });

    const broken = await firstBrokenSample(deps.db, importId);
    if (broken) throw await crossBatchProblem(deps, importId, broken, map);

    const overlaps = await overlapsStored(deps.db, imp.party_id, first!, last!);
    const counts = await previewCounts(deps.db, importId, imp.party_id, overlaps ? undefined : { rows: rowsRead });
    const ok = await transitionImport(deps.db, importId, 'reading', 'ready', deps.clock().toISOString(), {
      phase: null,
      rows_new: counts.rowsNew,
      rows_unchanged: counts.rowsUnchanged,
      rows_corrected: counts.rowsCorrected,
      samples_new: counts.samplesNew,
      samples_corrected: counts.samplesCorrected,
      sites_new: book.created.size,
      first_date: first,
      last_date: last,
    });
    if (!ok) throw new AppError('edit_conflict', 'Importen avbröts medan filen lästes.');
  } catch (err) {
    if (err instanceof CsvError) await fail(deps, importId, err);
    else {
      await fail(deps, importId, new CsvError('Filen kunde inte läsas in på grund av ett tekniskt fel. Försök igen.')).catch(() => {});
      throw err;
    }
  }
  return (await findImport(deps.db, importId))!;
}

/** A sample broken across batches: the exact lines, from its staged rows (the error path only). */
async function crossBatchProblem(deps: ImportDeps, importId: string, b: NonNullable<Awaited<ReturnType<typeof firstBrokenSample>>>, map: ColumnMap): Promise<CsvError> {
  const duplicateFirst = b.duplicateLine !== null && (b.conflictLine === null || b.duplicateLine <= b.conflictLine);
  if (duplicateFirst) {
    const seen = new Map<string, number>();
    for (const r of await stagedRowsOfSample(deps.db, importId, b.siteCode, b.sampleDate)) {
      const earlier = seen.get(r.substance);
      if (earlier !== undefined) return duplicate(r.line, earlier, map);
      seen.set(r.substance, r.line);
    }
  }
  if (b.conflictColumn === 'population') return populationConflict(b.conflictLine!, b.populationLine ?? b.line, b.siteCode, b.sampleDate, map);
  return flowConflict(b.conflictLine!, b.line, b.siteCode, b.sampleDate, map);
}

const INTERRUPTED = {
  reading: 'Inläsningen avbröts eftersom servern eller kommandot stoppades mitt i den. Inget sparades. Ladda upp filen igen.',
  readingCli: 'Inläsningen avbröts eftersom kommandot stoppades mitt i den. Inget sparades. Kör kommandot igen.',
  applying: 'Sparandet avbröts eftersom servern stoppades mitt i det. Inget sparades. Du kan spara importen igen.',
  applyingCli: 'Sparandet avbröts eftersom kommandot stoppades mitt i det. Inget sparades. Kör kommandot igen.',
} as const;

/**
 * An import still `reading` or `applying` whose worker has been silent for `staleAfterMs` was
 * interrupted: say so, and let it be done again. Reading starts over from a new upload; an
 * interrupted apply never committed, so an upload's staged rows can be applied again, while a
 * command's import (nobody can press Spara for it) is closed and the command is run again.
 * A compare-and-set on the heartbeat: a beat that arrives meanwhile keeps the import running.
 */
export async function settleIfStale(deps: ImportDeps, imp: ImportRow): Promise<ImportRow> {
  if (imp.status !== 'reading' && imp.status !== 'applying') return imp;
  if (workingHere.has(imp.id)) return imp;
  const age = deps.clock().getTime() - new Date(imp.updated_at).getTime();
  if (age < staleAfter(deps)) return imp;
  const now = deps.clock().toISOString();
  const cas = { updatedAt: imp.updated_at };
  const fromCommand = imp.source !== 'upload';
  if (imp.status === 'reading') {
    const message = fromCommand ? INTERRUPTED.readingCli : INTERRUPTED.reading;
    if (await transitionImport(deps.db, imp.id, 'reading', 'failed', now, { phase: null, error_message: message, finished_at: now, worker_id: null }, cas)) {
      await deleteStagedRows(deps.db, imp.id);
      await deleteChunks(deps.db, imp.id);
    }
  } else if (fromCommand) {
    if (await transitionImport(deps.db, imp.id, 'applying', 'failed', now, { phase: null, error_message: INTERRUPTED.applyingCli, finished_at: now, worker_id: null }, cas))
      await deleteStagedRows(deps.db, imp.id);
  } else {
    await transitionImport(deps.db, imp.id, 'applying', 'ready', now, { phase: null, error_message: INTERRUPTED.applying, worker_id: null }, cas);
  }
  return (await findImport(deps.db, imp.id))!;
}

/** Settles every interrupted import (on boot, periodically, before a command's import); returns how many. */
export async function settleInterruptedImports(deps: ImportDeps): Promise<number> {
  const before = new Date(deps.clock().getTime() - staleAfter(deps)).toISOString();
  let settled = 0;
  for (const imp of await listSilentImports(deps.db, before)) {
    const after = await settleIfStale(deps, imp);
    if (after.status !== imp.status) settled++;
  }
  return settled;
}

/**
 * Step 3: applies a `ready` import in one transaction with its audit row. Only one request can
 * claim it; the claim is undone if the transaction fails, so the import can be tried again.
 */
export async function applyImport(deps: ImportDeps, importId: string, actor: Actor | null, opts: { actorLabel?: string; skipAuthorization?: boolean } = {}): Promise<ImportRow> {
  const imp = await findImport(deps.db, importId);
  if (!imp) throw new AppError('not_found');
  if (!opts.skipAuthorization) authorize(actor, { action: 'wastewater.import', partyId: imp.party_id });
  if (imp.is_dry_run === 1) throw new AppError('invalid_parameter', 'En provkörning kan inte sparas.');
  const claimedAt = deps.clock().toISOString();
  const me = workerOf(deps);
  if (!(await transitionImport(deps.db, importId, 'ready', 'applying', claimedAt, { phase: 'apply', error_message: null, worker_id: me })))
    throw new AppError('edit_conflict', imp.status === 'done' ? 'Importen är redan sparad.' : 'Importen kan inte sparas i sitt nuvarande läge.');
  return withHeartbeat(deps, importId, () => applyClaimed(deps, imp, actor, opts, me));
}

async function applyClaimed(deps: ImportDeps, imp: ImportRow, actor: Actor | null, opts: { actorLabel?: string }, me: string): Promise<ImportRow> {
  const importId = imp.id;
  try {
    await deps.db.transaction().execute(async (trx) => {
      const now = deps.clock().toISOString();
      const sites = await newSitesInImport(trx, importId, imp.party_id);
      for (const s of sites) {
        await insertSite(trx, { id: randomUUID(), partyId: imp.party_id, code: s.code, name: s.code, district: s.district, population: s.population, isDemo: imp.source === 'demo' }, now);
      }
      // Counted by the statements themselves: the stored data may have changed since the preview.
      const overlaps = imp.first_date !== null && imp.last_date !== null && (await overlapsStored(trx, imp.party_id, imp.first_date, imp.last_date));
      const applied = await applyStagedRows(trx, importId, imp.party_id, now, { overlaps });
      const counts = { ...applied, rowsUnchanged: imp.rows_read - applied.rowsNew - applied.rowsCorrected };
      const after = {
        filename: imp.filename,
        ...counts,
        sitesNew: sites.map((s) => s.code),
        firstDate: imp.first_date,
        lastDate: imp.last_date,
      };
      await recordAudit(trx, { actor, actorLabel: opts.actorLabel ?? imp.actor_label, action: 'wastewater.import', entityType: 'wastewater_import', entityId: importId, after }, deps.clock());
      // Done only if the claim is still ours: had this worker been taken for dead and the import
      // been claimed again, committing too would store it twice. Rolling back keeps it once.
      const stillOurs = await transitionImport(trx, importId, 'applying', 'done', now, {
        phase: null,
        worker_id: null,
        rows_new: counts.rowsNew,
        rows_unchanged: counts.rowsUnchanged,
        rows_corrected: counts.rowsCorrected,
        samples_new: counts.samplesNew,
        samples_corrected: counts.samplesCorrected,
        sites_new: sites.length,
        finished_at: now,
      }, { workerId: me });
      if (!stillOurs) throw new AppError('edit_conflict', 'Importen avbröts medan den sparades.');
    });
    // Outside the transaction: the staged rows are no longer needed, and the commit stays small.
    await deleteStagedRows(deps.db, importId);
  } catch (err) {
    await transitionImport(deps.db, importId, 'applying', 'ready', deps.clock().toISOString(), { phase: null, worker_id: null }, { workerId: me }).catch(() => {});
    throw err;
  }
  return (await findImport(deps.db, importId))!;
}

/** Drops a read (or failed) import without storing anything. */
export async function discardImport(deps: ImportDeps, importId: string, actor: Actor | null, opts: { skipAuthorization?: boolean } = {}): Promise<void> {
  const imp = await findImport(deps.db, importId);
  if (!imp) throw new AppError('not_found');
  if (!opts.skipAuthorization) authorize(actor, { action: 'wastewater.import', partyId: imp.party_id });
  const now = deps.clock().toISOString();
  const moved =
    (await transitionImport(deps.db, importId, 'ready', 'discarded', now, { finished_at: now })) ||
    (await transitionImport(deps.db, importId, 'failed', 'discarded', now, { finished_at: now }));
  if (!moved) throw new AppError('edit_conflict', imp.status === 'done' ? 'Importen är redan sparad och kan inte ångras här.' : 'Importen kan inte avbrytas i sitt nuvarande läge.');
  await deleteStagedRows(deps.db, importId);
  await deleteChunks(deps.db, importId);
}
