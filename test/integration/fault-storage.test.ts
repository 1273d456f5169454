import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLabFile } from '../../bench/wastewater-file.js';
import { connect, type Database } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { signedInAs, type Session } from '../support/auth.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';
import { unavailable } from '../support/env.js';
import { postFormHttp, runCli } from '../support/faults.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * The SQLite file cannot be written: it is read-only, or the disk is full. Reads keep working; a
 * write gets a 503 page that says why and gives back what was typed; the log says what is wrong;
 * the process stays up; afterwards the file is intact and holds no part of the refused write.
 *
 * Read-only for real: as root file modes mean nothing, so the server runs as nobody. Full for
 * real: the database lives on a small tmpfs, filled up under the running server.
 */

const NOBODY = { uid: 65534, gid: 65534 };
const isRoot = process.getuid?.() === 0;

interface Fixture {
  url: string;
  file: string;
  municipality: Party;
  draftId: string;
  editor: Session;
}

/** A migrated database with a signed pledge (public pages to read), a draft and an editor to write with. */
async function fixture(dir: string): Promise<Fixture> {
  const file = join(dir, 'loften.db');
  const url = `sqlite:${file}`;
  const database = await connect(url);
  try {
    await migrateToLatest(database);
    const municipality = await buildMunicipality(database.db, { name: 'Lagringskommun', slug: 'lagringskommun' });
    const police = await buildPoliceArea(database.db);
    await createPledge(database.db, pledgeInput(municipality, police, { title: 'Det gällande löftet' }));
    const draft = await createPledge(database.db, pledgeInput(municipality, police, { state: 'draft', title: 'Utkastet', startsOn: '2026-01-01', endsOn: '2027-12-31' }));
    const editor = await signedInAs(database.db, { role: 'editor', partyId: municipality.id });
    return { url, file, municipality, draftId: draft.id, editor };
  } finally {
    // Closed cleanly: the write-ahead log is checkpointed into the file and removed.
    await database.close();
  }
}

async function reopen(url: string): Promise<Database> {
  return connect(url);
}

async function integrity(database: Database): Promise<string[]> {
  return (await sql<{ integrity_check: string }>`pragma integrity_check`.execute(database.db)).rows.map((r) => r.integrity_check);
}

const detailsForm = (f: Fixture) => `/admin/loften/${f.draftId}/uppgifter`;
const saveDetails = (server: ServerProcess, f: Fixture, title: string) =>
  postFormHttp(server.url, detailsForm(f), detailsForm(f), { version: '1', title, startsOn: '2026-01-01', endsOn: '2027-12-31', background: 'Text som inte får försvinna' }, f.editor.cookie);

/** Reads that must keep working: public pages and the editor's own form. */
async function expectReadsWork(server: ServerProcess, f: Fixture): Promise<void> {
  expect((await fetch(`${server.url}/`)).status).toBe(200);
  const page = await fetch(`${server.url}/kommun/lagringskommun`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Det gällande löftet');
  expect((await fetch(`${server.url}/api/v1/pledges`)).status).toBe(200);
  expect((await fetch(server.url + detailsForm(f), { headers: { cookie: f.editor.cookie } })).status).toBe(200);
}

describe('a read-only SQLite file', () => {
  let dir: string;
  let f: Fixture;
  let server: ServerProcess | null = null;
  const user = isRoot ? NOBODY : undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loften-readonly-'));
    f = await fixture(dir);
    // The directory stays writable (SQLite keeps its -wal and -shm files there); the database file is not.
    chmodSync(dir, 0o777);
    chmodSync(f.file, 0o444);
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves reads, answers a write with a 503 page that keeps the input, logs why, and stays up', { timeout: 60_000 }, async () => {
    server = await startServerProcess({ databaseUrl: f.url, user, env: { LOG_LEVEL: 'error' } });
    await expectReadsWork(server, f);

    const refused = await saveDetails(server, f, 'Rubriken jag skrev');
    expect(refused.status).toBe(503);
    const body = await refused.text();
    expect(body).toContain('Det gick inte att spara');
    expect(body).toContain('Databasen är skrivskyddad just nu, så inget kan sparas.');
    expect(body).toContain('Rubriken jag skrev');
    expect(body).toContain('Text som inte får försvinna');
    expect(body).not.toContain('_csrf');
    expect(server.output()).toContain('write refused: the database is read-only');
    expect(server.output()).toContain('"code":"database_read_only"');
    expect(server.output()).not.toContain(f.editor.cookie.split('=')[1]!);

    // Still up, still reading.
    await expectReadsWork(server, f);
    await server.stop();
    server = null;

    chmodSync(f.file, 0o644);
    const database = await reopen(f.url);
    try {
      expect(await integrity(database)).toEqual(['ok']);
      const draft = await database.db.selectFrom('pledge').select(['title', 'version']).where('id', '=', f.draftId).executeTakeFirstOrThrow();
      expect(draft).toEqual({ title: 'Utkastet', version: 1 });
    } finally {
      await database.close();
    }
  });

  it('refuses to start on a read-only file that needs migrations: one line, exit code not 0', { timeout: 60_000 }, async () => {
    // An older database: the newest migration not yet run.
    chmodSync(f.file, 0o644);
    const database = await reopen(f.url);
    await database.db.schema.dropIndex('wastewater_import_running').execute();
    await database.db.schema.alterTable('wastewater_import').dropColumn('worker_id').execute();
    await database.db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0007_import_heartbeat' as never).execute();
    await database.close();
    chmodSync(f.file, 0o444);

    const failed = await startServerProcess({ databaseUrl: f.url, user }).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(failed).not.toBeNull();
    expect(failed).toMatch(/exited with [1-9]\d* before listening/);
    const lines = failed!.split('\n').slice(1).filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^loften: Databasen sqlite:.* är skrivskyddad och 1 migrering\(ar\) väntar \(0007_import_heartbeat först\)/);
  });
});

/** A tmpfs of `size` at a new directory, or null with the reason when mounting is not allowed here. */
function mountTmpfs(size: string): { dir: string; unmount(): void } | string {
  const dir = mkdtempSync(join(tmpdir(), 'loften-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `mount -t tmpfs går inte här: ${(err as Error).message.split('\n')[0]}`;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the file system at `dir` with one file until nothing more fits. */
function fill(dir: string): string {
  const filler = join(dir, 'fyllnad');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return filler;
}

/** Whether a tmpfs can be mounted here: tried once, then mounted for real by the suite itself. */
function tmpfsProblem(): string | false {
  if (!isRoot) return unavailable('En tmpfs för en full disk', 'testerna körs inte som root');
  const probe = mountTmpfs('1m');
  if (typeof probe === 'string') return unavailable('En tmpfs för en full disk', probe);
  probe.unmount();
  return false;
}

describe.skipIf(tmpfsProblem())('a full disk under SQLite', () => {
  let fs: { dir: string; unmount(): void };
  let f: Fixture;
  let server: ServerProcess | null = null;
  let labFile: string;
  let labDir: string;

  beforeAll(async () => {
    fs = mountTmpfs('8m') as typeof fs;
    f = await fixture(fs.dir);
    labDir = mkdtempSync(join(tmpdir(), 'loften-full-lab-'));
    labFile = join(labDir, 'labb.csv');
    await writeLabFile(labFile, 40_000);
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(labDir, { recursive: true, force: true });
    fs?.unmount();
  });

  it('serves reads, answers a write with a 503 page that keeps the input, and stays up; the import command fails in one line', { timeout: 120_000 }, async () => {
    server = await startServerProcess({ databaseUrl: f.url, env: { LOG_LEVEL: 'error' } });
    const filler = fill(fs.dir);
    await expectReadsWork(server, f);

    const refused = await saveDetails(server, f, 'Rubriken som inte fick plats');
    expect(refused.status).toBe(503);
    const body = await refused.text();
    expect(body).toContain('Lagringsutrymmet är fullt, så inget kan sparas.');
    expect(body).toContain('Rubriken som inte fick plats');
    expect(server.output()).toContain('write refused: no space left for the database');
    await expectReadsWork(server, f);

    // The import command on the full disk: one clear line, exit code 1, nothing imported.
    const cli = await runCli(['wastewater', 'import', labFile, '--municipality', f.municipality.municipalityCode!], { DATABASE_URL: f.url }).done;
    expect(cli.code).toBe(1);
    const errors = cli.stderr.split('\n').filter((l) => l.startsWith('loften:') || /Error|at /.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^loften: Databasen tar inte emot skrivningar: lagringsutrymmet är fullt \(SQLITE_FULL/);

    // Room again: writes work without a restart.
    rmSync(filler);
    expect(existsSync(filler)).toBe(false);
    await expectReadsWork(server, f);
    expect((await saveDetails(server, f, 'Rubriken när det fanns plats')).status).toBe(303);
    await server.stop();
    server = null;

    const database = await reopen(f.url);
    try {
      expect(await integrity(database)).toEqual(['ok']);
      // The refused write left nothing; the one after it is there, once.
      const draft = await database.db.selectFrom('pledge').select(['title', 'version']).where('id', '=', f.draftId).executeTakeFirstOrThrow();
      expect(draft).toEqual({ title: 'Rubriken när det fanns plats', version: 2 });
      const audit = await database.db.selectFrom('audit_event').select('after_json').where('action', '=', 'pledge.update').where('entity_id', '=', f.draftId).execute();
      expect(audit).toHaveLength(1);
      const measurements = await database.db.selectFrom('wastewater_measurement').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect(Number(measurements.n)).toBe(0);
    } finally {
      await database.close();
    }
  });
});
