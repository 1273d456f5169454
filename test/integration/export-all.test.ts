import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveRefusedError } from '../../src/features/archive/archive-errors.js';
import { EXPORT_POLICY, exportAll, type ManifestFile } from '../../src/features/archive/export-all.js';
import { targets, type TestDatabase } from '../support/databases.js';
import { readPdf } from '../support/pdf.js';
import { dumpAll, fillDatabase, loften, tableNames, type Secrets } from '../support/archive.js';

const BASE = 'https://loften.example.se';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

for (const target of targets) {
  describe.skipIf(target.skip)(`loften export --all on ${target.name}`, () => {
    let work: string;
    let out: string;
    let source: TestDatabase;
    let secrets: Secrets;
    let dump: Record<string, Record<string, unknown>[]>;
    let manifest: { files: ManifestFile[]; excluded: { table: string; why: string }[]; omittedColumns: Record<string, string[]>; migrations: string[] };
    let cli: { code: number | null; stdout: string; stderr: string };

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'loften-export-'));
      out = join(work, 'arkiv');
      source = await target.open();
      secrets = await fillDatabase(source.db);
      dump = await dumpAll(source.db);
      cli = await loften(['export', '--all', out], { DATABASE_URL: source.url, PUBLIC_BASE_URL: BASE });
      manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    }, 180_000);
    afterAll(async () => {
      await source?.dispose();
      rmSync(work, { recursive: true, force: true });
    });

    it('the real CLI exports and says what it wrote in one line', () => {
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      expect(cli.stdout).toMatch(/^Exporterade \d+ tabeller \(\d+ rader\) och \d+ PDF:er till .*sha256sum -c SHA256SUMS.*\n$/);
    });

    it('every table of the schema is classified: exported or left out with a reason', async () => {
      expect(Object.keys(EXPORT_POLICY).sort()).toEqual(await tableNames(source.db));
    });

    it('every file is in the manifest with its size and SHA-256, and SHA256SUMS passes sha256sum -c', () => {
      const files = walk(out).map((f) => relative(out, f)).sort();
      expect(files).toEqual([...manifest.files.map((f) => f.file), 'manifest.json', 'SHA256SUMS'].sort());
      for (const f of manifest.files) {
        const bytes = readFileSync(join(out, f.file));
        expect(bytes.length, f.file).toBe(f.bytes);
        expect(createHash('sha256').update(bytes).digest('hex'), f.file).toBe(f.sha256);
      }
      const check = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out }).toString();
      expect(check.trim().split('\n')).toHaveLength(manifest.files.length + 1);
      expect(check).not.toMatch(/FAILED/);
    });

    it('each exported table has a JSON file with exactly the rows of the database, and a CSV with as many', () => {
      for (const [table, policy] of Object.entries(EXPORT_POLICY)) {
        const files = manifest.files.filter((f) => f.table === table);
        if (!policy.export) {
          expect(files, table).toEqual([]);
          expect(manifest.excluded.map((e) => e.table)).toContain(table);
          continue;
        }
        const expected = dump[table]!.map((r) => Object.fromEntries(Object.entries(r).filter(([c]) => !(policy.omit ?? []).includes(c))));
        const json = JSON.parse(readFileSync(join(out, `tables/${table}.json`), 'utf8'));
        const sorted = (rows: Record<string, unknown>[]) =>
          rows.map((r) => Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]))).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
        expect(sorted(json.rows), table).toEqual(sorted(expected));
        for (const c of policy.omit ?? []) expect(json.columns, table).not.toContain(c);
        const csv = parse(readFileSync(join(out, `tables/${table}.csv`)), { bom: true, delimiter: ';' }) as string[][];
        expect(csv[0], table).toEqual(json.columns);
        expect(csv.length - 1, table).toBe(dump[table]!.length);
        expect(files.map((f) => f.rows)).toEqual([dump[table]!.length, dump[table]!.length]);
      }
    });

    it('has the PDF of every signed version and of every follow-up report, and each one reads as a PDF', async () => {
      const versions = manifest.files.filter((f) => f.kind === 'signed-version-pdf');
      const reports = manifest.files.filter((f) => f.kind === 'follow-up-report-pdf');
      expect(versions.length).toBe(dump.pledge_version!.filter((v) => v.state === 'signed' || v.state === 'superseded').length);
      expect(versions.length).toBeGreaterThan(0);
      expect(reports.length).toBe(dump.follow_up_report!.length);
      expect(reports.length).toBeGreaterThan(0);
      for (const f of [...versions, ...reports]) {
        const pdf = await readPdf(readFileSync(join(out, f.file)));
        expect(pdf.pages.length, f.file).toBeGreaterThan(0);
        expect(pdf.flat, f.file).toContain(BASE.replace('https://', ''));
      }
    });

    it('holds no secret: no password, password hash, session token or id, SSO client secret', () => {
      for (const file of walk(out)) {
        const text = readFileSync(file).toString('latin1');
        for (const [name, secret] of Object.entries(secrets)) expect(text.includes(secret), `${name} in ${relative(out, file)}`).toBe(false);
      }
    });

    it('fills an existing empty directory, leaving nothing beside it', async () => {
      const empty = join(work, 'tom');
      mkdirSync(empty);
      const summary = await exportAll(source, empty, { publicBaseUrl: BASE });
      expect(readdirSync(empty).sort()).toEqual(['SHA256SUMS', 'manifest.json', 'pdf', 'tables']);
      expect(summary.files).toBe(walk(empty).length);
      expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });

    it('refuses a directory that is not empty, and writes nothing into it', async () => {
      const full = join(work, 'full');
      mkdirSync(full);
      writeFileSync(join(full, 'annat.txt'), 'något annat');
      await expect(exportAll(source, full, { publicBaseUrl: BASE })).rejects.toThrow(ArchiveRefusedError);
      expect(readdirSync(full)).toEqual(['annat.txt']);
      const r = await loften(['export', '--all', full], { DATABASE_URL: source.url });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^loften: Katalogen .* är inte tom\..*\n$/);
      expect(statSync(join(full, 'annat.txt')).size).toBeGreaterThan(0);
    });
  });
}
