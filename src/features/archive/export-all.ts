import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import type { Database } from '../../db/connect.js';
import { isPostgres } from '../../db/executor.js';
import { reportPdfFilename, renderReportPdf } from '../follow-up/report-pdf.js';
import { listFullReportsOfPledge } from '../follow-up/report-repo.js';
import { csvCell } from '../publishing/open-data/formats.js';
import type { Cell } from '../publishing/open-data/tables.js';
import { pdfFilename } from '../publishing/pdf/signed-pdf.js';
import { loadPublishedVersion } from '../signing/published.js';
import { ArchiveRefusedError } from './archive-errors.js';
import { appliedMigrations, listSignedVersionRefs, listTables, readRows, type AnyDb, type TableInfo } from './backup-repo.js';

/**
 * `loften export --all DIR`: everything that is a record, in forms an archive keeps (arkivering,
 * offentlighetsprincipen): per table one JSON file (exact values) and one CSV (for Swedish Excel,
 * as the open-data downloads), the PDF of every signed version and of every follow-up report,
 * `manifest.json` (every file: bytes, SHA-256, what it is; what was left out and why) and
 * `SHA256SUMS` for `sha256sum -c`. Secrets and transient state are left out (EXPORT_POLICY). All
 * read in one snapshot, so the tables and the PDFs agree. See docs/decisions/backup.md.
 */

export type TablePolicy =
  | { export: true; what: string; omit?: readonly string[] }
  | { export: false; why: string };

/**
 * Every table, classified. A table missing here makes export --all refuse (and the test that
 * compares this list with the schema fail), so a new table is a decision, not an accident.
 */
export const EXPORT_POLICY: Readonly<Record<string, TablePolicy>> = {
  party: { export: true, what: 'Parter: kommuner, polisområden, samverkanspartner' },
  pledge: { export: true, what: 'Medborgarlöften (alla tillstånd, även utkast)' },
  pledge_party: { export: true, what: 'Vilka parter som står bakom vilket löfte' },
  signatory: { export: true, what: 'Undertecknare som de står i löftet' },
  focus_area: { export: true, what: 'Fokusområden' },
  commitment: { export: true, what: 'Åtaganden' },
  activity: { export: true, what: 'Aktiviteter' },
  pledge_version: { export: true, what: 'Frysta och undertecknade versioner, med dokumentet och dess SHA-256' },
  signature: { export: true, what: 'Underskrifter av versioner, med bevis' },
  activity_update: { export: true, what: 'Aktivitetsrapporter (uppföljning)' },
  activity_update_response: { export: true, what: 'Svar på aktivitetsrapporter' },
  follow_up_meeting: { export: true, what: 'Brå-möten' },
  follow_up_attendee: { export: true, what: 'Deltagare i Brå-möten' },
  follow_up_decision: { export: true, what: 'Beslut från Brå-möten' },
  follow_up_report: { export: true, what: 'Fastställda uppföljningsrapporter (ögonblicksbilder)' },
  audit_event: { export: true, what: 'Ändringslogg: vem ändrade vad och när' },
  indicator: { export: true, what: 'Indikatorer' },
  indicator_link: { export: true, what: 'Indikatorer kopplade till fokusområden och åtaganden' },
  indicator_value: { export: true, what: 'Indikatorvärden' },
  wastewater_settings: { export: true, what: 'Inställningar för avloppsvattenanalys per kommun' },
  wastewater_site: { export: true, what: 'Provtagningsplatser (reningsverk, distrikt)' },
  wastewater_import: { export: true, what: 'Importer av labbfiler: vem, när, vilken fil, utfall' },
  wastewater_sample: { export: true, what: 'Avloppsvattenprover' },
  wastewater_measurement: { export: true, what: 'Mätvärden per prov och ämne' },
  wastewater_correction: { export: true, what: 'Rättelser av tidigare mätvärden' },
  app_user: { export: true, what: 'Användare (utan lösenord och inloggningsspärrar)', omit: ['password_hash', 'failed_logins', 'locked_until'] },
  party_sso: { export: true, what: 'Inloggning via organisationens IdP (utan klienthemlighet)', omit: ['client_secret'] },
  user_session: { export: false, why: 'Inloggningssessioner: id:t är en hemlighet och sessionen är tillfällig' },
  login_throttle: { export: false, why: 'Tillfälliga räknare för misslyckade inloggningar' },
  password_reset: { export: false, why: 'Länkar för att välja lösenord: hemliga och tillfälliga' },
  oidc_login: { export: false, why: 'Pågående inloggningar via IdP (state, PKCE-verifierare, nonce): hemliga och tillfälliga' },
  mail_outbox: { export: false, why: 'Utkorgen: mejlen kan innehålla länkar för att välja lösenord; det som står i dem finns i sina egna tabeller' },
  wastewater_upload_chunk: { export: false, why: 'Uppladdade filer under import: råfilen, inte registret' },
  wastewater_import_row: { export: false, why: 'Mellanlagrade rader under import, innan de blir mätvärden' },
  wastewater_import_sample: { export: false, why: 'Mellanlagrade prover under import, innan de blir prover' },
};

export interface ExportAllOptions {
  /** Printed in the PDFs' verification and report addresses. */
  publicBaseUrl: string;
  now?: Date;
}

export interface ManifestFile {
  file: string;
  bytes: number;
  sha256: string;
  kind: 'table-json' | 'table-csv' | 'signed-version-pdf' | 'follow-up-report-pdf';
  what: string;
  table?: string;
  rows?: number;
  pledgeId?: string;
  versionNumber?: number;
  reportId?: string;
}

export interface ExportAllSummary {
  dir: string;
  tables: number;
  rows: number;
  pdfs: number;
  files: number;
  bytes: number;
}

export async function exportAll(database: Database, dir: string, opts: ExportAllOptions): Promise<ExportAllSummary> {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) throw new ArchiveRefusedError(`Katalogen ${dir} är inte tom. Exportera till en ny eller tom katalog.`);
  if (!existsSync(dirname(target))) throw new ArchiveRefusedError(`Katalogen ${dirname(target)} finns inte.`);
  // Written beside DIR and renamed into place when complete: a full disk or a crash leaves no
  // half an export that looks like a whole one.
  const work = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const summary = await writeExport(database, work, opts);
    if (existsSync(target)) await rmdir(target);
    await rename(work, target);
    return { ...summary, dir };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

async function writeExport(database: Database, dir: string, opts: ExportAllOptions): Promise<ExportAllSummary> {
  await mkdir(join(dir, 'tables'), { recursive: true });
  await mkdir(join(dir, 'pdf'), { recursive: true });
  const now = opts.now ?? new Date();

  let builder = database.db.transaction();
  if (isPostgres(database.db)) builder = builder.setIsolationLevel('repeatable read').setAccessMode('read only');
  const { files, migrations } = await builder.execute(async (trx) => {
    const tables = await listTables(trx);
    const unclassified = tables.filter((t) => !(t.name in EXPORT_POLICY)).map((t) => t.name);
    if (unclassified.length > 0) throw new Error(`export --all: tabellerna ${unclassified.join(', ')} saknas i EXPORT_POLICY`);
    const files: ManifestFile[] = [];
    for (const t of tables) {
      const policy = EXPORT_POLICY[t.name]!;
      if (policy.export) files.push(...(await writeTable(trx, dir, t, policy.what, policy.omit ?? [])));
    }
    files.push(...(await writePdfs(trx, dir, opts.publicBaseUrl)));
    return { files, migrations: await appliedMigrations(trx) };
  });

  const excluded = Object.entries(EXPORT_POLICY).flatMap(([table, p]) => (p.export ? [] : [{ table, why: p.why }]));
  const omittedColumns = Object.fromEntries(Object.entries(EXPORT_POLICY).flatMap(([table, p]) => (p.export && p.omit ? [[table, p.omit]] : [])));
  const manifest = {
    format: 'loften-export',
    formatVersion: 1,
    createdAt: now.toISOString(),
    migrations,
    publicBaseUrl: opts.publicBaseUrl,
    csv: 'UTF-8 med BOM, semikolon, decimalkomma, CRLF; text som börjar med = + - @ får en apostrof först. JSON-filerna har de exakta värdena.',
    excluded,
    omittedColumns,
    files,
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  await writeFile(join(dir, 'manifest.json'), manifestText);
  const manifestEntry = { file: 'manifest.json', sha256: sha256(manifestText) };
  const sums = [...files, manifestEntry].map((f) => `${f.sha256}  ${f.file}\n`).join('');
  await writeFile(join(dir, 'SHA256SUMS'), sums);
  return {
    dir,
    tables: files.filter((f) => f.kind === 'table-json').length,
    rows: files.filter((f) => f.kind === 'table-json').reduce((n, f) => n + (f.rows ?? 0), 0),
    pdfs: files.filter((f) => f.kind.endsWith('pdf')).length,
    files: files.length + 2,
    bytes: files.reduce((n, f) => n + f.bytes, 0) + Buffer.byteLength(manifestText) + Buffer.byteLength(sums),
  };
}

export function exportAllSummaryLine(s: ExportAllSummary): string {
  return `Exporterade ${s.tables} tabeller (${s.rows} rader) och ${s.pdfs} PDF:er till ${s.dir}: ${s.files} filer, ${s.bytes} byte. Kontrollera med "sha256sum -c SHA256SUMS" i katalogen.`;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Writes a file in pieces while hashing it, so a million-row table never sits in memory. */
class HashedFile {
  readonly #hash = createHash('sha256');
  readonly #out;
  bytes = 0;

  #error: Error | null = null;

  constructor(path: string) {
    this.#out = createWriteStream(path, { flags: 'wx' });
    // Kept, not thrown from an event: it surfaces at the next write or at close (ENOSPC, EROFS).
    this.#out.on('error', (err) => (this.#error ??= err));
  }

  async write(text: string): Promise<void> {
    if (this.#error) throw this.#error;
    const buf = Buffer.from(text);
    this.#hash.update(buf);
    this.bytes += buf.length;
    if (!this.#out.write(buf)) await once(this.#out, 'drain');
  }

  async close(): Promise<{ bytes: number; sha256: string }> {
    if (this.#error) throw this.#error;
    this.#out.end();
    await finished(this.#out);
    if (this.#error) throw this.#error;
    return { bytes: this.bytes, sha256: this.#hash.digest('hex') };
  }
}

const CSV_OPTIONS = { delimiter: ';', record_delimiter: 'windows', quote: '"', escape: '"' } as const;

async function writeTable(db: AnyDb, dir: string, t: TableInfo, what: string, omit: readonly string[]): Promise<ManifestFile[]> {
  const columns = t.columns.filter((c) => !omit.includes(c));
  const idx = columns.map((c) => t.columns.indexOf(c));
  const jsonName = `tables/${t.name}.json`;
  const csvName = `tables/${t.name}.csv`;
  const json = new HashedFile(join(dir, jsonName));
  const csv = new HashedFile(join(dir, csvName));
  await json.write(`{"table":${JSON.stringify(t.name)},"what":${JSON.stringify(what)},"columns":${JSON.stringify(columns)},"rows":[`);
  await csv.write(stringify([columns], { ...CSV_OPTIONS, bom: true }));
  let n = 0;
  for await (const rows of readRows(db, t)) {
    const picked = rows.map((row) => idx.map((i) => plain(row[i])));
    await json.write(picked.map((row, k) => `${n + k === 0 ? '\n' : ',\n'}${JSON.stringify(Object.fromEntries(columns.map((c, j) => [c, row[j]])))}`).join(''));
    await csv.write(stringify(picked.map((row) => row.map((v) => csvCell(v as Cell))), CSV_OPTIONS));
    n += rows.length;
  }
  await json.write(n === 0 ? ']}\n' : '\n]}\n');
  return [
    { file: jsonName, ...(await json.close()), kind: 'table-json', what, table: t.name, rows: n },
    { file: csvName, ...(await csv.close()), kind: 'table-csv', what, table: t.name, rows: n },
  ];
}

/** No record table holds bytes today; should one, its JSON and CSV carry them as base64 text. */
function plain(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof v === 'number' || typeof v === 'string') return v;
  return String(v);
}

async function writePdfs(db: AnyDb, dir: string, publicBaseUrl: string): Promise<ManifestFile[]> {
  const { renderPledgePdf } = await import('../publishing/pdf/pledge-pdf.js');
  const files: ManifestFile[] = [];
  const refs = await listSignedVersionRefs(db);
  if (refs.length > 0) await mkdir(join(dir, 'pdf', 'versions'), { recursive: true });
  for (const ref of refs) {
    const found = await loadPublishedVersion(db, ref.pledgeId, ref.number);
    if (!found) throw new Error(`export --all: version ${ref.number} av löftet ${ref.pledgeId} gick inte att läsa`);
    const file = `pdf/versions/${pdfFilename(ref.municipalitySlug, ref.periodSlug, ref.number)}`;
    const bytes = await renderPledgePdf(found.document, { publicBaseUrl });
    await writeFile(join(dir, file), bytes, { flag: 'wx' });
    files.push({ file, bytes: bytes.length, sha256: sha256(bytes), kind: 'signed-version-pdf', what: `${found.document.title}, version ${ref.number} (${ref.state === 'signed' ? 'gällande' : 'ersatt'})`, pledgeId: ref.pledgeId, versionNumber: ref.number });
  }
  const pledges = new Map(refs.map((r) => [r.pledgeId, r.municipalitySlug]));
  for (const [pledgeId, municipalitySlug] of pledges) {
    const reports = await listFullReportsOfPledge(db, pledgeId);
    if (reports.length > 0) await mkdir(join(dir, 'pdf', 'reports'), { recursive: true });
    for (const report of reports) {
      const file = `pdf/reports/${reportPdfFilename(municipalitySlug, report)}`;
      const bytes = await renderReportPdf(report, { publicBaseUrl, municipalitySlug });
      await writeFile(join(dir, file), bytes, { flag: 'wx' });
      files.push({ file, bytes: bytes.length, sha256: sha256(bytes), kind: 'follow-up-report-pdf', what: `Uppföljningsrapport ${report.kind === 'year_end' ? `för ${report.year}` : `från ${report.reportDate}`}`, pledgeId, reportId: report.id });
    }
  }
  return files;
}
