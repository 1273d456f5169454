import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvError, missingColumns, openCsv, parseDecimalSv, sniffSeparator, type CsvRecord, type CsvSource } from '../../src/platform/csv.js';

async function readAll(source: CsvSource) {
  const file = await openCsv(source);
  const records: CsvRecord[] = [];
  for await (const r of file.records()) records.push(r);
  return { file, records };
}

async function failure(source: CsvSource): Promise<CsvError> {
  try {
    await readAll(source);
  } catch (err) {
    if (err instanceof CsvError) return err;
    throw err;
  }
  throw new Error('expected a CsvError');
}

/** A source that hands out the bytes in chunks of `size`, cutting through lines and characters. */
function chunked(text: string | Buffer, size: number): Readable {
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe('openCsv', () => {
  it('reads a Swedish Excel export: BOM, semicolons, CRLF, decimal commas in plain cells', async () => {
    const { file, records } = await readAll('\uFEFFSite_Code ; Sample_Date;Värde\r\nA1;2023-05-02;12,5\r\nA2;2023-05-03;0,4\r\n');
    expect(file.separator).toBe(';');
    expect(file.columns).toEqual(['site_code', 'sample_date', 'värde']);
    expect(file.indexOf('VÄRDE')).toBe(2);
    expect(file.indexOf('nope')).toBe(-1);
    expect(records).toEqual([
      { line: 2, fields: ['A1', '2023-05-02', '12,5'] },
      { line: 3, fields: ['A2', '2023-05-03', '0,4'] },
    ]);
  });

  it('sniffs a comma separator from the header, with quoted decimal commas in the data', async () => {
    const { file, records } = await readAll('a,b,c\nx,"1,5",y\n');
    expect(file.separator).toBe(',');
    expect(records[0]!.fields).toEqual(['x', '1,5', 'y']);
  });

  it('refuses a quote that opens after a space with a CsvError naming the line (it escaped as a plain Error)', async () => {
    const err = await readAll('a;b\n1;2\n3; "fyra"\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsvError);
    expect((err as CsvError).line).toBe(3);
    expect((err as CsvError).message).toMatch(/^rad 3: ett värde börjar med något annat än citattecknet/);
  });

  it('gives each record the line it starts on, past blank lines and line breaks inside quotes', async () => {
    const { records } = await readAll('a;b\r\n1;"två\r\nrader"\r\n\r\n3;4\r\n   \r\n5;6');
    expect(records.map((r) => r.line)).toEqual([2, 5, 7]);
    expect(records[0]!.fields[1]).toBe('två\nrader');
  });

  it('keeps line numbers and multi-byte letters right when chunks cut through them', async () => {
    const lines = ['kod;namn', ...Array.from({ length: 300 }, (_, i) => `${i};Åkers styckebruk ${i}`)];
    const { records } = await readAll(chunked(lines.join('\r\n') + '\r\n', 7));
    expect(records).toHaveLength(300);
    expect(records[299]).toEqual({ line: 301, fields: ['299', 'Åkers styckebruk 299'] });
  });

  it('reads Windows-1252 (older Excel "CSV") as well as UTF-8', async () => {
    const latin1 = Buffer.from([...Buffer.from('namn;ort\n'), 0x53, 0xe4, 0x76, 0x65, 0x3b, 0xd6, 0x72, 0x65, 0x0a]);
    const { file, records } = await readAll(latin1);
    expect(file.encoding).toBe('windows-1252');
    expect(records[0]!.fields).toEqual(['Säve', 'Öre']);
  });

  it('pads a short row and ignores trailing empty cells, but refuses a row with extra values', async () => {
    const { records } = await readAll('a;b;c\n1;2\n1;2;3;;\n');
    expect(records.map((r) => r.fields)).toEqual([
      ['1', '2', ''],
      ['1', '2', '3'],
    ]);
    const err = await failure('a;b\n1;2\n1;2;3\n');
    expect(err.line).toBe(3);
    expect(err.message).toBe('rad 3: raden har 3 värden men rubrikraden har 2 kolumner.');
  });

  it('names the line of an unclosed quote', async () => {
    const err = await failure('a;b\n1;2\n3;"fyra\n5;6\n');
    expect(err.message).toMatch(/^rad \d+: ett citattecken \(\"\) öppnas men stängs aldrig$/);
  });

  it('refuses files that are not CSV, saying what they look like', async () => {
    const xlsx = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
    expect((await failure(xlsx)).message).toMatch(/^Filen är inte en CSV-fil, den ser ut att vara en Excel-fil \(\.xlsx\)/);
    expect((await failure(Buffer.from('%PDF-1.7\n...'))).message).toMatch(/PDF-fil/);
    const utf16 = Buffer.from('\uFEFFa;b\n1;2\n', 'utf16le');
    expect((await failure(utf16)).message).toMatch(/binära data/);
    expect((await failure('')).message).toBe('rad 1: Filen är tom eller saknar rubrikrad.');
    expect((await failure('\n\n')).message).toBe('rad 1: Filen är tom eller saknar rubrikrad.');
  });

  it('refuses a first line that never ends (a binary or one-line blob)', async () => {
    const file = openCsv(chunked('x'.repeat(70 * 1024) + '\n1', 4096));
    await expect(file).rejects.toThrow(/den första raden är längre än/);
  });

  it('refuses a header with an empty or repeated column name', async () => {
    expect((await failure('a;;b\n')).message).toBe('rad 1: rubrikraden har en tom kolumn (kolumn nummer 2).');
    expect((await failure('a;B;b\n')).message).toBe('rad 1, kolumn b: kolumnen b finns två gånger i rubrikraden.');
  });

  it('reports required columns that are missing', async () => {
    const file = await openCsv('site_code;flow\n');
    expect(missingColumns(file, ['site_code', 'sample_date', 'flow'])).toEqual(['sample_date']);
  });

  it('streams: a large file is read record by record and can be abandoned part way', async () => {
    let produced = 0;
    async function* rows() {
      yield 'n;v\n';
      for (let i = 0; i < 1_000_000; i++) {
        produced++;
        yield `${i};${i},5\n`;
      }
    }
    const file = await openCsv(rows());
    let seen = 0;
    for await (const r of file.records()) {
      seen++;
      if (r.line === 1001) break;
    }
    expect(seen).toBe(1000);
    // Only what the parser's buffers hold was read ahead, not the whole source.
    expect(produced).toBeLessThan(200_000);
    expect(file.bytesRead()).toBeGreaterThan(0);
  });
});

describe('sniffSeparator', () => {
  it('counts separators outside quotes and prefers ; on a tie', () => {
    expect(sniffSeparator('a;b;c')).toBe(';');
    expect(sniffSeparator('a,b,c')).toBe(',');
    expect(sniffSeparator('"x;y;z",b,c')).toBe(',');
    expect(sniffSeparator('ensam')).toBe(';');
  });
});

describe('parseDecimalSv', () => {
  it('reads decimal commas and points, signs, exponents and thousands separators', () => {
    expect(parseDecimalSv('12,5')).toBe(12.5);
    expect(parseDecimalSv(' 12.5 ')).toBe(12.5);
    expect(parseDecimalSv('-0,3')).toBe(-0.3);
    expect(parseDecimalSv('\u22120,3')).toBe(-0.3);
    expect(parseDecimalSv('1 234,5')).toBe(1234.5);
    expect(parseDecimalSv('1\u00a0234,5')).toBe(1234.5);
    expect(parseDecimalSv('1.234,5')).toBe(1234.5);
    expect(parseDecimalSv('1,234.5')).toBe(1234.5);
    expect(parseDecimalSv(',5')).toBe(0.5);
    expect(parseDecimalSv('2,5e3')).toBe(2500);
    expect(parseDecimalSv('42')).toBe(42);
  });

  it('gives null for anything that is not one number', () => {
    for (const s of ['', '  ', 'abc', '1,2,3', '1.2.3', '12 mg', 'NaN', 'Infinity', '0x10', '<0,5', '--1']) expect(parseDecimalSv(s)).toBeNull();
  });
});
