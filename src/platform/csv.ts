import { Readable } from 'node:stream';
import { parse, type CsvError as ParserError } from 'csv-parse';

/**
 * Reading CSV files that people export from spreadsheets: a BOM, `;` (Swedish Excel) or `,` as
 * separator, CRLF or LF, UTF-8 or Windows-1252, decimal commas. Records are streamed, so a file of
 * a million rows costs the same memory as one of a thousand. No domain knowledge lives here.
 */

export type CsvSource = Readable | AsyncIterable<Buffer | string> | Buffer | string;

export interface CsvRecord {
  /** 1-based line in the file where the record starts; the header is line 1. */
  line: number;
  /** One string per header column, trimmed; a short row is padded with "" (never undefined). */
  fields: string[];
}

export interface CsvFile {
  /** Header names, trimmed and lower-cased, in file order. */
  columns: string[];
  separator: ';' | ',';
  encoding: 'utf-8' | 'windows-1252';
  /** Index of a column by its (lower-case) name, or -1. */
  indexOf(column: string): number;
  /** The data records, once. Throws CsvError naming the line for anything the parser rejects. */
  records(): AsyncIterable<CsvRecord>;
  /** Bytes of the source consumed so far, for progress reports. */
  bytesRead(): number;
}

/** A problem with a particular place in a CSV file, with a message a person can act on. */
export class CsvError extends Error {
  readonly line: number | null;
  readonly column: string | null;
  readonly reason: string;
  constructor(reason: string, line: number | null = null, column: string | null = null) {
    super(csvErrorMessage(reason, line, column));
    this.name = 'CsvError';
    this.reason = reason;
    this.line = line;
    this.column = column;
  }
}

/** "rad 7, kolumn concentration_ng_per_l: …" — the form every CSV error takes. */
export function csvErrorMessage(reason: string, line: number | null, column: string | null): string {
  const where = [line !== null ? `rad ${line}` : null, column !== null ? `kolumn ${column}` : null].filter(Boolean).join(', ');
  return where ? `${where}: ${reason}` : reason;
}

export interface OpenCsvOptions {
  /** Longest header line accepted before deciding the file is not CSV. */
  maxHeaderBytes?: number;
}

const MAGIC: { bytes: number[]; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'en Excel-fil (.xlsx) eller zip-fil' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'en äldre Excel-fil (.xls)' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'en PDF-fil' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'en bild (PNG)' },
  { bytes: [0xff, 0xd8, 0xff], what: 'en bild (JPEG)' },
  { bytes: [0x1f, 0x8b], what: 'en komprimerad fil (gzip)' },
];

const SAVE_AS_CSV = 'Spara den som CSV (semikolon- eller kommaseparerad) och försök igen.';

function notCsv(head: Buffer): string | null {
  for (const m of MAGIC) if (m.bytes.every((b, i) => head[i] === b)) return `Filen är inte en CSV-fil, den ser ut att vara ${m.what}. ${SAVE_AS_CSV}`;
  // Text never contains NUL; UTF-16 files (Excel's "Unicode text") are full of them.
  if (head.includes(0)) return `Filen är inte en CSV-fil (den innehåller binära data). ${SAVE_AS_CSV}`;
  return null;
}

function isUtf8(head: Buffer): boolean {
  try {
    // stream: a multi-byte character cut at the end of the head is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Counts separators in the header line outside quotes; the more frequent one wins, `;` on a tie. */
export function sniffSeparator(headerLine: string): ';' | ',' {
  let semi = 0;
  let comma = 0;
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ';') semi++;
    else if (!quoted && ch === ',') comma++;
  }
  return comma > semi ? ',' : ';';
}

function toAsyncIterable(source: CsvSource): AsyncIterable<Buffer | string> {
  if (typeof source === 'string' || Buffer.isBuffer(source)) return Readable.from([source]);
  return source;
}

/**
 * Opens a CSV source: reads just enough to check that it is text and to see the header, then
 * hands out the records as a stream. The source is consumed once.
 */
export async function openCsv(source: CsvSource, opts: OpenCsvOptions = {}): Promise<CsvFile> {
  const maxHeader = opts.maxHeaderBytes ?? 64 * 1024;
  const iterator = toAsyncIterable(source)[Symbol.asyncIterator]();
  let bytes = 0;
  let head: Buffer = Buffer.alloc(0);
  let done = false;

  // Read until the first line is complete (or the source ends).
  while (!done && head.indexOf(0x0a) === -1 && head.length <= maxHeader) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    bytes += chunk.length;
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
  }

  const binary = notCsv(head);
  if (binary) {
    await iterator.return?.();
    throw new CsvError(binary);
  }
  const encoding = isUtf8(head) ? 'utf-8' : 'windows-1252';
  const newline = head.indexOf(0x0a);
  if (newline === -1 && !done) {
    await iterator.return?.();
    throw new CsvError(`Filen är inte en CSV-fil: den första raden är längre än ${maxHeader} byte.`, 1);
  }
  const firstLineBytes = newline === -1 ? head : head.subarray(0, newline);
  const firstLine = new TextDecoder(encoding).decode(firstLineBytes).replace(/^\uFEFF/, '').replace(/\r$/, '');
  if (firstLine.trim() === '') {
    await iterator.return?.();
    throw new CsvError('Filen är tom eller saknar rubrikrad.', 1);
  }
  const separator = sniffSeparator(firstLine);

  let consumed = false;
  let columns: string[] = [];
  let headerRead: Promise<void> | null = null;

  // The header is parsed by the same parser as the records, so quoting rules are identical.
  const parser = parse({
    delimiter: separator,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
  });

  const decoder = encoding === 'windows-1252' ? new TextDecoder('windows-1252') : null;
  const feed = async function* (): AsyncGenerator<Buffer | string> {
    // csv-parse counts a CRLF inside a quoted value as two lines; with LF only, its line numbers are exact.
    let carryCr = false;
    const normalise = (chunk: Buffer): Buffer => {
      let buf = carryCr ? Buffer.concat([Buffer.from([0x0d]), chunk]) : chunk;
      carryCr = buf.length > 0 && buf[buf.length - 1] === 0x0d;
      if (carryCr) buf = buf.subarray(0, buf.length - 1);
      if (buf.indexOf(0x0d) === -1) return buf;
      const out = Buffer.allocUnsafe(buf.length);
      let n = 0;
      for (let i = 0; i < buf.length; i++) {
        const b = buf[i]!;
        if (b === 0x0d && buf[i + 1] === 0x0a) continue;
        out[n++] = b;
      }
      return out.subarray(0, n);
    };
    const emit = (b: Buffer): Buffer | string => (decoder ? decoder.decode(b) : b);
    if (head.length) yield emit(normalise(head));
    while (!done) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
      bytes += chunk.length;
      yield emit(normalise(chunk));
    }
    if (carryCr) yield emit(Buffer.from([0x0d]));
  };

  const input = Readable.from(feed(), { objectMode: false });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  const parsed = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;

  const wrapParserError = (err: unknown): Error => {
    if (err instanceof CsvError) return err;
    const e = err as ParserError & { lines?: number };
    if (typeof e?.code === 'string' && e.code.startsWith('CSV_')) {
      const reason =
        e.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'ett citattecken (") öppnas men stängs aldrig'
          : e.code === 'CSV_INVALID_CLOSING_QUOTE'
            ? 'ett citattecken (") står mitt i ett värde; omge hela värdet med citattecken'
            : `filen kan inte läsas som CSV (${e.message})`;
      return new CsvError(reason, typeof e.lines === 'number' ? e.lines : null);
    }
    return err as Error;
  };

  headerRead = (async () => {
    let first: IteratorResult<{ record: string[]; info: { lines: number } }>;
    try {
      first = await parsed.next();
    } catch (err) {
      throw wrapParserError(err);
    }
    if (first.done) throw new CsvError('Filen är tom eller saknar rubrikrad.', 1);
    columns = first.value.record.map((c) => c.replace(/^\uFEFF/, '').trim().toLowerCase());
    const seen = new Map<string, number>();
    columns.forEach((c, i) => {
      if (c === '') throw new CsvError(`rubrikraden har en tom kolumn (kolumn nummer ${i + 1}).`, 1);
      if (seen.has(c)) throw new CsvError(`kolumnen ${c} finns två gånger i rubrikraden.`, 1, c);
      seen.set(c, i);
    });
  })();
  await headerRead;
  const index = new Map(columns.map((c, i) => [c, i] as const));

  return {
    columns,
    separator,
    encoding,
    indexOf: (column) => index.get(column.toLowerCase()) ?? -1,
    bytesRead: () => bytes,
    records: () => {
      if (consumed) throw new Error('The records of a CSV file can be read only once.');
      consumed = true;
      const width = columns.length;
      return {
        [Symbol.asyncIterator]: () => ({
          async next(): Promise<IteratorResult<CsvRecord>> {
            let r: IteratorResult<{ record: string[]; info: { lines: number } }>;
            try {
              r = await parsed.next();
            } catch (err) {
              throw wrapParserError(err);
            }
            if (r.done) return { done: true, value: undefined };
            const fields = r.value.record;
            let inner = 0;
            for (const f of fields) {
              if (f.indexOf('\n') === -1) continue;
              for (let i = 0; i < f.length; i++) if (f.charCodeAt(i) === 10) inner++;
            }
            const line = r.value.info.lines - inner;
            if (fields.length > width) {
              // Trailing empty cells (a spreadsheet's stray separators) are harmless.
              const extra = fields.slice(width);
              if (extra.some((f) => f !== ''))
                throw new CsvError(`raden har ${fields.length} värden men rubrikraden har ${width} kolumner.`, line);
              fields.length = width;
            }
            while (fields.length < width) fields.push('');
            return { done: false, value: { line, fields } };
          },
          async return(): Promise<IteratorResult<CsvRecord>> {
            parser.destroy();
            input.destroy();
            await iterator.return?.();
            return { done: true, value: undefined };
          },
        }),
      };
    },
  };
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A number as Swedish spreadsheets write it: "12,5", "1 234,5" (space, no-break or thin space
 * between thousands), "-0,3", and also "12.5". With both "." and "," the last one is the decimal
 * mark ("1.234,5" and "1,234.5"). Anything else, including "" and "NaN", gives null.
 */
export function parseDecimalSv(text: string): number | null {
  let s = text.trim().replace(/[\s\u00a0\u202f]/g, '').replace(/^\u2212/, '-');
  if (s === '') return null;
  const comma = s.lastIndexOf(',');
  const dot = s.lastIndexOf('.');
  if (comma !== -1 && dot !== -1) {
    s = comma > dot ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  } else if (comma !== -1) {
    if (s.indexOf(',') !== comma) return null;
    s = s.replace(',', '.');
  }
  if (!DECIMAL.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Header columns that are required but absent; the caller decides how to word the error. */
export function missingColumns(file: Pick<CsvFile, 'indexOf'>, required: readonly string[]): string[] {
  return required.filter((c) => file.indexOf(c) === -1);
}
