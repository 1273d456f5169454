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
  /** The same records in the arrays the parser produced them in (one per chunk read): cheaper for large files. */
  batches(): AsyncIterable<CsvRecord[]>;
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

  // csv-parse's own incremental parser, fed chunk by chunk: the same parsing as its stream, but
  // records arrive in plain arrays instead of one stream event and one promise each, which was
  // most of the cost of reading a large file. parser.api is a public property of the Parser
  // class in csv-parse 6 (pinned); the check below fails loudly should an upgrade remove it.
  const api = (parse({ delimiter: separator, bom: true, relax_column_count: true, skip_empty_lines: true }) as unknown as { api?: ParserApi }).api;
  if (!api || typeof api.parse !== 'function' || typeof api.info?.lines !== 'number') throw new Error('csv-parse no longer exposes parser.api; see src/platform/csv.ts');

  const decoder = encoding === 'windows-1252' ? new TextDecoder('windows-1252') : null;
  // csv-parse counts a CRLF inside a quoted value as two lines; with LF only, its line numbers are exact.
  let carryCr = false;
  const normalise = (chunk: Buffer): Buffer => {
    let buf = carryCr ? Buffer.concat([CR, chunk]) : chunk;
    carryCr = buf.length > 0 && buf[buf.length - 1] === 0x0d;
    if (carryCr) buf = buf.subarray(0, buf.length - 1);
    if (buf.indexOf(0x0d) !== -1) {
      const out = Buffer.allocUnsafe(buf.length);
      let n = 0;
      for (let i = 0; i < buf.length; i++) {
        const b = buf[i]!;
        if (b === 0x0d && buf[i + 1] === 0x0a) continue;
        out[n++] = b;
      }
      buf = out.subarray(0, n);
    }
    return decoder ? Buffer.from(decoder.decode(buf), 'utf8') : buf;
  };

  let columns: string[] | null = null;
  let width = 0;
  let pending: CsvRecord[] = [];
  let failure: Error | null = null;
  // Whether a quote has been seen: only a quoted value can hold a line break, so until then no
  // field needs scanning for one.
  let quotes = false;
  const push = (fields: string[]) => {
    if (failure) return;
    let inner = 0;
    let blank = true;
    for (let i = 0; i < fields.length; i++) {
      let f = fields[i]!;
      if (f.length > 0 && (f.charCodeAt(0) <= 32 || f.charCodeAt(f.length - 1) <= 32)) f = fields[i] = f.trim();
      if (f.length > 0) blank = false;
      if (quotes && f.indexOf('\n') !== -1) for (let j = 0; j < f.length; j++) if (f.charCodeAt(j) === 10) inner++;
    }
    const line = api.info.lines - inner;
    if (columns === null) {
      columns = fields.map((c) => c.replace(/^\uFEFF/, '').trim().toLowerCase());
      width = columns.length;
      return;
    }
    // A line of blanks only is an empty line, whatever the separators say.
    if (blank) return;
    if (fields.length > width) {
      // Trailing empty cells (a spreadsheet's stray separators) are harmless.
      for (let i = width; i < fields.length; i++) {
        if (fields[i] !== '') {
          failure = new CsvError(`raden har ${fields.length} värden men rubrikraden har ${width} kolumner.`, line);
          return;
        }
      }
      fields.length = width;
    }
    while (fields.length < width) fields.push('');
    pending.push({ line, fields });
  };
  let ended = false;
  const feed = (chunk: Buffer | undefined, end: boolean) => {
    if (ended) return;
    if (!quotes && chunk && chunk.indexOf(0x22) !== -1) quotes = true;
    ended = end;
    const err = api.parse(chunk, end, push, () => {});
    if (err) throw wrapParserError(err);
    if (failure) throw failure;
  };

  try {
    if (head.length) feed(normalise(head), false);
    while (columns === null && !done) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
      bytes += chunk.length;
      feed(normalise(chunk), false);
    }
    if (columns === null) {
      done = true;
      feed(carryCr ? CR : undefined, true);
      carryCr = false;
    }
  } catch (err) {
    await iterator.return?.();
    throw err;
  }
  if (columns === null) throw new CsvError('Filen är tom eller saknar rubrikrad.', 1);
  const header: string[] = columns;
  const seen = new Map<string, number>();
  header.forEach((c, i) => {
    if (c === '') throw new CsvError(`rubrikraden har en tom kolumn (kolumn nummer ${i + 1}).`, 1);
    if (seen.has(c)) throw new CsvError(`kolumnen ${c} finns två gånger i rubrikraden.`, 1, c);
    seen.set(c, i);
  });

  let consumed = false;
  const batches = async function* (): AsyncGenerator<CsvRecord[]> {
    if (consumed) throw new Error('The records of a CSV file can be read only once.');
    consumed = true;
    try {
      if (pending.length) {
        const first = pending;
        pending = [];
        yield first;
      }
      while (!done) {
        const next = await iterator.next();
        if (next.done) break;
        const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
        bytes += chunk.length;
        feed(normalise(chunk), false);
        if (pending.length) {
          const out = pending;
          pending = [];
          yield out;
        }
      }
      done = true;
      feed(carryCr ? CR : undefined, true);
      if (pending.length) {
        const out = pending;
        pending = [];
        yield out;
      }
    } finally {
      // Abandoned early (or failed): let the source close its file or socket.
      if (!done) {
        done = true;
        await iterator.return?.();
      }
    }
  };

  return {
    columns: header,
    separator,
    encoding,
    indexOf: (column) => seen.get(column.toLowerCase()) ?? -1,
    bytesRead: () => bytes,
    batches,
    records: () => ({
      async *[Symbol.asyncIterator]() {
        for await (const batch of batches()) yield* batch;
      },
    }),
  };
}

interface ParserApi {
  parse(chunk: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
  info: { lines: number };
}

const CR = Buffer.from([0x0d]);

function wrapParserError(err: unknown): Error {
  if (err instanceof CsvError) return err;
  const e = err as ParserError & { lines?: number };
  // csv-parse 6 names one of its codes without the CSV_ prefix (INVALID_OPENING_QUOTE, e.g. for
  // `a; "b"`): it escaped as a plain Error, a 500 on upload, until the parser fuzz test found it.
  if (typeof e?.code === 'string' && (e.code.startsWith('CSV_') || e.code === 'INVALID_OPENING_QUOTE')) {
    const reason =
      e.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'ett citattecken (") öppnas men stängs aldrig'
        : e.code === 'CSV_INVALID_CLOSING_QUOTE'
          ? 'ett citattecken (") står mitt i ett värde; omge hela värdet med citattecken'
          : e.code === 'INVALID_OPENING_QUOTE'
            ? 'ett värde börjar med något annat än citattecknet (") som omger det, t.ex. ett mellanslag; ta bort det eller omge hela värdet med citattecken'
            : `filen kan inte läsas som CSV (${e.message})`;
    return new CsvError(reason, typeof e.lines === 'number' ? e.lines : null);
  }
  return err as Error;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A number as Swedish spreadsheets write it: "12,5", "1 234,5" (space, no-break or thin space
 * between thousands), "-0,3", and also "12.5". With both "." and "," the last one is the decimal
 * mark ("1.234,5" and "1,234.5"). Anything else, including "" and "NaN", gives null.
 */
export function parseDecimalSv(text: string): number | null {
  // Fast path for the common case, digits with at most one decimal mark: a large import calls this millions of times.
  let mark = -1;
  let simple = text.length > 0 && text.length < 16;
  for (let i = 0; simple && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if ((c === 44 || c === 46) && mark === -1 && i > 0 && i < text.length - 1) mark = i;
    else if (!(c === 45 && i === 0 && text.length > 1)) simple = false;
  }
  if (simple) return Number(mark === -1 ? text : `${text.slice(0, mark)}.${text.slice(mark + 1)}`);
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
