import { parse } from 'csv-parse/sync';
import { CsvRowMapper, ImportRefusedError, csvColumnIndex, type ImportRow } from './indicator-import.js';

/**
 * The generic CSV (indicator, period, value, gender, status) → import rows. Indicator files are
 * small (a few figures a year per indicator), so the text is read whole.
 */
export function readIndicatorCsv(text: string): ImportRow[] {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.trim() === '') throw new ImportRefusedError([{ ref: 'rad 1', column: null, message: 'Filen är tom eller börjar med en tom rad; den första raden ska vara rubrikerna indicator, period, value, gender, status.' }]);
  // Swedish spreadsheets save with ";" so that "13,5" can keep its decimal comma.
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) >= (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(body, { delimiter, info: true, relax_column_count: true, skip_empty_lines: false, trim: false }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new ImportRefusedError([{ ref: e.lines ? `rad ${e.lines}` : 'filen', column: null, message: `Filen går inte att läsa som CSV: ${e.message}` }]);
  }
  if (records.length === 0) throw new ImportRefusedError([{ ref: 'filen', column: null, message: 'Filen är tom.' }]);
  if (records.some((r) => r.record.some((c) => c.includes('\u0000'))))
    throw new ImportRefusedError([{ ref: 'filen', column: null, message: 'Filen innehåller binära data och är inte en CSV-fil. Spara kalkylbladet som CSV (UTF-8) först.' }]);
  const [header, ...rows] = records;
  const mapper = new CsvRowMapper(csvColumnIndex(header!.record));
  for (const r of rows) mapper.add({ line: r.info.lines, cells: r.record });
  return mapper.finish();
}
