import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { CsvError, openCsv, parseDecimalSv, type CsvRecord } from '../../src/platform/csv.js';
import { mapColumns, parseLabRecord } from '../../src/features/wastewater/lab-file.js';
import { LAB_NAME, SUBSTANCES } from '../../src/features/wastewater/substances.js';
import { ImportRefusedError, parseKoladaJson } from '../../src/features/indicators/indicator-import.js';
import { readIndicatorCsv } from '../../src/features/indicators/indicator-csv.js';
import { fuzzOptions } from '../support/fuzz.js';

/**
 * Property-based fuzzing of the import parsers (fast-check): whatever a file holds, a parser either
 * parses it or refuses with our typed error naming the row (and the column where one is to blame),
 * never a TypeError or a hang; and well-formed generated files come back as they went in.
 * Seeded: the seed is printed, FUZZ_SEED=<n> replays it.
 */
const opts = fuzzOptions('import parsers');

/** Reads every record; returns them, or the error the reader threw. */
async function readAll(source: string | Buffer): Promise<{ columns: string[]; records: CsvRecord[] } | Error> {
  try {
    const file = await openCsv(source);
    const records: CsvRecord[] = [];
    for await (const r of file.records()) records.push(r);
    return { columns: file.columns, records };
  } catch (err) {
    return err as Error;
  }
}

/** Our refusal, with a line when it is about a place in the file. */
function expectCsvError(err: Error, lines: number) {
  expect(err, `${err.name}: ${err.message}`).toBeInstanceOf(CsvError);
  const e = err as CsvError;
  expect(e.reason.length).toBeGreaterThan(0);
  if (e.line !== null) expect(e.line).toBeGreaterThanOrEqual(1);
  if (e.line !== null) expect(e.line).toBeLessThanOrEqual(lines + 1);
}

const nasty = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '"', '""', '"a', 'a"b', ';', ',', '\r', '\n', '\r\n', '\uFEFF', '\u0000', '<', '<LOQ', '<0', 'NaN', '-0', '1e400', '1,2,3', '1.234,5', '−3', '12 345,5', '2023-02-30', '2023-13-01', '0000-01-01', '__proto__', 'constructor', '=cmd|"/c calc"!A1', 'ja', 'nej'),
);
/** Text that looks like CSV: separators, quotes and line breaks far more often than in random text. */
const csvish = fc.array(fc.oneof(nasty, fc.constantFrom(';', ',', '"', '\n', '\r\n', 'a', '1')), { maxLength: 80 }).map((parts) => parts.join(''));
/** Header names: distinct, lower-case, no blanks (the reader refuses those, as tested above). */
const header = fc.uniqueArray(fc.stringMatching(/^[a-zåäö][a-zåäö0-9_]{0,11}$/), { minLength: 1, maxLength: 6 });
/** A cell as a person types it: no surrounding blanks (the reader trims), anything inside, quotes and line breaks included. */
const cell = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('a;b', 'a,b', 'sa "citat"', 'rad 1\nrad 2', 'x\r\ny', 'Malmö', 'ÅÄÖ åäö', '12,5')).map((s) => s.trim());

describe('the CSV reader (platform/csv.ts)', () => {
  it('reads or refuses with a CsvError for any text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(csvish, fc.string({ unit: 'binary', maxLength: 300 })), async (text) => {
        const out = await readAll(text);
        if (out instanceof Error) expectCsvError(out, text.split('\n').length);
        else for (const r of out.records) expect(r.fields).toHaveLength(out.columns.length);
      }),
      opts(300),
    );
  });

  it('reads or refuses with a CsvError for any bytes, Windows-1252 and binary included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        const out = await readAll(Buffer.from(bytes));
        if (out instanceof Error) expectCsvError(out, bytes.filter((b) => b === 10).length + 1);
      }),
      opts(300),
    );
  });

  it('gives back what a spreadsheet wrote: any separator, line ending, BOM and quoting, with the line each record starts on', async () => {
    await fc.assert(
      fc.asyncProperty(
        header.chain((cols) => fc.tuple(fc.constant(cols), fc.array(fc.array(cell, { minLength: cols.length, maxLength: cols.length }).filter((r) => r.some((c) => c !== '')), { maxLength: 12 }))),
        fc.constantFrom(';', ','),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        async ([cols, rows], delimiter, eol, bom) => {
          const text = (bom ? '\uFEFF' : '') + stringify([cols, ...rows], { delimiter, record_delimiter: eol === '\n' ? 'unix' : 'windows', quoted_match: /[\s\S]/ });
          const out = await readAll(text);
          if (out instanceof Error) throw out;
          expect(out.columns).toEqual(cols);
          // A cell's own line breaks count: the next record starts that many lines further down.
          let line = 2;
          const expected = rows.map((r) => {
            const e = { line, fields: r.map((c) => c.replace(/\r\n/g, '\n')) };
            line += 1 + r.reduce((n, c) => n + (c.replace(/\r\n/g, '\n').match(/\n/g)?.length ?? 0), 0);
            return e;
          });
          expect(out.records.map((r) => ({ line: r.line, fields: r.fields.map((c) => c.replace(/\r\n/g, '\n')) }))).toEqual(expected);
        },
      ),
      opts(200),
    );
  });

  it('reads a Swedish decimal back as the number it was written from', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 6 }), (n, digits) => {
        const text = n.toFixed(digits).replace('.', ',');
        expect(parseDecimalSv(text)).toBeCloseTo(Number(n.toFixed(digits)), digits);
      }),
      opts(500),
    );
    fc.assert(
      fc.property(nasty, (text) => {
        const n = parseDecimalSv(text);
        expect(n === null || Number.isFinite(n)).toBe(true);
      }),
      opts(500),
    );
  });
});

describe('the wastewater lab file (features/wastewater/lab-file.ts)', () => {
  const COLUMNS = ['site_code', 'district', 'population', 'sample_date', 'flow_m3_per_day', 'substance', 'concentration_ng_per_l', 'loq_ng_per_l', 'below_loq', 'unit'];
  const map = mapColumns(COLUMNS);
  const swedish = (n: number, digits: number) => n.toFixed(digits).replace('.', ',');

  it('maps any header to columns or refuses it with a CsvError on line 1', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(nasty, fc.constantFrom(...COLUMNS, 'Concentration (µg/m³)', 'Flow (l/d)', 'SITE CODE')), { maxLength: 12 }), (cols) => {
        try {
          const m = mapColumns(cols);
          for (const i of Object.values(m.index)) expect(i).toBeLessThan(cols.length);
        } catch (err) {
          expect(err).toBeInstanceOf(CsvError);
          expect((err as CsvError).line).toBe(1);
          expect((err as CsvError).column).not.toBeNull();
        }
      }),
      opts(300),
    );
  });

  it('parses any row or refuses it naming its line and column', () => {
    const value = fc.oneof(nasty, fc.constantFrom('AB1', '2023-05-02', '1500', '300', '5', '<LOQ', '<0,5', 'amfetamin', 'MDMA', 'ng/L', 'µg/m³', '1', '0', 'true'));
    fc.assert(
      fc.property(fc.array(value, { minLength: COLUMNS.length, maxLength: COLUMNS.length }), fc.integer({ min: 2, max: 1_000_000 }), (fields, line) => {
        try {
          const row = parseLabRecord({ line, fields }, map);
          expect(row.line).toBe(line);
          expect(row.flow).toBeGreaterThan(0);
          expect(Number.isFinite(row.flow)).toBe(true);
          expect(row.concentration === null || (Number.isFinite(row.concentration) && row.concentration >= 0)).toBe(true);
          expect(row.sampleDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(CsvError);
          expect((err as CsvError).line).toBe(line);
          expect(COLUMNS).toContain((err as CsvError).column);
        }
      }),
      opts(1000),
    );
  });

  it('gives back every field of a well-formed row', () => {
    const row = fc.record({
      site: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/),
      district: fc.stringMatching(/^[A-Za-zÅÄÖåäö][A-Za-zÅÄÖåäö -]{0,30}[A-Za-zÅÄÖåäö]$/),
      population: fc.integer({ min: 1, max: 2_000_000 }),
      date: fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      flow: fc.double({ min: 0.01, max: 1e7, noNaN: true }),
      substance: fc.constantFrom(...SUBSTANCES),
      concentration: fc.double({ min: 0, max: 1e6, noNaN: true }),
      loq: fc.double({ min: 0.01, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(row, (r) => {
        const fields = [r.site, r.district, String(r.population), r.date, swedish(r.flow, 3), LAB_NAME[r.substance], swedish(r.concentration, 2), swedish(r.loq, 2), '', 'ng/L'];
        const parsed = parseLabRecord({ line: 7, fields }, map);
        expect(parsed).toEqual({
          line: 7,
          siteCode: r.site,
          district: r.district,
          population: r.population,
          sampleDate: r.date,
          flow: Number(r.flow.toFixed(3)),
          substance: r.substance,
          concentration: Number(r.concentration.toFixed(2)),
          loq: Number(r.loq.toFixed(2)),
          belowLoq: Number(r.concentration.toFixed(2)) < Number(r.loq.toFixed(2)),
        });
      }),
      opts(500),
    );
  });
});

describe('the indicator imports (features/indicators/)', () => {
  /** A refusal names where: a row, an entry, or the file. */
  function expectRefusal(err: unknown) {
    expect(err, String(err)).toBeInstanceOf(ImportRefusedError);
    const issues = (err as ImportRefusedError).issues;
    expect(issues.length).toBeGreaterThan(0);
    for (const i of issues) expect(i.ref).toMatch(/^(rad \d+|post \d+(, värde \d+)?|filen)$/);
  }

  it('parses any text as Kolada JSON or refuses it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.json({ maxDepth: 4 })), (text) => {
        try {
          parseKoladaJson(text);
        } catch (err) {
          expectRefusal(err);
        }
      }),
      opts(500),
    );
  });

  it('parses Kolada-shaped JSON with wrong parts, or refuses it naming the entry and field', () => {
    const junk = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('__proto__', 'N07540', 'U12345', '0486', 486, '2023', 2023, 'T', 'K', 'M', 'Missing', 'prel', null));
    const cell = fc.dictionary(fc.constantFrom('gender', 'status', 'value', '__proto__', 'count'), junk, { maxKeys: 4 });
    const entry = fc.oneof(fc.dictionary(fc.constantFrom('kpi', 'municipality', 'period', 'values', '__proto__'), fc.oneof(junk, fc.array(cell, { maxLength: 4 })), { maxKeys: 5 }), junk);
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (values) => {
        try {
          const file = parseKoladaJson(JSON.stringify({ values }));
          for (const r of file.rows) expect(r.value === null || Number.isFinite(r.value)).toBe(true);
        } catch (err) {
          expectRefusal(err);
        }
      }),
      opts(500),
    );
  });

  it('gives back every figure of well-formed Kolada JSON', () => {
    const value = fc.record({ gender: fc.constantFrom('T', 'K', 'M'), value: fc.double({ min: -1e6, max: 1e6, noNaN: true }), status: fc.constantFrom('', 'Final', 'prel') });
    const entry = fc.record({ kpi: fc.stringMatching(/^[NU]\d{5}$/), municipality: fc.constant('0486'), period: fc.integer({ min: 1990, max: 2100 }), values: fc.uniqueArray(value, { minLength: 1, maxLength: 3, selector: (v) => v.gender }) });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (values) => {
        const file = parseKoladaJson(JSON.stringify({ values }));
        expect(file.rows.map((r) => [r.key, r.period, r.gender, r.value, r.status])).toEqual(
          values.flatMap((e) => e.values.map((v) => [e.kpi, String(e.period), v.gender, v.value, v.status === 'prel' ? 'preliminary' : 'final'])),
        );
        expect([...file.municipalities.keys()]).toEqual(['0486']);
      }),
      opts(300),
    );
  });

  it('reads any text as the indicator CSV or refuses it naming the row', async () => {
    const lines = fc.array(fc.array(fc.oneof(nasty, fc.constantFrom('N07540', 'can-vill-prova', '2023', '2023-05', '13,5', 'T', 'final', 'saknas', 'sekretess')), { maxLength: 6 }).map((c) => c.join(';')), { maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(csvish, lines.map((l) => ['indicator;period;value;gender;status', ...l].join('\n'))), async (text) => {
        try {
          await readIndicatorCsv(text);
        } catch (err) {
          expectRefusal(err);
        }
      }),
      opts(300),
    );
  });

  it('gives back every figure of a well-formed indicator CSV', async () => {
    const row = fc.record({
      key: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,20}$/),
      period: fc.oneof(fc.integer({ min: 1990, max: 2100 }).map(String), fc.tuple(fc.integer({ min: 1990, max: 2100 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`)),
      // `|| 0`: a file cannot tell -0 from 0.
      value: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((n) => Number(n.toFixed(2)) || 0),
      gender: fc.constantFrom('T', 'K', 'M'),
      status: fc.constantFrom('final', 'preliminary'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 10 }), fc.constantFrom(';', ','), async (rows, sep) => {
        const text = stringify([['indicator', 'period', 'value', 'gender', 'status'], ...rows.map((r) => [r.key, r.period, sep === ';' ? String(r.value).replace('.', ',') : String(r.value), r.gender, r.status])], { delimiter: sep });
        const parsed = await readIndicatorCsv(text);
        expect(parsed.map((r) => ({ ref: r.ref, key: r.key, period: r.period, value: r.value, gender: r.gender, status: r.status }))).toEqual(rows.map((r, i) => ({ ref: `rad ${i + 2}`, ...r })));
      }),
      opts(200),
    );
  });
});
