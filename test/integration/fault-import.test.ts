import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLabFile } from '../../bench/wastewater-file.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { findImport } from '../../src/features/wastewater/import-repo.js';
import { signedInAs, type Session } from '../support/auth.js';
import { targets, type TestDatabase } from '../support/databases.js';
import { buildMunicipality } from '../support/factories.js';
import { countRows, formToken, holdTransaction, lockWaiters, postFormHttp, runCli, until } from '../support/faults.js';
import { multipartBody } from '../support/multipart.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * SIGKILL in the middle of a wastewater import, through the real command and the real server:
 * nothing of the file is visible afterwards, the import says it was interrupted (not "pågår"
 * forever), and running it again stores every row exactly once.
 *
 * Where the kill lands: while reading, once progress and staged rows are in the database; while
 * applying, inside the one apply transaction. On PostgreSQL that is made certain by holding a
 * lock on the import row that the transaction's last statement needs, after all its inserts;
 * on SQLite (no lock a reader can hold blocks a writer) the file is large enough that the
 * transaction is still open when the test sees `applying`, and the test checks it was.
 */

/**
 * Rows in the lab file (50 sites × days × 8 substances). SQLite needs a file whose apply
 * transaction lasts long enough to be caught open; PostgreSQL is held open by a lock, so a
 * smaller file does, and keeps the test short on a slower import.
 */
const ROWS = { sqlite: 240_000, postgres: 48_000 } as const;
const PUBLIC = ['wastewater_site', 'wastewater_sample', 'wastewater_measurement', 'wastewater_correction', 'audit_event'] as const;
/** The staleness window the processes under test use: short, so a dead worker is noticed within the test. */
const STALE_SECONDS = '2';

let dir: string;
const files = { sqlite: '', postgres: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loften-fault-import-'));
  for (const name of ['sqlite', 'postgres'] as const) {
    files[name] = join(dir, `labb-${name}.csv`);
    await writeLabFile(files[name], ROWS[name]);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const importsOf = (t: TestDatabase, party: Party) => t.db.selectFrom('wastewater_import').selectAll().where('party_id', '=', party.id).orderBy('created_at').execute();
const stagedOf = async (t: TestDatabase, importId: string) =>
  Number((await t.db.selectFrom('wastewater_import_row').select((eb) => eb.fn.countAll().as('n')).where('import_id', '=', importId).executeTakeFirst())!.n);
const measurementsOf = async (t: TestDatabase, party: Party) =>
  Number(
    (await t.db
      .selectFrom('wastewater_measurement as m')
      .innerJoin('wastewater_site as w', 'w.id', 'm.site_id')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('w.party_id', '=', party.id)
      .executeTakeFirst())!.n,
  );
const samplesOf = async (t: TestDatabase, party: Party) =>
  Number(
    (await t.db
      .selectFrom('wastewater_sample as x')
      .innerJoin('wastewater_site as w', 'w.id', 'x.site_id')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('w.party_id', '=', party.id)
      .executeTakeFirst())!.n,
  );

/** Kills the apply transaction of `importId` while it is open: see the file comment. */
async function killWhileApplying(t: TestDatabase, target: 'sqlite' | 'postgres', importId: string, kill: () => Promise<unknown>): Promise<void> {
  await until('importen sparas', async () => (await findImport(t.db, importId))?.status === 'applying', 120_000, 10);
  if (target === 'postgres') {
    // `for no key update`: the inserts' foreign-key checks (key share) pass, the final status update waits.
    const lock = holdTransaction(t.db, async (trx) => {
      await trx.selectFrom('wastewater_import').select('id').where('id', '=', importId).forNoKeyUpdate().execute();
    });
    await lock.held;
    await until('transaktionen väntar på importraden', async () => (await lockWaiters(t.db, 'rows_new')) > 0, 120_000);
    await kill();
    await lock.release();
  } else {
    await kill();
  }
  // The transaction never committed: done is written inside it.
  expect((await findImport(t.db, importId))!.status).toBe('applying');
}

for (const target of targets) {
  describe.skipIf(target.skip)(`SIGKILL during a wastewater import on ${target.name}`, () => {
    let t: TestDatabase;
    const rows = ROWS[target.name];
    const file = () => files[target.name];
    beforeAll(async () => {
      t = await target.open();
    });
    afterAll(async () => t?.dispose());

    it('the command: killed while reading and while applying, nothing is visible; run again, every row is stored once', { timeout: 240_000 }, async () => {
      const party = await buildMunicipality(t.db);
      const env = { DATABASE_URL: t.url, IMPORT_STALE_SECONDS: STALE_SECONDS };
      const args = ['wastewater', 'import', file(), '--municipality', party.municipalityCode!];
      const before = await countRows(t.db, PUBLIC);

      // 1. Killed while reading: progress and staged rows are in the database.
      const reading = runCli(args, env);
      const first = await until('inläsningen är i gång', async () => {
        const [imp] = await importsOf(t, party);
        return imp && imp.rows_read > 0 && (await stagedOf(t, imp.id)) > 0 ? imp : null;
      });
      reading.child.kill('SIGKILL');
      expect((await reading.done).signal).toBe('SIGKILL');
      expect(await countRows(t.db, PUBLIC)).toEqual(before);

      // 2. Killed inside the apply transaction.
      const applying = runCli(args, env);
      const second = await until('en andra import', async () => (await importsOf(t, party))[1]);
      await killWhileApplying(t, target.name, second.id, async () => {
        applying.child.kill('SIGKILL');
        await applying.done;
      });
      expect(await countRows(t.db, PUBLIC)).toEqual(before);
      expect(await measurementsOf(t, party)).toBe(0);

      // 3. Run again: the interrupted imports are closed first, then every row is stored exactly once.
      await new Promise((r) => setTimeout(r, Number(STALE_SECONDS) * 1000 + 200));
      const again = await runCli(args, env).done;
      expect(again.stderr).not.toContain('loften:');
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('Sparat (import');
      expect(await measurementsOf(t, party)).toBe(rows);
      expect(await samplesOf(t, party)).toBe(rows / 8);
      const after = await countRows(t.db, PUBLIC);
      expect(after.wastewater_site - before.wastewater_site).toBe(50);
      expect(after.wastewater_correction).toBe(before.wastewater_correction);
      expect(after.audit_event - before.audit_event).toBe(1);

      const [one, two, three] = await importsOf(t, party);
      expect(one).toMatchObject({ id: first.id, status: 'failed' });
      expect(one!.error_message).toContain('Inläsningen avbröts');
      expect(two).toMatchObject({ id: second.id, status: 'failed' });
      expect(two!.error_message).toContain('Sparandet avbröts');
      expect(three!.status).toBe('done');
      // Nothing of the interrupted imports is left behind.
      expect(await stagedOf(t, first.id)).toBe(0);
      expect(await stagedOf(t, second.id)).toBe(0);
    });

    it('the admin pages: the server killed while reading, then while applying; after a restart the import says so and saving again completes', { timeout: 300_000 }, async () => {
      const party = await buildMunicipality(t.db);
      const editor: Session = await signedInAs(t.db, { role: 'editor', partyId: party.id });
      const env = { IMPORT_STALE_SECONDS: STALE_SECONDS };
      const before = await countRows(t.db, PUBLIC);
      const content = readFileSync(file());
      let server: ServerProcess = await startServerProcess({ databaseUrl: t.url, env });
      const page = (id: string) => fetch(`${server.url}/admin/avloppsvatten/import/${id}?uppdatera=nej`, { headers: { cookie: editor.cookie } }).then((r) => r.text());
      const upload = async () => {
        const form = `/admin/avloppsvatten/${party.id}/import`;
        const c = await formToken(server.url + form, editor.cookie);
        const body = multipartBody({ _csrf: c.token }, { name: 'file', filename: 'labb.csv', content });
        const res = await fetch(server.url + form, { method: 'POST', redirect: 'manual', headers: { cookie: c.cookie, 'content-type': body.contentType }, body: body.payload });
        expect(res.status).toBe(303);
        return res.headers.get('location')!.split('/').pop()!;
      };
      try {
        // 1. Killed while the background job reads the upload.
        const first = await upload();
        await until('inläsningen är i gång', async () => ((await findImport(t.db, first))!.rows_read > 0 ? true : null));
        await server.stop('SIGKILL');
        server = await startServerProcess({ databaseUrl: t.url, env });
        // Not "Läser filen" forever: the silent worker is noticed and the page says what happened.
        const interrupted = await until('sidan säger att inläsningen avbröts', async () => ((await page(first)).includes('Inläsningen avbröts') ? true : null), 30_000, 250);
        expect(interrupted).toBe(true);
        expect(await page(first)).toContain('Ladda upp filen igen');
        expect((await findImport(t.db, first))!.status).toBe('failed');
        expect(await countRows(t.db, PUBLIC)).toEqual(before);

        // 2. Upload again, read to the end, save, and kill the server inside the apply transaction.
        const second = await upload();
        await until('filen är läst', async () => ((await findImport(t.db, second))!.status === 'ready' ? true : null), 180_000, 100);
        const save = `/admin/avloppsvatten/import/${second}`;
        const saving = postFormHttp(server.url, save, `${save}/spara`, {}, editor.cookie);
        const killed = server;
        await killWhileApplying(t, target.name, second, async () => {
          expect((await saving).status).toBe(303);
          await killed.stop('SIGKILL');
        });
        expect(await countRows(t.db, PUBLIC)).toEqual(before);

        server = await startServerProcess({ databaseUrl: t.url, env });
        await until('sidan säger att sparandet avbröts', async () => ((await page(second)).includes('Sparandet avbröts') ? true : null), 30_000, 250);
        const ready = await page(second);
        expect(ready).toContain('Du kan spara importen igen');
        expect(ready).toContain('Spara i databasen');
        expect((await findImport(t.db, second))!.status).toBe('ready');

        // 3. Save again: stored once, completely.
        const res = await postFormHttp(server.url, save, `${save}/spara`, {}, editor.cookie);
        expect(res.status).toBe(303);
        await until('importen är sparad', async () => ((await findImport(t.db, second))!.status === 'done' ? true : null), 180_000, 100);
        expect(await measurementsOf(t, party)).toBe(rows);
        expect(await samplesOf(t, party)).toBe(rows / 8);
        expect((await countRows(t.db, PUBLIC)).audit_event - before.audit_event).toBe(1);
        expect(await page(second)).toContain('Importen är sparad');
        expect(await stagedOf(t, second)).toBe(0);
      } finally {
        await server.stop('SIGKILL');
      }
    });
  });
}
