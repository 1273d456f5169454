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

/**
 * Rows per slice. A national file is 26 000 rows at the size the benchmark generates, and
 * csv-stringify needs ~0.9 s for them in one go; in slices the event loop serves other requests
 * between them instead of stalling for the whole file.
 */
const SLICE = 500;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function slices<R>(rows: readonly R[], write: (slice: readonly R[], first: boolean) => string): Promise<string> {
  const parts: string[] = [];
  for (let i = 0; i === 0 || i < rows.length; i += SLICE) {
    if (i > 0) await nextTurn();
    parts.push(write(rows.slice(i, i + SLICE), i === 0));
  }
  return parts.join('');
}

export function toCsv<R>(table: Table<R>): Promise<string> {
  const options = { delimiter: ';', record_delimiter: 'windows', quote: '"', escape: '"' } as const;
  return slices(table.rows, (slice, first) => {
    const records = slice.map((r) => table.columns.map((c) => csvCell(c.value(r))));
    return first ? stringify([table.columns.map((c) => c.name), ...records], { ...options, bom: true }) : stringify(records, options);
  });
}

/** The JSON download: `{ license, columns, data }`, one object per row with the CSV's column names. */
export async function toJson<R>(table: Table<R>, license: string): Promise<string> {
  const head = JSON.stringify({ license, columns: table.columns.map((c) => c.name) }).slice(0, -1);
  const data = await slices(table.rows, (slice, first) => {
    const json = slice.map((r) => JSON.stringify(Object.fromEntries(table.columns.map((c) => [c.name, c.value(r)])))).join(',');
    return first || json === '' ? json : `,${json}`;
  });
  return `${head},"data":[${data}]}`;
}
