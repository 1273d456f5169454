import { CompiledQuery, sql, type Selectable } from 'kysely';
import { isPostgres, type Executor } from '../../db/executor.js';
import type { WastewaterCorrectionTable, WastewaterImportTable } from '../../db/schema.js';
import type { LabRow } from './lab-file.js';

/**
 * SQL for imports: the import row (status and progress, read by every instance), the uploaded
 * file's chunks, the staged rows, and the set-based statements that apply staged rows.
 */

export type ImportRow = Selectable<WastewaterImportTable>;

export async function insertImport(
  db: Executor,
  v: { id: string; partyId: string; filename: string; source: ImportRow['source']; isDryRun: boolean; bytesTotal: number | null; userId: string | null; actorLabel: string; workerId: string },
  now: string,
): Promise<void> {
  await db
    .insertInto('wastewater_import')
    .values({
      id: v.id,
      party_id: v.partyId,
      filename: v.filename,
      source: v.source,
      status: 'reading',
      is_dry_run: v.isDryRun ? 1 : 0,
      bytes_total: v.bytesTotal,
      created_by_user_id: v.userId,
      actor_label: v.actorLabel,
      worker_id: v.workerId,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

export async function findImport(db: Executor, id: string): Promise<ImportRow | null> {
  return (await db.selectFrom('wastewater_import').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

export async function listImports(db: Executor, partyId: string, limit = 20): Promise<ImportRow[]> {
  return db.selectFrom('wastewater_import').selectAll().where('party_id', '=', partyId).orderBy('created_at', 'desc').limit(limit).execute();
}

export async function updateImport(db: Executor, id: string, v: Partial<Omit<ImportRow, 'id' | 'party_id' | 'created_at'>>): Promise<void> {
  await db.updateTable('wastewater_import').set(v).where('id', '=', id).execute();
}

/**
 * Moves an import from one status to the next only if it is still in the first: false when another
 * request got there first. `only` narrows it further: still claimed by this worker, or not beaten
 * since it was judged interrupted (compare-and-set on the heartbeat).
 */
export async function transitionImport(
  db: Executor,
  id: string,
  from: ImportRow['status'],
  to: ImportRow['status'],
  now: string,
  extra: Partial<ImportRow> = {},
  only: { workerId?: string; updatedAt?: string } = {},
): Promise<boolean> {
  let q = db.updateTable('wastewater_import').set({ ...extra, status: to, updated_at: now }).where('id', '=', id).where('status', '=', from);
  if (only.workerId !== undefined) q = q.where('worker_id', '=', only.workerId);
  if (only.updatedAt !== undefined) q = q.where('updated_at', '=', only.updatedAt);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The worker's heartbeat: only while it still holds the import in a running state. */
export async function beatImport(db: Executor, id: string, workerId: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable('wastewater_import')
    .set({ updated_at: now })
    .where('id', '=', id)
    .where('worker_id', '=', workerId)
    .where('status', 'in', ['reading', 'applying'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Imports still reading or applying whose last heartbeat is older than `before`. */
export async function listSilentImports(db: Executor, before: string): Promise<ImportRow[]> {
  return db.selectFrom('wastewater_import').selectAll().where('status', 'in', ['reading', 'applying']).where('updated_at', '<', before).orderBy('updated_at').limit(100).execute();
}

// --- the uploaded file ------------------------------------------------------------------------

export async function insertChunk(db: Executor, importId: string, seq: number, data: Buffer): Promise<void> {
  await db.insertInto('wastewater_upload_chunk').values({ import_id: importId, seq, data }).execute();
}

/** The stored file, one chunk at a time: never more than a chunk in memory. */
export async function* readChunks(db: Executor, importId: string): AsyncGenerator<Buffer> {
  let seq = -1;
  for (;;) {
    const r = await db
      .selectFrom('wastewater_upload_chunk')
      .select(['seq', 'data'])
      .where('import_id', '=', importId)
      .where('seq', '>', seq)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!r) return;
    seq = r.seq;
    yield Buffer.from(r.data);
  }
}

export async function deleteChunks(db: Executor, importId: string): Promise<void> {
  await db.deleteFrom('wastewater_upload_chunk').where('import_id', '=', importId).execute();
}

// --- staged rows ------------------------------------------------------------------------------

const ROW_COLUMNS = ['import_id', 'line', 'site_code', 'sample_date', 'substance', 'concentration_ng_per_l', 'loq_ng_per_l', 'below_loq'] as const;
const SAMPLE_COLUMNS = ['import_id', 'site_code', 'sample_date', 'line', 'flow_m3_per_day', 'population', 'population_line', 'district', 'substances'] as const;
export const STAGE_BATCH = 1000;
const statementText = new Map<string, string>();

function valuesList(rows: number, width: number, postgres: boolean): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const ph: string[] = [];
    for (let c = 0; c < width; c++) ph.push(postgres ? `$${r * width + c + 1}` : '?');
    tuples.push(`(${ph.join(', ')})`);
  }
  return tuples.join(', ');
}

function cachedText(kind: 'rows' | 'samples', rows: number, postgres: boolean, build: () => string): string {
  const key = `${kind}:${postgres}:${rows}`;
  let text = statementText.get(key);
  if (!text) {
    text = build();
    if (statementText.size > 64) statementText.clear();
    statementText.set(key, text);
  }
  return text;
}

/**
 * Staged rows in one multi-row insert. Written as precompiled SQL rather than through the query
 * builder: with a million rows, building and compiling the same statement a thousand times cost
 * more than the inserts themselves, and the SQL text is identical for every full batch, so
 * SQLite reuses one prepared statement (see the statement cache in db/connect.ts).
 */
export async function insertStagedRows(db: Executor, importId: string, rows: readonly LabRow[]): Promise<void> {
  if (rows.length === 0) return;
  const postgres = isPostgres(db);
  const text = cachedText('rows', rows.length, postgres, () => `insert into wastewater_import_row (${ROW_COLUMNS.join(', ')}) values ${valuesList(rows.length, ROW_COLUMNS.length, postgres)}`);
  const params: unknown[] = new Array(rows.length * ROW_COLUMNS.length);
  let i = 0;
  for (const r of rows) {
    params[i++] = importId;
    params[i++] = r.line;
    params[i++] = r.siteCode;
    params[i++] = r.sampleDate;
    params[i++] = r.substance;
    params[i++] = r.concentration;
    params[i++] = r.loq;
    params[i++] = r.belowLoq ? 1 : 0;
  }
  await db.executeQuery(CompiledQuery.raw(text, params));
}

/** A sample as one batch of rows saw it: merged into the staged sample by stageSamples. */
export interface SamplePart {
  siteCode: string;
  sampleDate: string;
  /** The batch's first line of this sample. */
  line: number;
  flow: number;
  population: number | null;
  populationLine: number | null;
  district: string | null;
  /** One bit per substance (SUBSTANCES order) seen in the batch. */
  substances: number;
}

/**
 * Merges a batch's samples into the staged samples. A sample already staged by an earlier batch
 * keeps its first flow and population; a substance it already had marks `duplicate_line`, a
 * different flow or population marks `conflict_line`, each with the first line that did it.
 * Each sample appears at most once per call (PostgreSQL refuses to update a row twice in one
 * statement), which the caller guarantees by merging within the batch first.
 */
export async function stageSamples(db: Executor, importId: string, parts: readonly SamplePart[]): Promise<void> {
  if (parts.length === 0) return;
  const postgres = isPostgres(db);
  const text = cachedText(
    'samples',
    parts.length,
    postgres,
    () => `insert into wastewater_import_sample (${SAMPLE_COLUMNS.join(', ')}) values ${valuesList(parts.length, SAMPLE_COLUMNS.length, postgres)}
      on conflict (import_id, site_code, sample_date) do update set
        substances = wastewater_import_sample.substances | excluded.substances,
        population = coalesce(wastewater_import_sample.population, excluded.population),
        population_line = coalesce(wastewater_import_sample.population_line, excluded.population_line),
        duplicate_line = coalesce(wastewater_import_sample.duplicate_line,
          case when (wastewater_import_sample.substances & excluded.substances) <> 0 then excluded.line end),
        conflict_line = coalesce(wastewater_import_sample.conflict_line,
          case when wastewater_import_sample.flow_m3_per_day <> excluded.flow_m3_per_day then excluded.line
               when wastewater_import_sample.population is not null and excluded.population is not null
                    and wastewater_import_sample.population <> excluded.population then excluded.population_line end),
        conflict_column = coalesce(wastewater_import_sample.conflict_column,
          case when wastewater_import_sample.flow_m3_per_day <> excluded.flow_m3_per_day then 'flow'
               when wastewater_import_sample.population is not null and excluded.population is not null
                    and wastewater_import_sample.population <> excluded.population then 'population' end)`,
  );
  const params: unknown[] = new Array(parts.length * SAMPLE_COLUMNS.length);
  let i = 0;
  for (const p of parts) {
    params[i++] = importId;
    params[i++] = p.siteCode;
    params[i++] = p.sampleDate;
    params[i++] = p.line;
    params[i++] = p.flow;
    params[i++] = p.population;
    params[i++] = p.populationLine;
    params[i++] = p.district;
    params[i++] = p.substances;
  }
  await db.executeQuery(CompiledQuery.raw(text, params));
}

export async function deleteStagedRows(db: Executor, importId: string): Promise<void> {
  await db.deleteFrom('wastewater_import_row').where('import_id', '=', importId).execute();
  await db.deleteFrom('wastewater_import_sample').where('import_id', '=', importId).execute();
}

/** The staged sample that a later row broke first (a repeated substance, or a different flow or population), if any. */
export async function firstBrokenSample(
  db: Executor,
  importId: string,
): Promise<{
  siteCode: string;
  sampleDate: string;
  line: number;
  populationLine: number | null;
  duplicateLine: number | null;
  conflictLine: number | null;
  conflictColumn: 'flow' | 'population' | null;
} | null> {
  const r = await db
    .selectFrom('wastewater_import_sample')
    .select(['site_code', 'sample_date', 'line', 'population_line', 'duplicate_line', 'conflict_line', 'conflict_column'])
    .where('import_id', '=', importId)
    .where((eb) => eb.or([eb('duplicate_line', 'is not', null), eb('conflict_line', 'is not', null)]))
    .execute();
  if (r.length === 0) return null;
  const at = (x: (typeof r)[number]) => Math.min(x.duplicate_line ?? Infinity, x.conflict_line ?? Infinity);
  const first = r.reduce((a, b) => (at(b) < at(a) ? b : a));
  return {
    siteCode: first.site_code,
    sampleDate: first.sample_date,
    line: first.line,
    populationLine: first.population_line,
    duplicateLine: first.duplicate_line,
    conflictLine: first.conflict_line,
    conflictColumn: first.conflict_column,
  };
}

/** The staged rows of one sample, in file order: only for naming the lines of an error. */
export async function stagedRowsOfSample(db: Executor, importId: string, siteCode: string, sampleDate: string): Promise<{ line: number; substance: string }[]> {
  return db
    .selectFrom('wastewater_import_row')
    .select(['line', 'substance'])
    .where('import_id', '=', importId)
    .where('site_code', '=', siteCode)
    .where('sample_date', '=', sampleDate)
    .orderBy('line')
    .execute();
}

/** Site codes in the file that the municipality does not have yet, with the first sample that names each. */
export async function newSitesInImport(db: Executor, importId: string, partyId: string): Promise<{ code: string; district: string; population: number; line: number }[]> {
  const rows = await sql<{ site_code: string; district: string | null; population: number | null; line: number }>`
    select s.site_code, s.district, s.population, s.line
    from (
      select site_code, min(line) as line from wastewater_import_sample
      where import_id = ${importId}
      group by site_code
    ) f
    join wastewater_import_sample s on s.import_id = ${importId} and s.site_code = f.site_code and s.line = f.line
    where not exists (select 1 from wastewater_site w where w.party_id = ${partyId} and w.code = f.site_code)
    order by s.line`.execute(db);
  return rows.rows.map((r) => ({ code: r.site_code, district: r.district ?? r.site_code, population: Number(r.population ?? 1), line: Number(r.line) }));
}

/**
 * Whether the municipality already has any measurement in the file's date range: when it has
 * none (a new campaign, the usual case), every row is new and nothing needs comparing.
 */
export async function overlapsStored(db: Executor, partyId: string, first: string, last: string): Promise<boolean> {
  const r = await db
    .selectFrom('wastewater_sample as x')
    .innerJoin('wastewater_site as w', 'w.id', 'x.site_id')
    .select('x.site_id')
    .where('w.party_id', '=', partyId)
    .where('x.sample_date', '>=', first)
    .where('x.sample_date', '<=', last)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

export interface PreviewCounts {
  rowsNew: number;
  rowsUnchanged: number;
  rowsCorrected: number;
  samplesNew: number;
  samplesCorrected: number;
}

const n = (v: unknown) => Number(v ?? 0);

/** What applying would do, counted against what is stored now. New sites have no stored rows, so all their rows are new. */
export async function previewCounts(db: Executor, importId: string, partyId: string, fresh?: { rows: number }): Promise<PreviewCounts> {
  if (fresh) {
    const samples = await db.selectFrom('wastewater_import_sample').select((eb) => eb.fn.countAll().as('n')).where('import_id', '=', importId).executeTakeFirst();
    return { rowsNew: fresh.rows, rowsUnchanged: 0, rowsCorrected: 0, samplesNew: n(samples?.n), samplesCorrected: 0 };
  }
  const m = await sql<{ rows_new: number; rows_unchanged: number; rows_corrected: number }>`
    select
      sum(case when m.site_id is null then 1 else 0 end) as rows_new,
      sum(case when m.site_id is not null and m.concentration_ng_per_l is not distinct from s.concentration_ng_per_l
                and m.loq_ng_per_l is not distinct from s.loq_ng_per_l and m.below_loq = s.below_loq then 1 else 0 end) as rows_unchanged,
      sum(case when m.site_id is not null and not (m.concentration_ng_per_l is not distinct from s.concentration_ng_per_l
                and m.loq_ng_per_l is not distinct from s.loq_ng_per_l and m.below_loq = s.below_loq) then 1 else 0 end) as rows_corrected
    from wastewater_import_row s
    left join wastewater_site w on w.party_id = ${partyId} and w.code = s.site_code
    left join wastewater_measurement m on m.site_id = w.id and m.sample_date = s.sample_date and m.substance = s.substance
    where s.import_id = ${importId}`.execute(db);
  const x = await sql<{ samples_new: number; samples_corrected: number }>`
    select
      sum(case when x.site_id is null then 1 else 0 end) as samples_new,
      sum(case when x.site_id is not null and (x.flow_m3_per_day <> ss.flow_m3_per_day or (ss.population is not null and ss.population <> x.population)) then 1 else 0 end) as samples_corrected
    from wastewater_import_sample ss
    left join wastewater_site w on w.party_id = ${partyId} and w.code = ss.site_code
    left join wastewater_sample x on x.site_id = w.id and x.sample_date = ss.sample_date
    where ss.import_id = ${importId}`.execute(db);
  return {
    rowsNew: n(m.rows[0]?.rows_new),
    rowsUnchanged: n(m.rows[0]?.rows_unchanged),
    rowsCorrected: n(m.rows[0]?.rows_corrected),
    samplesNew: n(x.rows[0]?.samples_new),
    samplesCorrected: n(x.rows[0]?.samples_corrected),
  };
}

export interface CorrectionView {
  line: number;
  siteCode: string;
  sampleDate: string;
  substance: string;
  oldFlow: number | null;
  newFlow: number | null;
  oldPopulation: number | null;
  newPopulation: number | null;
  oldConcentration: number | null;
  newConcentration: number | null;
  oldLoq: number | null;
  newLoq: number | null;
  oldBelowLoq: boolean | null;
  newBelowLoq: boolean | null;
}

/** A stored correction with its site's code, as the raw query below returns it. */
type CorrectionSql = Omit<WastewaterCorrectionTable, 'import_id' | 'site_id'> & { site_code: string };

function toCorrection(r: CorrectionSql): CorrectionView {
  const b = (v: number | null) => (v === null ? null : Number(v) === 1);
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    line: Number(r.line),
    siteCode: r.site_code,
    sampleDate: r.sample_date,
    substance: r.substance,
    oldFlow: num(r.old_flow),
    newFlow: num(r.new_flow),
    oldPopulation: num(r.old_population),
    newPopulation: num(r.new_population),
    oldConcentration: num(r.old_concentration),
    newConcentration: num(r.new_concentration),
    oldLoq: num(r.old_loq),
    newLoq: num(r.new_loq),
    oldBelowLoq: b(r.old_below_loq),
    newBelowLoq: b(r.new_below_loq),
  };
}

/** The corrections applying would make (before), in file order, at most `limit`. */
export async function previewCorrections(db: Executor, importId: string, partyId: string, limit: number): Promise<CorrectionView[]> {
  const r = await sql<CorrectionSql>`
    select * from (
      select s.line, s.site_code, s.sample_date, '' as substance,
             x.flow_m3_per_day as old_flow, s.flow_m3_per_day as new_flow,
             x.population as old_population, coalesce(s.population, x.population) as new_population,
             null as old_concentration, null as new_concentration, null as old_loq, null as new_loq, null as old_below_loq, null as new_below_loq
      from wastewater_import_sample s
      join wastewater_site w on w.party_id = ${partyId} and w.code = s.site_code
      join wastewater_sample x on x.site_id = w.id and x.sample_date = s.sample_date
      where s.import_id = ${importId}
        and (x.flow_m3_per_day <> s.flow_m3_per_day or (s.population is not null and s.population <> x.population))
      union all
      select s.line, s.site_code, s.sample_date, s.substance,
             null, null, null, null,
             m.concentration_ng_per_l, s.concentration_ng_per_l, m.loq_ng_per_l, s.loq_ng_per_l, m.below_loq, s.below_loq
      from wastewater_import_row s
      join wastewater_site w on w.party_id = ${partyId} and w.code = s.site_code
      join wastewater_measurement m on m.site_id = w.id and m.sample_date = s.sample_date and m.substance = s.substance
      where s.import_id = ${importId}
        and not (m.concentration_ng_per_l is not distinct from s.concentration_ng_per_l
                 and m.loq_ng_per_l is not distinct from s.loq_ng_per_l and m.below_loq = s.below_loq)
    ) c
    order by line, substance
    limit ${limit}`.execute(db);
  return r.rows.map(toCorrection);
}

/** Corrections an applied import made, in file order. */
export async function listCorrections(db: Executor, importId: string, limit: number): Promise<CorrectionView[]> {
  const rows = await db
    .selectFrom('wastewater_correction as c')
    .innerJoin('wastewater_site as w', 'w.id', 'c.site_id')
    .where('c.import_id', '=', importId)
    .select([
      'c.line',
      'w.code as site_code',
      'c.sample_date',
      'c.substance',
      'c.old_flow',
      'c.new_flow',
      'c.old_population',
      'c.new_population',
      'c.old_concentration',
      'c.new_concentration',
      'c.old_loq',
      'c.new_loq',
      'c.old_below_loq',
      'c.new_below_loq',
    ])
    .orderBy('c.line')
    .orderBy('c.substance')
    .limit(limit)
    .execute();
  return rows.map(toCorrection);
}

/**
 * Applies the staged rows of an import, inside the caller's transaction: corrections first (so
 * they record the values being replaced), then updates from them, then the new samples and
 * measurements, then each touched site's population from its latest sample.
 */
export interface AppliedCounts {
  rowsNew: number;
  rowsCorrected: number;
  samplesNew: number;
  samplesCorrected: number;
}

const affected = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0n);

export async function applyStagedRows(trx: Executor, importId: string, partyId: string, now: string, opts: { overlaps: boolean }): Promise<AppliedCounts> {
  let samplesCorrected = 0;
  let rowsCorrected = 0;
  // Nothing stored in the file's date range: nothing to compare, correct or skip.
  if (opts.overlaps) {
    samplesCorrected = affected(
      await sql`
        insert into wastewater_correction (import_id, site_id, sample_date, substance, line, old_flow, new_flow, old_population, new_population)
        select ${importId}, w.id, s.sample_date, '', s.line, x.flow_m3_per_day, s.flow_m3_per_day, x.population, coalesce(s.population, x.population)
        from wastewater_import_sample s
        join wastewater_site w on w.party_id = ${partyId} and w.code = s.site_code
        join wastewater_sample x on x.site_id = w.id and x.sample_date = s.sample_date
        where s.import_id = ${importId}
          and (x.flow_m3_per_day <> s.flow_m3_per_day or (s.population is not null and s.population <> x.population))`.execute(trx),
    );
    rowsCorrected = affected(
      await sql`
        insert into wastewater_correction (import_id, site_id, sample_date, substance, line,
          old_concentration, new_concentration, old_loq, new_loq, old_below_loq, new_below_loq)
        select ${importId}, w.id, s.sample_date, s.substance, s.line,
          m.concentration_ng_per_l, s.concentration_ng_per_l, m.loq_ng_per_l, s.loq_ng_per_l, m.below_loq, s.below_loq
        from wastewater_import_row s
        join wastewater_site w on w.party_id = ${partyId} and w.code = s.site_code
        join wastewater_measurement m on m.site_id = w.id and m.sample_date = s.sample_date and m.substance = s.substance
        where s.import_id = ${importId}
          and not (m.concentration_ng_per_l is not distinct from s.concentration_ng_per_l
                   and m.loq_ng_per_l is not distinct from s.loq_ng_per_l and m.below_loq = s.below_loq)`.execute(trx),
    );
    await sql`
      update wastewater_sample
      set flow_m3_per_day = c.new_flow, population = c.new_population, import_id = ${importId}, updated_at = ${now}
      from wastewater_correction c
      where c.import_id = ${importId} and c.substance = ''
        and c.site_id = wastewater_sample.site_id and c.sample_date = wastewater_sample.sample_date`.execute(trx);
    await sql`
      update wastewater_measurement
      set concentration_ng_per_l = c.new_concentration, loq_ng_per_l = c.new_loq, below_loq = c.new_below_loq,
          import_id = ${importId}, updated_at = ${now}
      from wastewater_correction c
      where c.import_id = ${importId} and c.substance <> ''
        and c.site_id = wastewater_measurement.site_id and c.sample_date = wastewater_measurement.sample_date
        and c.substance = wastewater_measurement.substance`.execute(trx);
  }

  // New samples and measurements; existing ones (unchanged or just corrected) are left alone.
  const samplesNew = affected(
    await sql`
      insert into wastewater_sample (site_id, sample_date, flow_m3_per_day, population, import_id, created_at, updated_at)
      select w.id, s.sample_date, s.flow_m3_per_day, coalesce(s.population, w.population), ${importId}, ${now}, ${now}
      from wastewater_import_sample s
      join wastewater_site w on w.party_id = ${partyId} and w.code = s.site_code
      where s.import_id = ${importId}
      on conflict (site_id, sample_date) do nothing`.execute(trx),
  );
  const rowsNew = affected(
    await sql`
      insert into wastewater_measurement (site_id, sample_date, substance, concentration_ng_per_l, loq_ng_per_l, below_loq, import_id, updated_at)
      select w.id, s.sample_date, s.substance, s.concentration_ng_per_l, s.loq_ng_per_l, s.below_loq, ${importId}, ${now}
      from wastewater_import_row s
      join wastewater_site w on w.party_id = ${partyId} and w.code = s.site_code
      where s.import_id = ${importId}
      on conflict (site_id, sample_date, substance) do nothing`.execute(trx),
  );

  await sql`
    update wastewater_site
    set population = (select x.population from wastewater_sample x where x.site_id = wastewater_site.id order by x.sample_date desc limit 1),
        updated_at = ${now}
    where party_id = ${partyId}
      and code in (select site_code from wastewater_import_sample where import_id = ${importId})`.execute(trx);

  return { rowsNew, rowsCorrected, samplesNew, samplesCorrected };
}
