import { stringify } from 'csv-stringify/sync';
import type { Cell, Table } from './tables.js';

/**
 * The two serialisations of an open-data table. The CSV is written for Swedish Excel, which is
 * what most of its readers (municipal coordinators, journalists) will double-click it into:
 * UTF-8 with a byte-order mark (without one Excel reads å/ä/ö as Windows-1252 mojibake),
 * semicolon as separator and decimal comma (a Swedish Excel splits on `;` and parses "2,5" as a
 * number), CRLF line ends, RFC 4180 quoting. Scripts are better served by the JSON, which has
 * the same columns with real types. See docs/decisions/open-data.md.
 */

export const LIST_SEPARATOR = ' | ';

/**
 * Cells that a spreadsheet would run as a formula (CSV injection, OWASP): text starting with
 * = + - @ or a tab/CR gets a leading apostrophe. Text only; numbers are written as numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v).replace('.', ',');
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = typeof v === 'string' ? v : v.join(LIST_SEPARATOR);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function toCsv<R>(table: Table<R>): string {
  const header = table.columns.map((c) => c.name);
  const records = table.rows.map((r) => table.columns.map((c) => csvCell(c.value(r))));
  return stringify([header, ...records], { bom: true, delimiter: ';', record_delimiter: 'windows', quote: '"', escape: '"' });
}

/** The JSON download: `{ license, columns, data }`, one object per row with the CSV's column names. */
export function toJson<R>(table: Table<R>, license: string): string {
  const data = table.rows.map((r) => Object.fromEntries(table.columns.map((c) => [c.name, c.value(r)])));
  return JSON.stringify({ license, columns: table.columns.map((c) => c.name), data });
}
