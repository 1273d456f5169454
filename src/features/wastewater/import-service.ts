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
  firstDuplicate,
  firstInconsistentSample,
  insertChunk,
  insertImport,
  insertStagedRows,
  newSitesInImport,
  previewCounts,
  STAGE_BATCH,
  stagedRowsOfSample,
  stagedSpan,
  transitionImport,
  updateImport,
  type ImportRow,
} from './import-repo.js';
import { mapColumns, parseLabRecord, SiteBook, type KnownSite, type LabRow } from './lab-file.js';
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
 */

export interface ImportDeps {
  db: Executor;
  clock: () => Date;
}

export interface Progress {
  rowsRead: number;
  bytesRead: number;
  bytesTotal: number | null;
}

/** How often progress is written while reading. */
export const PROGRESS_EVERY_ROWS = 20_000;
/** Reading or applying that has not reported for this long was interrupted (the instance stopped). */
export const STALE_AFTER_MS = 10 * 60_000;
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
    },
    deps.clock().toISOString(),
  );
  return id;
}

/** Keeps an uploaded file in the database, in chunks, so that reading it can happen anywhere. */
export async function storeUpload(deps: ImportDeps, importId: string, stream: AsyncIterable<Buffer>): Promise<number> {
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
export async function readImport(deps: ImportDeps, importId: string, source: CsvSource, onProgress?: (p: Progress) => void): Promise<ImportRow> {
  const imp = await findImport(deps.db, importId);
  if (!imp) throw new AppError('not_found');
  if (imp.status !== 'reading') throw new AppError('edit_conflict', 'Importen har redan lästs in.');
  const known = new Map<string, KnownSite>((await listSites(deps.db, imp.party_id)).map((s) => [s.code, { code: s.code, district: s.district, population: s.population }] as const));
  const book = new SiteBook(known);
  let rowsRead = 0;
  try {
    const file = await openCsv(source);
    const map = mapColumns(file.columns);
    let batch: LabRow[] = [];
    let nextProgress = PROGRESS_EVERY_ROWS;
    for await (const records of file.batches()) {
      for (const record of records) {
        const row = parseLabRecord(record, map);
        book.check(row, map);
        batch.push(row);
        if (batch.length === STAGE_BATCH) {
          await insertStagedRows(deps.db, importId, batch);
          batch = [];
        }
      }
      rowsRead += records.length;
      if (rowsRead >= nextProgress) {
        nextProgress = rowsRead + PROGRESS_EVERY_ROWS;
        const p = { rowsRead, bytesRead: file.bytesRead(), bytesTotal: imp.bytes_total };
        await updateImport(deps.db, importId, { rows_read: p.rowsRead, bytes_read: p.bytesRead, phase: 'rows', updated_at: deps.clock().toISOString() });
        onProgress?.(p);
      }
    }
    await insertStagedRows(deps.db, importId, batch);
    if (rowsRead === 0) throw new CsvError('filen har en rubrikrad men inga mätvärden.', 2);
    await updateImport(deps.db, importId, { rows_read: rowsRead, bytes_read: file.bytesRead(), phase: 'checks', updated_at: deps.clock().toISOString() });
    onProgress?.({ rowsRead, bytesRead: file.bytesRead(), bytesTotal: imp.bytes_total });

    const dup = await firstDuplicate(deps.db, importId);
    if (dup) throw new CsvError(`samma mätpunkt, datum och substans finns redan på rad ${dup.firstLine}.`, dup.line, map.name.substance ?? 'substance');
    const odd = await firstInconsistentSample(deps.db, importId);
    if (odd) throw await inconsistency(deps, importId, odd, map.name);

    const counts = await previewCounts(deps.db, importId, imp.party_id);
    const span = await stagedSpan(deps.db, importId);
    const ok = await transitionImport(deps.db, importId, 'reading', 'ready', deps.clock().toISOString(), {
      phase: null,
      rows_new: counts.rowsNew,
      rows_unchanged: counts.rowsUnchanged,
      rows_corrected: counts.rowsCorrected,
      samples_new: counts.samplesNew,
      samples_corrected: counts.samplesCorrected,
      sites_new: book.created.size,
      first_date: span.first,
      last_date: span.last,
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

async function inconsistency(deps: ImportDeps, importId: string, at: { siteCode: string; sampleDate: string }, names: Partial<Record<string, string>>): Promise<CsvError> {
  const rows = await stagedRowsOfSample(deps.db, importId, at.siteCode, at.sampleDate);
  const first = rows[0]!;
  const firstPop = rows.find((r) => r.population !== null);
  for (const r of rows) {
    if (r.flow !== first.flow)
      return new CsvError(
        `flödet skiljer sig från rad ${first.line} för samma prov (mätpunkt ${at.siteCode}, ${at.sampleDate}): alla substanser i ett prov har samma flöde.`,
        r.line,
        names.flow ?? 'flow_m3_per_day',
      );
    if (firstPop && r.population !== null && r.population !== firstPop.population)
      return new CsvError(`antalet anslutna invånare skiljer sig från rad ${firstPop.line} för samma prov (mätpunkt ${at.siteCode}, ${at.sampleDate}).`, r.line, names.population ?? 'population');
  }
  return new CsvError(`raderna för mätpunkt ${at.siteCode} ${at.sampleDate} stämmer inte med varandra.`, first.line);
}

/** An import still `reading` or `applying` long after its last report was interrupted: say so, and let it be retried. */
export async function settleIfStale(deps: ImportDeps, imp: ImportRow): Promise<ImportRow> {
  const age = deps.clock().getTime() - new Date(imp.updated_at).getTime();
  if (age < STALE_AFTER_MS) return imp;
  const now = deps.clock().toISOString();
  if (imp.status === 'reading') {
    const moved = await transitionImport(deps.db, imp.id, 'reading', 'failed', now, {
      phase: null,
      error_message: 'Inläsningen avbröts (servern startades om). Ladda upp filen igen.',
      finished_at: now,
    });
    if (moved) {
      await deleteStagedRows(deps.db, imp.id);
      await deleteChunks(deps.db, imp.id);
    }
  } else if (imp.status === 'applying') {
    // The transaction never committed, so nothing was stored: the staged rows can be applied again.
    await transitionImport(deps.db, imp.id, 'applying', 'ready', now, { phase: null });
  }
  return (await findImport(deps.db, imp.id))!;
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
  if (!(await transitionImport(deps.db, importId, 'ready', 'applying', claimedAt, { phase: 'apply' })))
    throw new AppError('edit_conflict', imp.status === 'done' ? 'Importen är redan sparad.' : 'Importen kan inte sparas i sitt nuvarande läge.');
  try {
    await deps.db.transaction().execute(async (trx) => {
      const now = deps.clock().toISOString();
      const sites = await newSitesInImport(trx, importId, imp.party_id);
      for (const s of sites) {
        await insertSite(trx, { id: randomUUID(), partyId: imp.party_id, code: s.code, name: s.code, district: s.district, population: s.population, isDemo: imp.source === 'demo' }, now);
      }
      // Counted again inside the transaction: the stored data may have changed since the preview.
      const counts = await previewCounts(trx, importId, imp.party_id);
      const span = await stagedSpan(trx, importId);
      await applyStagedRows(trx, importId, imp.party_id, now);
      await deleteStagedRows(trx, importId);
      const after = {
        filename: imp.filename,
        rowsNew: counts.rowsNew,
        rowsUnchanged: counts.rowsUnchanged,
        rowsCorrected: counts.rowsCorrected,
        samplesNew: counts.samplesNew,
        samplesCorrected: counts.samplesCorrected,
        sitesNew: sites.map((s) => s.code),
        firstDate: span.first,
        lastDate: span.last,
      };
      await recordAudit(trx, { actor, actorLabel: opts.actorLabel ?? imp.actor_label, action: 'wastewater.import', entityType: 'wastewater_import', entityId: importId, after }, deps.clock());
      await updateImport(trx, importId, {
        status: 'done',
        phase: null,
        rows_new: counts.rowsNew,
        rows_unchanged: counts.rowsUnchanged,
        rows_corrected: counts.rowsCorrected,
        samples_new: counts.samplesNew,
        samples_corrected: counts.samplesCorrected,
        sites_new: sites.length,
        updated_at: now,
        finished_at: now,
      });
    });
  } catch (err) {
    await transitionImport(deps.db, importId, 'applying', 'ready', deps.clock().toISOString(), { phase: null }).catch(() => {});
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
