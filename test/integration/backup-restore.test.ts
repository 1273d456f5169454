import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { migrationsFor } from '../../src/db/migrations/index.js';
import { ArchiveRefusedError, BackupFileError } from '../../src/features/archive/archive-errors.js';
import { backupDatabase } from '../../src/features/archive/backup.js';
import { restoreDatabase } from '../../src/features/archive/restore.js';
import { blankDatabase, targets, type TestDatabase } from '../support/databases.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { buildMunicipality, buildPledge, buildPoliceArea, pledgeInput } from '../support/factories.js';
import { dumpAll, fillDatabase, loften, migrationNames, tableNames, totalRows } from '../support/archive.js';

const LATEST = Object.keys(migrationsFor('sqlite'));

for (const target of targets) {
  describe.skipIf(target.skip)(`backup and restore on ${target.name}`, () => {
    let dir: string;
    let source: TestDatabase;
    let before: Record<string, Record<string, unknown>[]>;
    const blanks: { dispose(): Promise<void> }[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'loften-backup-'));
      source = await target.open();
      await fillDatabase(source.db);
      before = await dumpAll(source.db);
    });
    afterEach(async () => {
      for (const b of blanks.splice(0)) await b.dispose();
    });
    afterAll(async () => {
      await source?.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    async function blank() {
      const b = await blankDatabase(target.name);
      blanks.push(b);
      return b;
    }

    it('the filled database has rows in every record table, so the comparison means something', () => {
      for (const t of ['pledge_version', 'signature', 'activity_update', 'follow_up_meeting', 'follow_up_report', 'wastewater_measurement', 'indicator_value', 'audit_event', 'app_user', 'user_session', 'party_sso', 'wastewater_upload_chunk']) {
        expect(before[t]?.length, t).toBeGreaterThan(0);
      }
    });

    // PostgreSQL has only the logical kind; SQLite has both.
    it.each(target.name === 'sqlite' ? (['native', 'logical'] as const) : (['logical'] as const))('a %s backup restores into a brand-new database with every table equal, row by row', async (kind) => {
      const file = join(dir, `round-${kind}.bak`);
      const summary = await backupDatabase(source, file, { kind: kind === 'native' ? 'sqlite' : 'logical' });
      expect(summary.tables).toBe((await tableNames(source.db)).length);
      expect(summary.rows).toBe(await totalRows(source.db));
      expect(summary.bytes).toBe(statSync(file).size);

      const restored = await blank();
      const r = await restoreDatabase(restored, file);
      expect(r.rows).toBe(summary.rows);
      expect(await tableNames(restored.db)).toEqual(Object.keys(before).sort());
      expect(await dumpAll(restored.db)).toEqual(before);
      expect(await migrationNames(restored.db)).toEqual(LATEST);
    });

    it('restores into a database that was migrated but holds no rows', async () => {
      const file = join(dir, 'into-migrated.bak');
      await backupDatabase(source, file);
      const restored = await blank();
      await migrateToLatest(restored);
      await restoreDatabase(restored, file);
      expect(await dumpAll(restored.db)).toEqual(before);
    });

    it('an old backup restores into this version: the target is migrated to the backup first, then to the latest', async () => {
      const old = await blank();
      const { Migrator } = await import('kysely');
      const migrator = new Migrator({ db: old.db, provider: { getMigrations: async () => migrationsFor(old.dialect) } });
      await migrator.migrateTo('0003_signing');
      const { buildMunicipality } = await import('../support/factories.js');
      await buildMunicipality(old.db as never);
      const file = join(dir, 'old.bak');
      await backupDatabase(old, file, { kind: 'logical' });
      const restored = await blank();
      const r = await restoreDatabase(restored, file);
      expect(r.migratedAfter).toEqual(LATEST.slice(3));
      expect(await migrationNames(restored.db)).toEqual(LATEST);
      expect((await dumpAll(restored.db)).party).toEqual((await dumpAll(old.db)).party);
    });

    it('refuses a target that holds any row, and changes nothing in it', async () => {
      const file = join(dir, 'refuse.bak');
      await backupDatabase(source, file);
      const busy = await blank();
      await migrateToLatest(busy);
      await buildPledge(busy.db);
      const rows = await dumpAll(busy.db);
      await expect(restoreDatabase(busy, file)).rejects.toThrow(ArchiveRefusedError);
      await expect(restoreDatabase(busy, file)).rejects.toThrow(/inte tom/);
      expect(await dumpAll(busy.db)).toEqual(rows);
    });

    it('refuses a backup from a newer loften', async () => {
      const file = join(dir, 'newer.bak');
      await backupDatabase(source, file, { kind: 'logical' });
      const lines = gunzipSync(readFileSync(file)).toString().split('\n');
      const header = JSON.parse(lines[0]!);
      header.migrations.push('9999_from_the_future');
      lines[0] = JSON.stringify(header);
      writeFileSync(file, gzipSync(lines.join('\n')));
      const restored = await blank();
      await expect(restoreDatabase(restored, file)).rejects.toThrow(/nyare version av loften: migreringen 9999_from_the_future/);
      expect(await tableNames(restored.db)).toEqual([]);
    });

    describe('a damaged file gives a clear error and leaves the target empty', () => {
      const damages: [string, (file: string) => void, 'sqlite' | 'logical'][] = [
        ['a logical backup cut in the middle', (f) => truncateSync(f, Math.floor(statSync(f).size / 2)), 'logical'],
        ['a logical backup that ends cleanly before its last tables', (f) => {
          const lines = gunzipSync(readFileSync(f)).toString().split('\n');
          writeFileSync(f, gzipSync(lines.slice(0, Math.floor(lines.length * 0.8)).join('\n')));
        }, 'logical'],
        ['a logical backup with one row fewer than its table claims', (f) => {
          const lines = gunzipSync(readFileSync(f)).toString().split('\n');
          const i = lines.findIndex((l) => l.startsWith('{"end":') && !l.includes('"rows":0'));
          lines.splice(i - 1, 1);
          writeFileSync(f, gzipSync(lines.join('\n')));
        }, 'logical'],
        ['a SQLite backup cut in the middle', (f) => truncateSync(f, Math.floor(statSync(f).size / 2)), 'sqlite'],
        ['a file that is no backup at all', (f) => writeFileSync(f, 'id;namn\n1;Strängnäs\n'), 'logical'],
      ];
      it.each(damages.filter(([, , kind]) => kind === 'logical' || target.name === 'sqlite'))('%s', async (_, damage, kind) => {
        const file = join(dir, `damaged-${Math.random().toString(36).slice(2)}.bak`);
        await backupDatabase(source, file, { kind });
        damage(file);
        const restored = await blank();
        const error = await restoreDatabase(restored, file).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(BackupFileError);
        expect((error as Error).message).not.toContain('\n');
        expect(await totalRows(restored.db)).toBe(0);
        // Rolled back as a whole, migrations included: the target is as it was, never migrated.
        expect(await tableNames(restored.db)).toEqual([]);
      });
    });

    it('a backup taken by the real CLI while another process writes is consistent', { timeout: 120_000 }, async () => {
      const busy = await target.open();
      blanks.push(busy);
      let written = 0;
      const write = async () => {
        written++;
        const municipality = await buildMunicipality(busy.db, { municipalityCode: String(5000 + written) });
        const police = await buildPoliceArea(busy.db);
        // One transaction per pledge: a consistent snapshot has each one whole or not at all.
        await createPledge(busy.db, pledgeInput(municipality, police));
      };
      for (let i = 0; i < 5; i++) await write();
      const file = join(dir, 'while-writing.bak');
      const running = loften(['backup', file], { DATABASE_URL: busy.url });
      let done = false;
      void running.then(() => (done = true));
      while (!done && written < 900) {
        await write();
        await new Promise((r) => setTimeout(r, 5));
      }
      const r = await running;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Säkerhetskopia \[.*\] sparad i .*: \d+ tabeller, \d+ rader, \d+ byte, sha256 [0-9a-f]{64}\n$/);

      const restored = await blank();
      await restoreDatabase(restored, file);
      const dump = await dumpAll(restored.db);
      const pledges = dump.pledge!;
      for (const p of pledges) {
        const areas = dump.focus_area!.filter((f) => f.pledge_id === p.id);
        expect(areas.length, `focus areas of ${p.title}`).toBeGreaterThan(0);
        const commitments = dump.commitment!.filter((c) => areas.some((a) => a.id === c.focus_area_id));
        expect(commitments.length).toBeGreaterThan(0);
        expect(dump.activity!.filter((a) => commitments.some((c) => c.id === a.commitment_id)).length).toBeGreaterThan(0);
        expect(dump.signatory!.filter((s) => s.pledge_id === p.id).length).toBeGreaterThan(0);
      }
      // Foreign keys were checked on every insert of the restore.
      expect(pledges.length).toBeGreaterThanOrEqual(5);
      expect(written, 'pledges written while the backup ran').toBeGreaterThan(5);
      expect(pledges.length).toBeLessThanOrEqual(written);
    });

    it('the CLI refuses to overwrite a file without --force, and restore refuses a non-empty database, each in one line with exit 2', { timeout: 120_000 }, async () => {
      const file = join(dir, 'cli.bak');
      expect((await loften(['backup', file], { DATABASE_URL: source.url })).code).toBe(0);
      const again = await loften(['backup', file], { DATABASE_URL: source.url });
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/^loften: .*finns redan.*--force.*\n$/);
      const forced = await loften(['backup', file, '--force'], { DATABASE_URL: source.url });
      expect(forced.code).toBe(0);

      const refused = await loften(['restore', file], { DATABASE_URL: source.url });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/^loften: Databasen .* är inte tom .*\n$/);

      const restored = await blank();
      const ok = await loften(['restore', file], { DATABASE_URL: restored.url });
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^Återställde .* \d+ tabeller, \d+ rader/);
      const check = await connect(restored.url);
      try {
        expect(await dumpAll(check.db)).toEqual(before);
      } finally {
        await check.close();
      }
    });

    it.skipIf(target.name !== 'sqlite' || targets[1]!.skip)('a SQLite backup restores into PostgreSQL: from a trial to production', async () => {
      const file = join(dir, 'to-postgres.bak');
      await backupDatabase(source, file);
      const pg = await blankDatabase('postgres');
      blanks.push(pg);
      await restoreDatabase(pg, file);
      const after = await dumpAll(pg.db);
      for (const t of Object.keys(before)) expect(after[t], t).toEqual(before[t]);
    });
  });
}

describe('loften backup, restore, export --all: help and usage', () => {
  it.each([
    [['backup', '--help'], 0, /^Användning: loften backup FIL \[--force\]/],
    [['restore', '--help'], 0, /^Användning: loften restore FIL/],
    [['export', '--help'], 0, /loften export --all KATALOG/],
    [['--help'], 0, /backup FIL[\s\S]*restore FIL[\s\S]*export --all KATALOG/],
  ] as const)('%j explains itself', async (args, code, text) => {
    const r = await loften([...args], {});
    expect(r.code).toBe(code);
    expect(r.stdout).toMatch(text);
  });

  it.each([
    [['backup'], 'Användning: loften backup FIL [--force]'],
    [['restore', 'a', 'b'], 'Användning: loften restore FIL'],
    [['export', '--all'], 'Användning: loften export --all KATALOG'],
    [['backup', 'x.bak'], 'finns inte; kontrollera DATABASE_URL'],
  ])('refuses %j with exit 2 and one line', async (args, message) => {
    const r = await loften(args, { DATABASE_URL: `sqlite:${join(tmpdir(), `loften-missing-${process.pid}`, 'none.db')}` });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });
});
