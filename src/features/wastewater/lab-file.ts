import { CsvError, parseDecimalSv, type CsvRecord } from '../../platform/csv.js';
import { KNOWN_SUBSTANCE_NAMES, substanceFromLabName, suggestSubstance, type SubstanceCode } from './substances.js';

/**
 * A lab's CSV, row by row: which header names mean what (with unit aliases), and the rules for
 * one row. Pure: site existence is checked by SiteBook against what the caller loaded.
 */

export type Field = 'site_code' | 'district' | 'population' | 'sample_date' | 'flow' | 'substance' | 'concentration' | 'loq' | 'below_loq' | 'unit';

/** Header name (after normalising) → field and the factor that converts it to ng/L or m³/day. */
const HEADER_ALIASES: Record<string, { field: Field; factor?: number }> = {
  site_code: { field: 'site_code' },
  district: { field: 'district' },
  population: { field: 'population' },
  sample_date: { field: 'sample_date' },
  flow_m3_per_day: { field: 'flow' },
  flow_m3_per_d: { field: 'flow' },
  flow_l_per_day: { field: 'flow', factor: 1 / 1000 },
  flow_l_per_d: { field: 'flow', factor: 1 / 1000 },
  substance: { field: 'substance' },
  concentration_ng_per_l: { field: 'concentration' },
  concentration_ug_per_m3: { field: 'concentration' },
  loq_ng_per_l: { field: 'loq' },
  loq_ug_per_m3: { field: 'loq' },
  below_loq: { field: 'below_loq' },
  unit: { field: 'unit' },
};

export const REQUIRED: { field: Field; column: string }[] = [
  { field: 'site_code', column: 'site_code' },
  { field: 'sample_date', column: 'sample_date' },
  { field: 'flow', column: 'flow_m3_per_day' },
  { field: 'substance', column: 'substance' },
  { field: 'concentration', column: 'concentration_ng_per_l' },
  { field: 'loq', column: 'loq_ng_per_l' },
];

/** "Concentration (µg/m³)" → "concentration_ug_per_m3". */
export function normaliseHeader(h: string): string {
  return h
    .normalize('NFC')
    .toLowerCase()
    .replace(/[µμ]/g, 'u')
    .replace(/³/g, '3')
    .replace(/[()[\]]/g, ' ')
    .replace(/\s*\/\s*/g, '_per_')
    .replace(/[\s\-.]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

export interface ColumnMap {
  index: Partial<Record<Field, number>>;
  /** The header as written (lower-cased), for error messages. */
  name: Partial<Record<Field, string>>;
  flowFactor: number;
}

/** Maps the header; throws CsvError (line 1) for a missing or doubled column. */
export function mapColumns(columns: readonly string[]): ColumnMap {
  const map: ColumnMap = { index: {}, name: {}, flowFactor: 1 };
  columns.forEach((raw, i) => {
    const alias = HEADER_ALIASES[normaliseHeader(raw)];
    if (!alias) return;
    if (map.index[alias.field] !== undefined) throw new CsvError(`kolumnerna ${map.name[alias.field]} och ${raw} betyder samma sak; ta bort den ena.`, 1, raw);
    map.index[alias.field] = i;
    map.name[alias.field] = raw;
    if (alias.field === 'flow') map.flowFactor = alias.factor ?? 1;
  });
  for (const r of REQUIRED) {
    if (map.index[r.field] === undefined) {
      const unit = r.field === 'concentration' || r.field === 'loq' ? ' (eller med enheten ug_per_m3)' : r.field === 'flow' ? ' (eller flow_l_per_day)' : '';
      throw new CsvError(`kolumnen ${r.column}${unit} saknas i rubrikraden.`, 1, r.column);
    }
  }
  return map;
}

export interface LabRow {
  line: number;
  siteCode: string;
  district: string | null;
  population: number | null;
  sampleDate: string;
  /** m³/day */
  flow: number;
  substance: SubstanceCode;
  /** ng/L; null when the lab gave only "<LOQ". */
  concentration: number | null;
  loq: number | null;
  belowLoq: boolean;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$/;

let lastDateText = '';
let lastDate: string | 'format' | 'nonexistent' = 'format';

/** Every substance of a sample repeats its date: the last answer is kept. */
export function validDate(text: string): string | 'format' | 'nonexistent' {
  if (text === lastDateText) return lastDate;
  lastDate = checkDate(text);
  lastDateText = text;
  return lastDate;
}

function checkDate(text: string): string | 'format' | 'nonexistent' {
  const m = ISO_DATE.exec(text);
  if (!m) return 'format';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return 'nonexistent';
  return `${m[1]}-${m[2]}-${m[3]}`;
}

const TRUE = new Set(['1', 'true', 'ja', 'j', 'yes', 'y', 'x', 'sant']);
const FALSE = new Set(['0', 'false', 'nej', 'n', 'no', 'falskt']);
const UNITS = new Set(['ng/l', 'ug/m3', 'µg/m3', 'µg/m³', 'ug/m³', 'μg/m3', 'μg/m³']);

/** Written for speed (it runs once per row of files with millions): no closures or regular expressions on the common path. */
function cellAt(fields: readonly string[], i: number | undefined): string {
  return i === undefined ? '' : (fields[i] ?? '');
}

/** One record → a LabRow, or a CsvError naming the line, the column and why. */
export function parseLabRecord(record: CsvRecord, map: ColumnMap): LabRow {
  const { line, fields } = record;
  const ix = map.index;
  const fail = (f: Field, reason: string): never => {
    throw new CsvError(reason, line, map.name[f] ?? f);
  };

  const siteCode = cellAt(fields, ix.site_code);
  if (siteCode === '') fail('site_code', 'mätpunktens kod saknas.');
  if (siteCode.length > 40) fail('site_code', 'koden är längre än 40 tecken.');

  const districtText = cellAt(fields, ix.district);
  if (districtText.length > 80) fail('district', 'namnet på kommundelen är längre än 80 tecken.');

  let population: number | null = null;
  const popText = cellAt(fields, ix.population);
  if (popText !== '') {
    const p = parseDecimalSv(popText);
    if (p === null) fail('population', `"${popText}" är inte ett tal.`);
    else if (!Number.isInteger(p)) fail('population', `antalet anslutna invånare ska vara ett heltal, inte ${popText}.`);
    else if (p <= 0) fail('population', `antalet anslutna invånare måste vara större än 0 (var ${popText}).`);
    else population = p;
  }

  const dateText = cellAt(fields, ix.sample_date);
  if (dateText === '') fail('sample_date', 'datum saknas.');
  const date = validDate(dateText);
  if (date === 'format') fail('sample_date', `"${dateText}" är inte ett datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2023-05-02.`);
  if (date === 'nonexistent') fail('sample_date', `datumet ${dateText} finns inte.`);

  const flowText = cellAt(fields, ix.flow);
  if (flowText === '') fail('flow', 'flödet saknas.');
  const flowRaw = parseDecimalSv(flowText);
  if (flowRaw === null) fail('flow', `"${flowText}" är inte ett tal.`);
  if (flowRaw! < 0) fail('flow', `flödet kan inte vara negativt (${flowText}).`);
  if (flowRaw === 0) fail('flow', 'flödet måste vara större än 0.');
  const flow = map.flowFactor === 1 ? flowRaw! : flowRaw! * map.flowFactor;

  const substanceText = cellAt(fields, ix.substance);
  if (substanceText === '') fail('substance', 'substans saknas.');
  const substance = substanceFromLabName(substanceText);
  if (!substance) {
    const s = suggestSubstance(substanceText);
    fail('substance', s ? `okänd substans "${substanceText}". Menade du ${s}?` : `okänd substans "${substanceText}". Kända substanser: ${KNOWN_SUBSTANCE_NAMES}.`);
  }

  if (ix.unit !== undefined) {
    const unitText = cellAt(fields, ix.unit);
    if (unitText !== '' && !UNITS.has(unitText.toLowerCase().replace(/\s+/g, ''))) fail('unit', `okänd enhet "${unitText}"; ange ng/L eller µg/m³ (samma sak).`);
  }

  let loq: number | null = null;
  const loqText = cellAt(fields, ix.loq);
  if (loqText !== '') {
    loq = parseDecimalSv(loqText);
    if (loq === null) fail('loq', `"${loqText}" är inte ett tal.`);
    if (loq! <= 0) fail('loq', `kvantifieringsgränsen måste vara större än 0 (var ${loqText}).`);
  }

  let concentration: number | null = null;
  let saysBelow = false;
  const concText = cellAt(fields, ix.concentration);
  if (concText.charCodeAt(0) === 60 /* < */) {
    saysBelow = true;
    const limit = concText.slice(1).trim();
    if (!/^lo[qd]$/i.test(limit)) {
      const n = parseDecimalSv(limit);
      if (n === null || n <= 0) fail('concentration', `"${concText}" går inte att läsa; skriv <LOQ eller t.ex. <0,5.`);
      loq ??= n;
    }
  } else if (concText !== '') {
    concentration = parseDecimalSv(concText);
    if (concentration === null) fail('concentration', `"${concText}" är inte ett tal.`);
    if (concentration! < 0) fail('concentration', `koncentrationen kan inte vara negativ (${concText}).`);
  }

  const flagRaw = cellAt(fields, ix.below_loq);
  let belowLoq: boolean;
  if (flagRaw === '') {
    belowLoq = saysBelow || (concentration !== null && loq !== null && concentration < loq);
  } else {
    const flagText = flagRaw.toLowerCase();
    if (TRUE.has(flagText)) belowLoq = true;
    else if (FALSE.has(flagText)) {
      if (saysBelow) fail('below_loq', `raden säger både "${concText}" och att värdet inte är under LOQ.`);
      belowLoq = false;
    } else return fail('below_loq', `"${flagRaw}" går inte att läsa; skriv ja eller nej (eller 1/0, true/false).`);
  }
  if (concentration === null && !belowLoq) fail('concentration', 'koncentrationen saknas.');

  return {
    line,
    siteCode,
    district: districtText === '' ? null : districtText,
    population,
    sampleDate: date as string,
    flow,
    substance: substance!,
    concentration,
    loq,
    belowLoq,
  };
}

export interface KnownSite {
  code: string;
  district: string;
  population: number;
}

/**
 * Sites seen while reading a file: an existing site may leave district and population out; a new
 * one must give both on its first row. A district that contradicts the stored one is an error,
 * since moving a site between districts is an edit, not an import.
 */
export class SiteBook {
  readonly created = new Map<string, { district: string; population: number; line: number }>();
  constructor(private readonly known: ReadonlyMap<string, KnownSite>) {}

  check(row: LabRow, map: ColumnMap): void {
    const existing = this.known.get(row.siteCode) ?? this.created.get(row.siteCode);
    if (existing) {
      if (row.district !== null && row.district !== existing.district)
        throw new CsvError(`mätpunkten ${row.siteCode} hör till kommundelen ${existing.district}, inte ${row.district}.`, row.line, map.name.district ?? 'district');
      return;
    }
    if (row.district === null)
      throw new CsvError(`mätpunkten ${row.siteCode} är ny: ange dess kommundel (district).`, row.line, map.name.district ?? 'district');
    if (row.population === null)
      throw new CsvError(`mätpunkten ${row.siteCode} är ny: ange antalet anslutna invånare (population).`, row.line, map.name.population ?? 'population');
    this.created.set(row.siteCode, { district: row.district, population: row.population, line: row.line });
  }
}
