import { CompiledQuery, sql, type Selectable } from 'kysely';
import { isPostgres, type Executor } from '../../db/executor.js';
import type { WastewaterImportTable } from '../../db/schema.js';
import type { LabRow } from './lab-file.js';

/**
 * SQL for imports: the import row (status and progress, read by every instance), the uploaded
 * file's chunks, the staged rows, and the set-based statements that apply staged rows.
 */

export type ImportRow = Selectable<WastewaterImportTable>;

export async function insertImport(
  db: Executor,
  v: { id: string; partyId: string; filename: string; source: ImportRow['source']; isDryRun: boolean; bytesTotal: number | null; userId: string | null; actorLabel: string },
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

/** Moves an import from one status to the next only if it is still in the first: false when another request got there first. */
export async function transitionImport(db: Executor, id: string, from: ImportRow['status'], to: ImportRow['status'], now: string, extra: Partial<ImportRow> = {}): Promise<boolean> {
  const r = await db.updateTable('wastewater_import').set({ ...extra, status: to, updated_at: now }).where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
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

const STAGE_COLUMNS = ['import_id', 'line', 'site_code', 'district', 'population', 'sample_date', 'flow_m3_per_day', 'substance', 'concentration_ng_per_l', 'loq_ng_per_l', 'below_loq'] as const;
export const STAGE_BATCH = 500;
const statementText = new Map<string, string>();

function insertText(rows: number, postgres: boolean): string {
  const key = `${postgres}:${rows}`;
  let text = statementText.get(key);
  if (!text) {
    const width = STAGE_COLUMNS.length;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const ph: string[] = [];
      for (let c = 0; c < width; c++) ph.push(postgres ? `$${r * width + c + 1}` : '?');
      tuples.push(`(${ph.join(', ')})`);
    }
    text = `insert into wastewater_import_row (${STAGE_COLUMNS.join(', ')}) values ${tuples.join(', ')}`;
    statementText.set(key, text);
  }
  return text;
}

/**
 * Staged rows in one multi-row insert. Written as precompiled SQL rather than through the query
 * builder: with a million rows, building and compiling the same statement 2 000 times cost more
 * than the inserts themselves, and the SQL text is identical for every full batch, so SQLite
 * reuses one prepared statement (see the statement cache in db/connect.ts).
 */
export async function insertStagedRows(db: Executor, importId: string, rows: readonly LabRow[]): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = new Array(rows.length * STAGE_COLUMNS.length);
  let i = 0;
  for (const r of rows) {
    params[i++] = importId;
    params[i++] = r.line;
    params[i++] = r.siteCode;
    params[i++] = r.district;
    params[i++] = r.population;
    params[i++] = r.sampleDate;
    params[i++] = r.flow;
    params[i++] = r.substance;
    params[i++] = r.concentration;
    params[i++] = r.loq;
    params[i++] = r.belowLoq ? 1 : 0;
  }
  await db.executeQuery(CompiledQuery.raw(insertText(rows.length, isPostgres(db)), params));
}

export async function deleteStagedRows(db: Executor, importId: string): Promise<void> {
  await db.deleteFrom('wastewater_import_row').where('import_id', '=', importId).execute();
}

export async function stagedSpan(db: Executor, importId: string): Promise<{ rows: number; first: string | null; last: string | null }> {
  const r = await db
    .selectFrom('wastewater_import_row')
    .where('import_id', '=', importId)
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('sample_date').as('first'), eb.fn.max('sample_date').as('last')])
    .executeTakeFirst();
  return { rows: Number(r?.n ?? 0), first: (r?.first as string | null) ?? null, last: (r?.last as string | null) ?? null };
}

/** The first row that repeats an earlier (site, date, substance) of the same file, with the earlier line. */
export async function firstDuplicate(db: Executor, importId: string): Promise<{ line: number; firstLine: number } | null> {
  const r = await sql<{ line: number; first_line: number }>`
    select line, first_line from (
      select line,
             row_number() over w as rn,
             min(line) over w as first_line
      from wastewater_import_row
      where import_id = ${importId}
      window w as (partition by site_code, sample_date, substance order by line)
    ) t
    where rn = 2
    order by line
    limit 1`.execute(db);
  const row = r.rows[0];
  return row ? { line: Number(row.line), firstLine: Number(row.first_line) } : null;
}

/** Rows of the same sample (site and date) must agree on flow and population. */
export async function firstInconsistentSample(db: Executor, importId: string): Promise<{ siteCode: string; sampleDate: string } | null> {
  const r = await db
    .selectFrom('wastewater_import_row')
    .where('import_id', '=', importId)
    .groupBy(['site_code', 'sample_date'])
    .having((eb) => eb.or([eb(eb.fn.count('flow_m3_per_day').distinct(), '>', 1), eb(eb.fn.count('population').distinct(), '>', 1)]))
    .select((eb) => ['site_code', 'sample_date', eb.fn.min('line').as('first_line')])
    .orderBy('first_line')
    .limit(1)
    .executeTakeFirst();
  return r ? { siteCode: r.site_code, sampleDate: r.sample_date } : null;
}

export async function stagedRowsOfSample(db: Executor, importId: string, siteCode: string, sampleDate: string): Promise<{ line: number; flow: number; population: number | null }[]> {
  const rows = await db
    .selectFrom('wastewater_import_row')
    .select(['line', 'flow_m3_per_day', 'population'])
    .where('import_id', '=', importId)
    .where('site_code', '=', siteCode)
    .where('sample_date', '=', sampleDate)
    .orderBy('line')
    .execute();
  return rows.map((r) => ({ line: r.line, flow: r.flow_m3_per_day, population: r.population }));
}

/** Site codes in the file that the municipality does not have yet, with the line that introduces each. */
export async function newSitesInImport(db: Executor, importId: string, partyId: string): Promise<{ code: string; district: string; population: number; line: number }[]> {
  const rows = await sql<{ site_code: string; district: string; population: number; line: number }>`
    select s.site_code, s.district, s.population, s.line
    from wastewater_import_row s
    join (
      select site_code, min(line) as line from wastewater_import_row
      where import_id = ${importId}
        and not exists (select 1 from wastewater_site w where w.party_id = ${partyId} and w.code = wastewater_import_row.site_code)
      group by site_code
    ) f on f.site_code = s.site_code and f.line = s.line
    where s.import_id = ${importId}
    order by s.line`.execute(db);
  return rows.rows.map((r) => ({ code: r.site_code, district: r.district, population: Number(r.population), line: Number(r.line) }));
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
export async function previewCounts(db: Executor, importId: string, partyId: string): Promise<PreviewCounts> {
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
    with ss as (
      select site_code, sample_date, max(flow_m3_per_day) as flow, max(population) as population
      from wastewater_import_row where import_id = ${importId} group by site_code, sample_date
    )
    select
      sum(case when x.site_id is null then 1 else 0 end) as samples_new,
      sum(case when x.site_id is not null and (x.flow_m3_per_day <> ss.flow or (ss.population is not null and ss.population <> x.population)) then 1 else 0 end) as samples_corrected
    from ss
    left join wastewater_site w on w.party_id = ${partyId} and w.code = ss.site_code
    left join wastewater_sample x on x.site_id = w.id and x.sample_date = ss.sample_date`.execute(db);
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

type CorrectionSql = {
  line: number;
  site_code: string;
  sample_date: string;
  substance: string;
  old_flow: number | null;
  new_flow: number | null;
  old_population: number | null;
  new_population: number | null;
  old_concentration: number | null;
  new_concentration: number | null;
  old_loq: number | null;
  new_loq: number | null;
  old_below_loq: number | null;
  new_below_loq: number | null;
};

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
      select min(s.line) as line, s.site_code, s.sample_date, '' as substance,
             x.flow_m3_per_day as old_flow, max(s.flow_m3_per_day) as new_flow,
             x.population as old_population, coalesce(max(s.population), x.population) as new_population,
             null as old_concentration, null as new_concentration, null as old_loq, null as new_loq, null as old_below_loq, null as new_below_loq
      from wastewater_import_row s
      join wastewater_site w on w.party_id = ${partyId} and w.code = s.site_code
      join wastewater_sample x on x.site_id = w.id and x.sample_date = s.sample_date
      where s.import_id = ${importId}
      group by s.site_code, s.sample_date, x.flow_m3_per_day, x.population
      having x.flow_m3_per_day <> max(s.flow_m3_per_day) or (max(s.population) is not null and max(s.population) <> x.population)
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
export async function applyStagedRows(trx: Executor, importId: string, partyId: string, now: string): Promise<void> {
  await sql`
    with ss as (
      select site_code, sample_date, min(line) as line, max(flow_m3_per_day) as flow, max(population) as population
      from wastewater_import_row where import_id = ${importId} group by site_code, sample_date
    )
    insert into wastewater_correction (import_id, site_id, sample_date, substance, line, old_flow, new_flow, old_population, new_population)
    select ${importId}, w.id, ss.sample_date, '', ss.line, x.flow_m3_per_day, ss.flow, x.population, coalesce(ss.population, x.population)
    from ss
    join wastewater_site w on w.party_id = ${partyId} and w.code = ss.site_code
    join wastewater_sample x on x.site_id = w.id and x.sample_date = ss.sample_date
    where x.flow_m3_per_day <> ss.flow or (ss.population is not null and ss.population <> x.population)`.execute(trx);

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
               and m.loq_ng_per_l is not distinct from s.loq_ng_per_l and m.below_loq = s.below_loq)`.execute(trx);

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

  await sql`
    with ss as (
      select site_code, sample_date, max(flow_m3_per_day) as flow, max(population) as population
      from wastewater_import_row where import_id = ${importId} group by site_code, sample_date
    )
    insert into wastewater_sample (site_id, sample_date, flow_m3_per_day, population, import_id, created_at, updated_at)
    select w.id, ss.sample_date, ss.flow, coalesce(ss.population, w.population), ${importId}, ${now}, ${now}
    from ss
    join wastewater_site w on w.party_id = ${partyId} and w.code = ss.site_code
    where not exists (select 1 from wastewater_sample x where x.site_id = w.id and x.sample_date = ss.sample_date)`.execute(trx);

  await sql`
    insert into wastewater_measurement (site_id, sample_date, substance, concentration_ng_per_l, loq_ng_per_l, below_loq, import_id, updated_at)
    select w.id, s.sample_date, s.substance, s.concentration_ng_per_l, s.loq_ng_per_l, s.below_loq, ${importId}, ${now}
    from wastewater_import_row s
    join wastewater_site w on w.party_id = ${partyId} and w.code = s.site_code
    where s.import_id = ${importId}
      and not exists (select 1 from wastewater_measurement m
                      where m.site_id = w.id and m.sample_date = s.sample_date and m.substance = s.substance)`.execute(trx);

  await sql`
    update wastewater_site
    set population = (select x.population from wastewater_sample x where x.site_id = wastewater_site.id order by x.sample_date desc limit 1),
        updated_at = ${now}
    where party_id = ${partyId}
      and code in (select distinct site_code from wastewater_import_row where import_id = ${importId})`.execute(trx);
}
