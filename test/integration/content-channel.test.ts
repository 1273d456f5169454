import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, onContentChange, type ContentChange, type Database } from '../../src/db/connect.js';
import { CONTENT_CHANNEL, LISTENER_APPLICATION_NAME } from '../../src/db/content-channel.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createPostgresUrl, targets } from '../support/databases.js';
import { buildMunicipality } from '../support/factories.js';

/**
 * Content writes of one process reach the caches of another through PostgreSQL LISTEN/NOTIFY
 * (src/db/content-channel.ts). Two connect()s on one database stand for two instances.
 */

const postgres = targets.find((t) => t.name === 'postgres')!;

/** Resolves once `check` holds, polling; fails with `what` after `ms`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Inte inom ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(postgres.skip)('content writes across processes on postgres', () => {
  let made: Awaited<ReturnType<typeof createPostgresUrl>>;
  let a: Database;
  let b: Database;
  let admin: pg.Client;
  const heardByA: ContentChange[] = [];
  const heardByB: ContentChange[] = [];

  beforeAll(async () => {
    made = await createPostgresUrl();
    a = await connect(made.url);
    await migrateToLatest(a);
    b = await connect(made.url);
    onContentChange(a.db, (e) => heardByA.push(e));
    onContentChange(b.db, (e) => heardByB.push(e));
    await a.hearOtherInstances();
    await b.hearOtherInstances();
    admin = new pg.Client({ connectionString: made.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await a?.close();
    await b?.close();
    await made?.cleanup();
  });

  /** The backends LISTENing on the content channel in this database. */
  const listeners = async () =>
    (await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and application_name = $1', [LISTENER_APPLICATION_NAME])).rows.map((r) => r.pid);

  it('keeps one dedicated LISTEN connection per instance, outside the pool', async () => {
    expect(await listeners()).toHaveLength(2);
  });

  it("tells the other instance about a committed write, and not the writer itself twice", async () => {
    heardByA.length = 0;
    heardByB.length = 0;
    const m = await buildMunicipality(a.db);
    // Locally: announced synchronously at commit.
    expect(heardByA.at(-1)).toBe('visible');
    await eventually('B hears A’s write', () => heardByB.includes('visible'));
    // What B hears is the commit, never a 'started' of somebody else's transaction.
    expect(heardByB.every((e) => e === 'visible')).toBe(true);

    // A hears B's write; A's own notification came back to A's listener too, and was ignored.
    const ownA = heardByA.length;
    heardByB.length = 0;
    await b.db.updateTable('party').set({ name: 'Ändrad av B' }).where('id', '=', m.id).execute();
    await eventually('A hears B’s write', () => heardByA.length > ownA);
    expect(heardByA.slice(ownA)).toEqual(['visible']);
    expect(heardByB).toEqual(['started', 'visible']);
  });

  it('says nothing for writes that no public page shows (sessions, throttling, mail)', async () => {
    // What goes over the channel, seen by a plain listener of the test's own.
    const payloads: string[] = [];
    const spy = new pg.Client({ connectionString: made.url });
    await spy.connect();
    spy.on('notification', (n) => payloads.push(n.payload ?? ''));
    await spy.query(`listen ${CONTENT_CHANNEL}`);
    try {
      await buildMunicipality(b.db);
      await eventually('the spy hears a content write', () => payloads.length > 0);
      payloads.length = 0;
      heardByB.length = 0;
      await b.db.deleteFrom('login_throttle').execute();
      await b.db.deleteFrom('user_session').execute();
      await b.db.deleteFrom('mail_outbox').execute();
      expect(heardByB).toEqual([]);
      // A marker sent after them is the first thing on the channel.
      await admin.query('select pg_notify($1, $2)', [CONTENT_CHANNEL, 'markör']);
      await eventually('the spy hears the marker', () => payloads.length > 0);
      expect(payloads).toEqual(['markör']);
    } finally {
      await spy.end();
    }
  });

  it('coalesces a burst: many writes, at most a couple of notifications per writer in flight', async () => {
    heardByB.length = 0;
    const m = await buildMunicipality(a.db);
    await eventually('B hears the setup', () => heardByB.includes('visible'));
    heardByB.length = 0;
    const writes = 50;
    await Promise.all(Array.from({ length: writes }, (_, i) => a.db.updateTable('party').set({ name: `Skur ${i}` }).where('id', '=', m.id).execute()));
    await admin.query('select pg_notify($1, $2)', [CONTENT_CHANNEL, 'en-markör']);
    await eventually('B hears the burst and the marker', () => heardByB.length > 1);
    // Every write is covered (B heard at least one after them), with far fewer notifications than writes.
    expect(heardByB.length).toBeGreaterThanOrEqual(2);
    expect(heardByB.length).toBeLessThan(writes);
  });

  it('reconnects a lost LISTEN connection by itself and counts the loss as a change (notifications may be lost)', async () => {
    const [first] = await listeners();
    heardByA.length = 0;
    heardByB.length = 0;
    await admin.query('select pg_terminate_backend($1)', [first]);
    await eventually('both listen again', async () => {
      const now = await listeners();
      return now.length === 2 && !now.includes(first!);
    });
    // The instance whose listener was cut heard a change without any write.
    await eventually('the cut instance dropped its caches', () => heardByA.includes('visible') || heardByB.includes('visible'));
    // And notifications flow again in both directions.
    heardByA.length = 0;
    heardByB.length = 0;
    const m = await buildMunicipality(a.db);
    await eventually('B hears A after the reconnect', () => heardByB.includes('visible'));
    heardByA.length = 0;
    await b.db.updateTable('party').set({ name: 'Efter återanslutning' }).where('id', '=', m.id).execute();
    await eventually('A hears B after the reconnect', () => heardByA.includes('visible'));
  });

  it('stops listening when closed', async () => {
    const c = await connect(made.url);
    await c.hearOtherInstances();
    expect(await listeners()).toHaveLength(3);
    await c.close();
    await eventually('the third listener is gone', async () => (await listeners()).length === 2);
  });
});
