import { AppError } from '../../platform/errors.js';
import {
  GENDERS,
  KOLADA_KPI,
  hasNumber,
  parseDecimal,
  parsePeriod,
  valueProblem,
  type Gender,
  type Indicator,
  type ValueStatus,
} from './indicator.js';

/**
 * Imports as pure functions: a file becomes rows, rows and what is stored become a plan, and only
 * the service writes the plan, in one transaction. Nothing here touches the database, so the same
 * code answers a dry run, the admin preview, the CLI and the tests.
 */

export type ImportFormat = 'kolada' | 'csv';

/** One figure from a file, with where it came from so an error can name it. */
export interface ImportRow {
  /** "rad 4" (CSV line) or "post 2, värde 1" (Kolada JSON). */
  ref: string;
  /** Kolada KPI id or indicator code, as the file names it. */
  key: string;
  period: string;
  gender: Gender;
  value: number | null;
  status: ValueStatus;
}

export interface ImportIssue {
  /** Where: "rad 4", "post 2", or "filen". */
  ref: string;
  /** Which column or field, when one is to blame. */
  column: string | null;
  message: string;
}

/** Refused: the file is not stored at all. Carries every problem found (up to a limit), each with its row. */
export class ImportRefusedError extends AppError {
  readonly issues: ImportIssue[];
  constructor(issues: ImportIssue[]) {
    super('validation_failed', `Importen avbröts och inget sparades. ${issues.map(describeIssue).join(' ')}`, [
      { field: 'file', message: issues.length === 1 ? describeIssue(issues[0]!) : `${issues.length} fel i filen; se listan.` },
    ]);
    this.issues = issues;
  }
}

export function describeIssue(i: ImportIssue): string {
  const where = i.column ? `${capitalise(i.ref)}, kolumn ${i.column}` : capitalise(i.ref);
  return `${where}: ${i.message}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toLocaleUpperCase('sv') + s.slice(1);
}

/** Enough to fix a file in one go, without drowning the reader when every row is wrong. */
export const MAX_ISSUES = 50;
/** Indicator series are yearly figures for a handful of breakdowns; anything near this is the wrong file. */
export const MAX_ROWS = 100_000;

class Issues {
  readonly list: ImportIssue[] = [];
  add(ref: string, column: string | null, message: string): void {
    if (this.list.length < MAX_ISSUES) this.list.push({ ref, column, message });
  }
  get full(): boolean {
    return this.list.length >= MAX_ISSUES;
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ImportRefusedError(this.list);
  }
}

// ---------------------------------------------------------------------------------------------
// Kolada JSON: {values: [{kpi, municipality, period, values: [{gender, status, value}]}]}

export interface KoladaFile {
  rows: ImportRow[];
  /** Every municipality code the file has values for, with the first entry that named it. */
  municipalities: Map<string, string>;
}

/**
 * Kolada's status texts. A number with no status is a final figure; "Missing" (or nothing) without a
 * number is a figure not yet available. Anything we do not recognise is refused rather than guessed.
 */
function koladaStatus(raw: unknown, hasValue: boolean): ValueStatus | null {
  const s = raw === null || raw === undefined ? '' : typeof raw === 'string' ? raw.trim().toLowerCase() : null;
  if (s === null) return null;
  if (hasValue) {
    if (s === '' || s === 'final' || s === 'slutlig' || s === 'slutligt') return 'final';
    if (s.startsWith('prel')) return 'preliminary';
    return null;
  }
  if (s === '' || s === 'missing' || s === 'saknas' || s === 'not_yet_available') return 'not_yet_available';
  if (['suppressed', 'sekretess', 'secret', 'confidential', 'undertryckt', 'skyddad'].includes(s)) return 'suppressed';
  return null;
}

export function parseKoladaJson(text: string): KoladaFile {
  const issues = new Issues();
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ImportRefusedError([{ ref: 'filen', column: null, message: `Filen är inte giltig JSON (${(err as Error).message}). Välj svaret från Koladas API, eller CSV-formatet.` }]);
  }
  const entries = typeof doc === 'object' && doc !== null && Array.isArray((doc as { values?: unknown }).values) ? ((doc as { values: unknown[] }).values) : null;
  if (!entries)
    throw new ImportRefusedError([
      { ref: 'filen', column: null, message: 'Filen har inte formen från Koladas API: ett objekt med listan "values", där varje post har kpi, municipality, period och values.' },
    ]);
  if (entries.length === 0) throw new ImportRefusedError([{ ref: 'filen', column: null, message: 'Filen innehåller inga värden ("values" är tom).' }]);

  const rows: ImportRow[] = [];
  const municipalities = new Map<string, string>();
  entries.forEach((entry, i) => {
    if (issues.full) return;
    const ref = `post ${i + 1}`;
    if (typeof entry !== 'object' || entry === null) return issues.add(ref, null, 'Posten är inte ett objekt med kpi, municipality, period och values.');
    const e = entry as Record<string, unknown>;
    const kpi = typeof e.kpi === 'string' ? e.kpi.trim().toUpperCase() : '';
    if (!KOLADA_KPI.test(kpi)) issues.add(ref, 'kpi', `"${String(e.kpi ?? '')}" är inget id för ett nyckeltal i Kolada (N eller U och fem siffror, t.ex. N07540).`);
    const municipality = typeof e.municipality === 'string' ? e.municipality.trim() : typeof e.municipality === 'number' ? String(e.municipality) : '';
    if (!/^\d{4}$/.test(municipality))
      issues.add(
        ref,
        'municipality',
        typeof e.municipality === 'number'
          ? `Kommunkoden ${e.municipality} är ett tal; Kolada skriver den som text med fyra siffror, t.ex. "0486".`
          : `"${String(e.municipality ?? '')}" är ingen kommunkod (fyra siffror, t.ex. 0486). Grupper av kommuner kan inte importeras.`,
      );
    else if (!municipalities.has(municipality)) municipalities.set(municipality, ref);
    const period = parsePeriod(e.period);
    if (period === null) issues.add(ref, 'period', `"${String(e.period ?? '')}" är inget år mellan 1990 och 2100.`);
    if (!Array.isArray(e.values)) return issues.add(ref, 'values', 'Listan values saknas.');
    e.values.forEach((cell, j) => {
      const vref = `${ref}, värde ${j + 1}`;
      if (typeof cell !== 'object' || cell === null) return issues.add(vref, null, 'Värdet är inte ett objekt med gender, status och value.');
      const c = cell as Record<string, unknown>;
      const gender = typeof c.gender === 'string' ? c.gender.trim().toUpperCase() : '';
      if (!(GENDERS as readonly string[]).includes(gender)) issues.add(vref, 'gender', `"${String(c.gender ?? '')}" är inget kön som Kolada redovisar (T, K eller M).`);
      const value = c.value;
      if (value !== null && value !== undefined && (typeof value !== 'number' || !Number.isFinite(value)))
        return issues.add(vref, 'value', `"${String(value)}" är inte ett tal.`);
      const hasValue = typeof value === 'number';
      const status = koladaStatus(c.status, hasValue);
      if (status === null)
        return issues.add(vref, 'status', `Okänd status "${String(c.status)}"${hasValue ? ' för ett värde' : ' för ett värde som saknas'}. Kända: tom, Missing, preliminär, sekretess.`);
      if (KOLADA_KPI.test(kpi) && period !== null && (GENDERS as readonly string[]).includes(gender))
        rows.push({ ref: `${vref} (${kpi}, ${municipality}, ${period}, kön ${gender})`, key: kpi, period, gender: gender as Gender, value: hasValue ? value : null, status });
    });
  });
  issues.throwIfAny();
  return { rows, municipalities };
}

/** The chosen municipality must be the only one in the file: a file for Vingåker never lands in Strängnäs. */
export function checkKoladaMunicipality(file: KoladaFile, chosen: { code: string; name: string }, names: ReadonlyMap<string, string> = new Map()): void {
  const others = [...file.municipalities.entries()].filter(([code]) => code !== chosen.code);
  if (others.length === 0) return;
  throw new ImportRefusedError(
    others.slice(0, MAX_ISSUES).map(([code, ref]) => ({
      ref,
      column: 'municipality',
      message: `Filen har värden för kommun ${code}${names.has(code) ? ` (${names.get(code)})` : ''}, men du importerar till ${chosen.name} (${chosen.code}). Hämta filen för rätt kommun eller välj den kommun filen gäller.`,
    })),
  );
}

// ---------------------------------------------------------------------------------------------
// Generic CSV: indicator, period, value, gender, status

/** Column names we accept, Swedish or English, in the order of the issue: indicator, period, value, gender, status. */
export const CSV_COLUMNS = {
  indicator: ['indicator', 'indikator'],
  period: ['period', 'år', 'ar', 'year'],
  value: ['value', 'värde', 'varde'],
  gender: ['gender', 'kön', 'kon'],
  status: ['status'],
} as const;
export type CsvColumn = keyof typeof CSV_COLUMNS;
export const REQUIRED_CSV_COLUMNS: CsvColumn[] = ['indicator', 'period', 'value'];

/** Maps a header row to our columns; refuses when a required column is missing. */
export function csvColumnIndex(header: readonly string[]): Record<CsvColumn, number> {
  const norm = header.map((h) => h.replace(/^\uFEFF/, '').trim().toLowerCase());
  const index = {} as Record<CsvColumn, number>;
  for (const [col, names] of Object.entries(CSV_COLUMNS) as [CsvColumn, readonly string[]][]) index[col] = norm.findIndex((h) => names.includes(h));
  const missing = REQUIRED_CSV_COLUMNS.filter((c) => index[c] < 0);
  if (missing.length > 0)
    throw new ImportRefusedError([
      {
        ref: 'rad 1',
        column: null,
        message: `Kolumn${missing.length > 1 ? 'erna' : 'en'} ${missing.join(', ')} saknas i rubrikraden. Filen ska ha kolumnerna indicator, period, value, gender, status (gender och status får utelämnas). Rubrikraden var: ${header.join(', ')}.`,
      },
    ]);
  return index;
}

const CSV_STATUS: Record<string, ValueStatus> = {
  final: 'final',
  slutlig: 'final',
  slutligt: 'final',
  preliminary: 'preliminary',
  prel: 'preliminary',
  'preliminär': 'preliminary',
  'preliminärt': 'preliminary',
  not_yet_available: 'not_yet_available',
  saknas: 'not_yet_available',
  'ej tillgänglig': 'not_yet_available',
  'inte tillgängligt ännu': 'not_yet_available',
  suppressed: 'suppressed',
  sekretess: 'suppressed',
  undertryckt: 'suppressed',
};

/** One data line of the CSV, cells in file order, with its 1-based line number in the file. */
export interface CsvRecord {
  line: number;
  cells: readonly string[];
}

export class CsvRowMapper {
  readonly rows: ImportRow[] = [];
  readonly #issues = new Issues();
  constructor(private readonly index: Record<CsvColumn, number>) {}

  add(r: CsvRecord): void {
    if (this.#issues.full) return;
    const ref = `rad ${r.line}`;
    if (this.rows.length >= MAX_ROWS) return this.#issues.add(ref, null, `Filen har fler än ${MAX_ROWS} värden. Dela upp den, eller kontrollera att det är rätt fil.`);
    const cell = (c: CsvColumn) => (this.index[c] >= 0 ? (r.cells[this.index[c]] ?? '').trim() : '');
    if (r.cells.every((c) => c.trim() === '')) return; // blank line
    const key = cell('indicator');
    if (key === '') this.#issues.add(ref, 'indicator', 'Ange indikatorns kod, t.ex. N07540 eller can-vill-prova.');
    const rawPeriod = cell('period');
    const period = parsePeriod(rawPeriod);
    if (period === null) this.#issues.add(ref, 'period', `"${rawPeriod}" är ingen period. Skriv ett år (2023), en månad (2023-05) eller ett datum (2023-05-14).`);
    const rawGender = cell('gender').toUpperCase();
    const gender = rawGender === '' ? 'T' : rawGender;
    if (!(GENDERS as readonly string[]).includes(gender)) this.#issues.add(ref, 'gender', `"${cell('gender')}" är inget kön. Skriv T (totalt), K (kvinnor) eller M (män), eller lämna tomt för totalt.`);
    const rawValue = cell('value');
    const value = parseDecimal(rawValue);
    if (value !== null && Number.isNaN(value)) this.#issues.add(ref, 'value', `"${rawValue}" är inte ett tal. Skriv t.ex. 13 eller 13,5, utan enhet.`);
    const rawStatus = cell('status').toLowerCase();
    let status: ValueStatus | undefined = rawStatus === '' ? (value === null ? undefined : 'final') : CSV_STATUS[rawStatus];
    if (rawStatus !== '' && status === undefined)
      this.#issues.add(ref, 'status', `"${cell('status')}" är ingen status. Skriv final, preliminary, not_yet_available eller suppressed (eller slutlig, preliminär, saknas, sekretess).`);
    else if (status === undefined)
      this.#issues.add(ref, 'value', 'Värdet saknas. Ange ett tal, eller status not_yet_available (inte tillgängligt ännu) eller suppressed (för litet underlag).');
    else if (value !== null && !Number.isNaN(value) && !hasNumber(status))
      this.#issues.add(ref, 'value', `Ett värde med status ${rawStatus} kan inte ha ett tal: lämna värdet tomt. Det visas som "${status === 'suppressed' ? 'redovisas inte' : 'inte tillgängligt ännu'}", aldrig som 0.`);
    else if (value === null && hasNumber(status)) {
      this.#issues.add(ref, 'value', `Ett ${status === 'final' ? 'slutligt' : 'preliminärt'} värde behöver ett tal.`);
      status = undefined;
    }
    if (key && period && (GENDERS as readonly string[]).includes(gender) && status && !(value !== null && Number.isNaN(value)))
      this.rows.push({ ref, key, period, gender: gender as Gender, value: hasNumber(status) ? value : null, status });
  }

  /** Everything read: the rows, or a refusal naming each bad row. */
  finish(): ImportRow[] {
    this.#issues.throwIfAny();
    if (this.rows.length === 0) throw new ImportRefusedError([{ ref: 'filen', column: null, message: 'Filen innehåller inga värden, bara en rubrikrad.' }]);
    return this.rows;
  }
}

// ---------------------------------------------------------------------------------------------
// The plan: what an import would change, figure by figure

export interface StoredValue {
  value: number | null;
  status: ValueStatus;
}

export interface ValueChange {
  period: string;
  gender: Gender;
  before: StoredValue | null;
  after: StoredValue;
  /** Where in the file. */
  ref: string;
}

export interface IndicatorPlan {
  indicator: Pick<Indicator, 'id' | 'code' | 'name' | 'unit'>;
  added: ValueChange[];
  /** Same figure, new status: preliminary → final, or a figure that was not yet available arriving. */
  statusChanged: ValueChange[];
  /** A figure that already had a number now has another one (or none): shown to the user, kept in history. */
  corrections: ValueChange[];
  unchanged: number;
}

export interface ImportPlan {
  indicators: IndicatorPlan[];
  rows: number;
  /** The same figure twice in one file, with the same value: stored once. */
  duplicates: number;
}

export const valueKey = (period: string, gender: Gender) => `${period}|${gender}`;

function sameNumber(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Compares a file's rows with what is stored. Refuses (with every row at fault) unknown indicators,
 * numbers outside what the unit allows, and one figure given twice with different values in the
 * same file; nothing is stored then. Otherwise returns the changes, so a re-run of the same file is
 * all "unchanged" and a changed figure is a correction that the user gets to see.
 */
export function planImport(
  rows: readonly ImportRow[],
  resolve: (key: string) => Indicator | null,
  stored: ReadonlyMap<string, ReadonlyMap<string, StoredValue>>,
  unknownKey: (key: string) => string,
): ImportPlan {
  const issues = new Issues();
  const plans = new Map<string, IndicatorPlan>();
  const seen = new Map<string, ImportRow>();
  let duplicates = 0;
  for (const row of rows) {
    if (issues.full) break;
    const indicator = resolve(row.key);
    if (!indicator) {
      issues.add(row.ref, 'indicator', unknownKey(row.key));
      continue;
    }
    if (row.value !== null) {
      const problem = valueProblem(indicator.unit, row.value);
      if (problem) {
        issues.add(row.ref, 'value', problem);
        continue;
      }
    }
    const k = `${indicator.id}|${valueKey(row.period, row.gender)}`;
    const earlier = seen.get(k);
    if (earlier) {
      if (sameNumber(earlier.value, row.value) && earlier.status === row.status) duplicates++;
      else issues.add(row.ref, 'value', `${row.period} (kön ${row.gender}) för ${indicator.code} finns redan på ${earlier.ref.split(' (')[0]} med ett annat värde. Ta bort den ena raden; filen får inte säga två saker om samma period.`);
      continue;
    }
    seen.set(k, row);
    let plan = plans.get(indicator.id);
    if (!plan) {
      plan = { indicator: { id: indicator.id, code: indicator.code, name: indicator.name, unit: indicator.unit }, added: [], statusChanged: [], corrections: [], unchanged: 0 };
      plans.set(indicator.id, plan);
    }
    const before = stored.get(indicator.id)?.get(valueKey(row.period, row.gender)) ?? null;
    const after: StoredValue = { value: row.value, status: row.status };
    const change: ValueChange = { period: row.period, gender: row.gender, before, after, ref: row.ref };
    if (!before) plan.added.push(change);
    else if (sameNumber(before.value, after.value)) {
      if (before.status === after.status) plan.unchanged++;
      else plan.statusChanged.push(change);
    } else if (before.value === null) plan.statusChanged.push(change);
    else plan.corrections.push(change);
  }
  issues.throwIfAny();
  return { indicators: [...plans.values()], rows: rows.length, duplicates };
}

export function planTotals(plan: ImportPlan) {
  const sum = (f: (p: IndicatorPlan) => number) => plan.indicators.reduce((n, p) => n + f(p), 0);
  return {
    added: sum((p) => p.added.length),
    statusChanged: sum((p) => p.statusChanged.length),
    corrections: sum((p) => p.corrections.length),
    unchanged: sum((p) => p.unchanged),
  };
}

/** Did the plan change anything at all? A second run of the same file does not. */
export function planChangesAnything(plan: ImportPlan): boolean {
  const t = planTotals(plan);
  return t.added + t.statusChanged + t.corrections > 0;
}
