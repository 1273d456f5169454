import { CsvError, openCsv, type CsvSource } from '../../platform/csv.js';
import { CsvRowMapper, ImportRefusedError, csvColumnIndex, type ImportRow } from './indicator-import.js';

/**
 * The generic CSV (indicator, period, value, gender, status) → import rows, through the shared
 * reader (BOM, ";" or ",", Windows-1252, line numbers). Any problem refuses the whole file.
 */
export async function readIndicatorCsv(source: CsvSource): Promise<ImportRow[]> {
  try {
    const file = await openCsv(source);
    const mapper = new CsvRowMapper(csvColumnIndex(file.columns));
    for await (const r of file.records()) mapper.add({ line: r.line, cells: r.fields });
    return mapper.finish();
  } catch (err) {
    if (err instanceof CsvError) throw new ImportRefusedError([{ ref: err.line !== null ? `rad ${err.line}` : 'filen', column: err.column, message: capitalised(err.reason) }]);
    throw err;
  }
}

function capitalised(s: string): string {
  return s.charAt(0).toLocaleUpperCase('sv') + s.slice(1);
}

/**
 * An uploaded file as text: UTF-8 if it is valid UTF-8, otherwise Windows-1252 (what Swedish
 * Excel saves as "CSV"). The admin preview carries this text to the confirming step.
 */
export function decodeUpload(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
