import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { connect, onContentChange, type ContentChange } from '../../src/db/connect.js';
import { seedDemo } from '../../src/features/demo/seed.js';
import { reportActivityUpdate } from '../../src/features/follow-up/activity-updates.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { helmetOptions, PERMISSIONS_POLICY } from '../../src/platform/http/security.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs, postForm } from '../support/auth.js';
import { targets, type TestDatabase } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';

/**
 * The public page cache: what a reader gets from it must be exactly what the handler would have
 * rendered. Time is the injected clock, never a sleep.
 */

const START = Date.parse('2026-11-27T12:00:00Z');

/** All headers but the two that differ per response by design: Date and X-Request-Id. */
function withoutDate(headers: LightMyRequestResponse['headers']): Record<string, unknown> {
  const { date: _date, 'x-request-id': _requestId, ...rest } = headers;
  return rest;
}

function decoded(res: LightMyRequestResponse): string {
  const enc = res.headers['content-encoding'];
  if (enc === 'br') return brotliDecompressSync(res.rawPayload).toString('utf8');
  if (enc === 'gzip') return gunzipSync(res.rawPayload).toString('utf8');
  return res.body;
}

for (const target of targets) {
  describe.skipIf(target.skip)(`public page cache on ${target.name}`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let now = START;
    const clock = () => new Date(now);
    /**
     * Another instance (or the CLI) on the same database: its writes are invisible to our cache, which
     * does not listen for them here (only `loften serve` calls hearOtherInstances(); that path is
     * tested in content-channel, two-instances and postgres-restart).
     */
    let other: Awaited<ReturnType<typeof connect>>;

    beforeAll(async () => {
      t = await target.open();
      await seedDemo(t.db);
      app = await buildApp({ db: t.db, clock });
      await app.ready();
      other = await connect(t.url);
    });
    afterAll(async () => {
      await app?.close();
      await other?.close();
      await t?.dispose();
    });

    const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
    const strangnasTitle = () =>
      other.db.selectFrom('pledge').select(['id', 'title']).where('period_slug', '=', '2022-2023').where('title', 'like', '%Strängnäs%').executeTakeFirstOrThrow();

    // The public page shows the signed version's text, but the municipality's name is live.
    const strangnasParty = () => other.db.selectFrom('party').select(['id', 'name']).where('slug', '=', 'strangnas').executeTakeFirstOrThrow();

    it('is on, and starts empty', () => {
      expect(app.pageCache).not.toBeNull();
      app.pageCache!.invalidate();
      expect(app.pageCache!.size).toBe(0);
    });

    it('sends a cached page with the very headers of the uncached one (all but Date), in every encoding', async () => {
      for (const encoding of ['br', 'gzip', 'identity', 'br, gzip', 'gzip;q=1, br;q=0.5']) {
        app.pageCache!.invalidate();
        const fresh = await get('/kommun/strangnas', { 'accept-encoding': encoding });
        const cached = await get('/kommun/strangnas', { 'accept-encoding': encoding });
        expect(fresh.statusCode).toBe(200);
        expect(cached.statusCode).toBe(200);
        expect(withoutDate(cached.headers)).toEqual(withoutDate(fresh.headers));
        expect(cached.rawPayload.equals(fresh.rawPayload)).toBe(true);
        // Signed-in readers are never served from the cache; they get the same page and headers.
        const { cookie } = await signedInAs(t.db, { superadmin: true });
        app.pageCache!.invalidate();
        await get('/kommun/strangnas', { 'accept-encoding': encoding }); // refill
        const withCookie = await get('/kommun/strangnas', { 'accept-encoding': encoding, cookie });
        expect(withoutDate(withCookie.headers)).toEqual(withoutDate(fresh.headers));
        expect(decoded(withCookie)).toBe(decoded(fresh));
      }
    });

    it('negotiates br, then gzip, else identity, and always says Vary: Accept-Encoding', async () => {
      const cases: [string | undefined, string | undefined][] = [
        ['br, gzip', 'br'],
        ['gzip, deflate', 'gzip'],
        ['gzip;q=1, br;q=0.5', 'gzip'],
        ['br;q=0, gzip;q=0', undefined],
        ['*', 'gzip'],
        ['deflate', undefined],
        [undefined, undefined],
      ];
      for (const [accept, expected] of cases) {
        const res = await get('/', accept === undefined ? {} : { 'accept-encoding': accept });
        expect(res.headers['content-encoding'], String(accept)).toBe(expected);
        expect(res.headers.vary).toBe('Accept-Encoding');
        expect(decoded(res)).toContain('<title>Medborgarlöften i Sveriges kommuner');
      }
    });

    it('sends exactly the security headers helmet would, on cached, uncached, error and admin responses', async () => {
      const reference = Fastify();
      await reference.register(helmet, helmetOptions);
      reference.get('/', async (_req, reply) => reply.type('text/html').send('x'));
      const expected = withoutDate((await reference.inject('/')).headers);
      await reference.close();
      for (const name of ['content-type', 'content-length', 'connection']) delete expected[name];
      // Helmet always sends HSTS; we send it only over TLS (test/integration/security-headers.test.ts).
      delete expected['strict-transport-security'];
      expect(Object.keys(expected).length).toBeGreaterThan(8);
      app.pageCache!.invalidate();
      for (const url of ['/kommun/strangnas', '/kommun/strangnas', '/finns/inte', '/admin', '/api/v1/pledges', '/tillganglighet']) {
        const res = await get(url);
        for (const [name, value] of Object.entries(expected)) expect(res.headers[name], `${url} ${name}`).toBe(value);
        expect(res.headers['permissions-policy']).toBe(PERMISSIONS_POLICY);
        expect(res.headers['strict-transport-security'], url).toBeUndefined();
      }
    });

    it('answers If-None-Match with 304 while the page is unchanged, and with the new page after a write', async () => {
      const first = await get('/kommun/strangnas');
      const etag = String(first.headers.etag);
      expect(etag).toMatch(/^W\/"[\w-]+"$/);
      const again = await get('/kommun/strangnas', { 'if-none-match': etag, 'accept-encoding': 'gzip' });
      expect(again.statusCode).toBe(304);
      expect(again.rawPayload.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
      expect(again.headers['content-security-policy']).toBe(first.headers['content-security-policy']);
      // Even a brand-new render of unchanged content keeps the validator, and says so with the same headers.
      app.pageCache!.invalidate();
      const fresh = await get('/kommun/strangnas', { 'if-none-match': etag, 'accept-encoding': 'gzip' });
      expect(fresh.statusCode).toBe(304);
      expect(withoutDate(again.headers)).toEqual(withoutDate(fresh.headers));
      expect(again.headers['content-length']).toBeUndefined();
      expect(again.headers['content-type']).toBeUndefined();

      const m = await buildMunicipality(t.db, { name: 'Etagby kommun', slug: 'etagby' });
      await createPledge(t.db, pledgeInput(m, await buildPoliceArea(t.db), { startsOn: '2026-01-01', endsOn: '2026-12-31' }));
      const index = await get('/');
      const unchanged = await get('/', { 'if-none-match': String(index.headers.etag) });
      expect(unchanged.statusCode).toBe(304);
      await createPledge(t.db, pledgeInput(await buildMunicipality(t.db), await buildPoliceArea(t.db)));
      const after = await get('/', { 'if-none-match': String(index.headers.etag) });
      expect(after.statusCode).toBe(200);
      expect(after.headers.etag).not.toBe(index.headers.etag);
    });

    it('shows a pledge created through the use-case on the very next request', async () => {
      expect((await get('/')).body).not.toContain('Nyskapade kommun');
      expect((await get('/kommun/nyskapade')).statusCode).toBe(404);
      const m = await buildMunicipality(t.db, { name: 'Nyskapade kommun', slug: 'nyskapade' });
      // A party alone is content too: the index lists only municipalities with a pledge, so still absent.
      expect((await get('/')).body).not.toContain('Nyskapade kommun');
      await createPledge(t.db, pledgeInput(m, await buildPoliceArea(t.db), { title: 'Löfte för Nyskapade', startsOn: '2026-01-01', endsOn: '2026-12-31' }));
      expect((await get('/')).body).toContain('Nyskapade kommun');
      expect((await get('/?lang=en')).body).toContain('Nyskapade kommun');
      const page = await get('/kommun/nyskapade');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Löfte för Nyskapade');
    });

    it('never shows a draft: creating one re-renders the pages, without it', async () => {
      const before = (await get('/')).body;
      const m = await buildMunicipality(t.db, { name: 'Utkastby kommun', slug: 'utkastby' });
      await createPledge(t.db, pledgeInput(m, await buildPoliceArea(t.db), { title: 'Hemligt utkast', state: 'draft' }));
      const after = await get('/');
      expect(after.body).toBe(before);
      expect(after.body).not.toContain('Utkastby');
      expect((await get('/kommun/utkastby')).statusCode).toBe(404);
    });

    it('shows an activity status reported through the use-case (a transaction) on the next request', async () => {
      const pledge = await strangnasTitle();
      const activity = await t.db
        .selectFrom('activity')
        .innerJoin('commitment', 'commitment.id', 'activity.commitment_id')
        .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
        .select(['activity.id', 'activity.version', 'activity.status'])
        .where('focus_area.pledge_id', '=', pledge.id)
        .where('activity.status', '<>', 'cancelled')
        .executeTakeFirstOrThrow();
      const count = (html: string) => html.split('status s-cancelled').length - 1;
      const before = count((await get('/kommun/strangnas/2022-2023')).body);
      const { user } = await signedInAs(t.db, { superadmin: true });
      const actor = { userId: user.id, name: user.name, email: user.email, partyId: null, role: null, isSuperadmin: true };
      await reportActivityUpdate({ db: t.db, clock }, actor, activity.id, { version: String(activity.version), status: 'cancelled', statusReason: 'Ersatt av en annan insats' });
      expect(count((await get('/kommun/strangnas/2022-2023')).body)).toBe(before + 1);
    });

    it('shows a change made through the admin UI on the next public request', async () => {
      const pledge = await strangnasTitle();
      const activity = await t.db
        .selectFrom('activity')
        .innerJoin('commitment', 'commitment.id', 'activity.commitment_id')
        .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
        .select(['activity.id', 'activity.version'])
        .where('focus_area.pledge_id', '=', pledge.id)
        .where('activity.status', '<>', 'delayed')
        .executeTakeFirstOrThrow();
      const count = (html: string) => html.split('status s-delayed').length - 1;
      const before = count((await get('/kommun/strangnas/2022-2023')).body);
      const { cookie } = await signedInAs(t.db, { superadmin: true });
      const res = await postForm(app, `/admin/aktiviteter/${activity.id}`, `/admin/aktiviteter/${activity.id}/status`, { version: String(activity.version), status: 'delayed', statusReason: 'Personalbrist under sommaren' }, cookie);
      expect(res.statusCode).toBe(303);
      expect(count((await get('/kommun/strangnas/2022-2023')).body)).toBe(before + 1);
    });

    it('drops what it read while a transaction was open, once that transaction commits', async () => {
      const party = await strangnasParty();
      await get('/kommun/strangnas/2022-2023');
      await t.db.transaction().execute(async (trx) => {
        await trx.updateTable('party').set({ name: 'Under transaktion' }).where('id', '=', party.id).execute();
        const during = get('/kommun/strangnas/2022-2023');
        if (target.name === 'postgres') {
          // Another connection: the uncommitted name is invisible, and this render may be cached…
          expect((await during).body).not.toContain('Under transaktion');
        } else {
          // One connection: the read waits for the commit (awaiting it here would deadlock).
          void during.catch(() => {});
        }
      });
      // …but the commit drops it.
      expect((await get('/kommun/strangnas/2022-2023')).body).toContain('Under transaktion');
      await t.db.updateTable('party').set({ name: party.name }).where('id', '=', party.id).execute();
      expect((await get('/kommun/strangnas/2022-2023')).body).toContain(party.name);
    });

    it('answers readers who miss a page together from one render, with the same bytes and headers as ever', async () => {
      app.pageCache!.invalidate();
      const reference = await get('/kommun/strangnas', { 'accept-encoding': 'gzip' });
      app.pageCache!.invalidate();
      const burst = await Promise.all([
        ...Array.from({ length: 12 }, () => get('/kommun/strangnas', { 'accept-encoding': 'gzip' })),
        app.inject({ method: 'HEAD', url: '/kommun/strangnas' }),
        get('/kommun/strangnas', { 'if-none-match': reference.headers.etag as string }),
      ]);
      for (const res of burst.slice(0, 12)) {
        expect(res.statusCode).toBe(200);
        expect(withoutDate(res.headers)).toEqual(withoutDate(reference.headers));
        expect(res.rawPayload.equals(reference.rawPayload)).toBe(true);
      }
      expect(burst[12]!.statusCode).toBe(200);
      expect(burst[13]!.statusCode).toBe(304);
      // A render that ends in an error is not shared: each waiter gets its own answer.
      const missing = await Promise.all(Array.from({ length: 5 }, () => get('/kommun/finns-inte')));
      for (const res of missing) expect(res.statusCode).toBe(404);
    });

    it("keeps another instance's write out for at most the TTL, by the injected clock", async () => {
      const party = await strangnasParty();
      expect((await get('/kommun/strangnas/2022-2023')).body).toContain(party.name);
      await other.db.updateTable('party').set({ name: 'Ändrad av en annan instans' }).where('id', '=', party.id).execute();
      now += 59_000;
      expect((await get('/kommun/strangnas/2022-2023')).body).toContain(party.name);
      now += 1_000;
      expect((await get('/kommun/strangnas/2022-2023')).body).toContain('Ändrad av en annan instans');
      await other.db.updateTable('party').set({ name: party.name }).where('id', '=', party.id).execute();
      // A clock that jumps back does not stretch the TTL either.
      now -= 120_000;
      expect((await get('/kommun/strangnas/2022-2023')).body).toContain(party.name);
      now = START;
    });

    it('keys pages by path, query and the Swedish date', async () => {
      app.pageCache!.invalidate();
      expect((await get('/kommun/strangnas')).body).toContain('<html lang="sv">');
      expect((await get('/kommun/strangnas?lang=en')).body).toContain('<html lang="en">');
      expect((await get('/kommun/strangnas')).body).toContain('<html lang="sv">');
      expect((await get('/?q=vingå')).body).toContain('>Vingåkers kommun</a>');
      expect((await get('/?q=vingå')).body).not.toContain('>Strängnäs kommun</a>');
      expect((await get('/?q=str%C3%A4ngn%C3%A4s')).body).toContain('>Strängnäs kommun</a>');
      expect((await get('/?q=str%C3%A4ngn%C3%A4s')).body).not.toContain('>Vingåkers kommun</a>');
      const all = (await get('/')).body;
      const inForce = (await get('/?aktuella=1')).body;
      expect(inForce).not.toBe(all);

      // 23:59:50 and, 20 s later, 00:00:10 in Stockholm: the same minute of the TTL, another day.
      now = Date.parse('2023-12-31T22:59:50Z');
      expect((await get('/kommun/strangnas')).body).toContain('Det här löftet gäller nu.');
      now += 20_000;
      const nextDay = (await get('/kommun/strangnas')).body;
      expect(nextDay).not.toContain('Det här löftet gäller nu.');
      expect(nextDay).toContain('Här visas det senaste, för 2022–2023');
      now = START;
    });

    it('stores only public pages: never errors, admin pages, the API or signed-in requests', async () => {
      app.pageCache!.invalidate();
      await get('/finns/inte');
      await get('/kommun/okand');
      await get('/admin');
      await get('/logga-in');
      await get('/api/v1/pledges');
      await get('/static/site.css');
      const { cookie } = await signedInAs(t.db, { superadmin: true });
      await get('/kommun/strangnas', { cookie });
      await app.inject({ method: 'HEAD', url: '/kommun/vingaker' });
      expect(app.pageCache!.size).toBe(0);
      await get('/kommun/strangnas');
      expect(app.pageCache!.size).toBe(1);
      // HEAD is answered from the cache, with the GET's headers.
      const head = await app.inject({ method: 'HEAD', url: '/kommun/strangnas' });
      const getRes = await get('/kommun/strangnas');
      expect(withoutDate(head.headers)).toEqual(withoutDate(getRes.headers));
      expect(head.body).toBe('');
    });

    it('holds its cap however many distinct URLs are asked for', async () => {
      app.pageCache!.invalidate();
      const { maxEntries } = app.pageCache!.limits;
      for (let i = 0; i < maxEntries + 50; i++) await get(`/tillganglighet?spam=${i}`);
      expect(app.pageCache!.size).toBe(maxEntries);
      expect(app.pageCache!.bytes).toBeLessThanOrEqual(app.pageCache!.limits.maxBytes);
      // The most recent survive, the oldest went first.
      const spam0 = await get('/tillganglighet?spam=0');
      expect(spam0.statusCode).toBe(200);
      expect(app.pageCache!.size).toBe(maxEntries);
    });
  });

  describe.skipIf(target.skip)(`staleness grace on ${target.name}`, () => {
    let now = START;
    let s: TestApp;
    beforeAll(async () => {
      s = await openApp(target, { clock: () => new Date(now), pageCacheGraceMs: 1_000 });
    });
    afterAll(async () => s?.close());

    it('gives anonymous readers the page and open-data file from before a write for the grace, staff the new ones at once', async () => {
      const { app, t } = s;
      const pledge = await t.db.selectFrom('pledge').select('id').where('period_slug', '=', '2022-2023').where('title', 'like', '%Strängnäs%').executeTakeFirstOrThrow();
      const activity = await t.db
        .selectFrom('activity')
        .innerJoin('commitment', 'commitment.id', 'activity.commitment_id')
        .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
        .select(['activity.id', 'activity.version'])
        .where('focus_area.pledge_id', '=', pledge.id)
        .where('activity.status', '<>', 'delayed')
        .executeTakeFirstOrThrow();
      const page = '/kommun/strangnas/2022-2023';
      const csv = '/data/aktiviteter.csv';
      const delayed = (html: string) => html.split('status s-delayed').length - 1;
      const get = (url: string, cookie?: string) => app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });

      // Signing in writes too (a user row): before the pages are read, so the admin form's post is the write that counts.
      const { cookie } = await signedInAs(t.db, { superadmin: true });
      const before = (await get(page)).body;
      const csvBefore = (await get(csv)).body;
      now += 10;
      const res = await postForm(app, `/admin/aktiviteter/${activity.id}`, `/admin/aktiviteter/${activity.id}/status`, { version: String(activity.version), status: 'delayed', statusReason: 'Personalbrist under sommaren' }, cookie);
      expect(res.statusCode).toBe(303);

      // Within the grace: the anonymous reader gets the cached page, the editor sees the save.
      now += 999;
      expect((await get(page)).body).toBe(before);
      expect((await get(csv)).body).toBe(csvBefore);
      expect(delayed((await get(page, cookie)).body)).toBe(delayed(before) + 1);
      const csvNew = (await get(csv, cookie)).body;
      expect(csvNew).not.toBe(csvBefore);

      // The grace has passed since the write: the next anonymous reader gets the new content.
      now += 1;
      expect(delayed((await get(page)).body)).toBe(delayed(before) + 1);
      expect((await get(csv)).body).toBe(csvNew);
    });
  });

  describe.skipIf(target.skip)(`content write notifications on ${target.name}`, () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await target.open();
    });
    afterAll(async () => t?.dispose());

    it('announces a write when it starts and again only once it is visible: after autocommit or after commit', async () => {
      const events: ContentChange[] = [];
      const stop = onContentChange(t.db, (e) => events.push(e))!;
      try {
        const m = await buildMunicipality(t.db); // a transaction (party + audit)
        expect(events.at(-1)).toBe('visible');

        events.length = 0;
        await t.db.updateTable('party').set({ name: 'Ändrad' }).where('id', '=', m.id).execute();
        expect(events).toEqual(['started', 'visible']);

        events.length = 0;
        await t.db.transaction().execute(async (trx) => {
          await trx.updateTable('party').set({ name: 'I transaktion' }).where('id', '=', m.id).execute();
          await trx.updateTable('party').set({ name: 'I transaktion 2' }).where('id', '=', m.id).execute();
          expect(events).toEqual(['started', 'started']);
        });
        expect(events).toEqual(['started', 'started', 'visible']);

        events.length = 0;
        await expect(
          t.db.transaction().execute(async (trx) => {
            await trx.updateTable('party').set({ name: 'Ångras' }).where('id', '=', m.id).execute();
            throw new Error('rollback');
          }),
        ).rejects.toThrow('rollback');
        expect(events).toEqual(['started']);

        events.length = 0;
        await t.db.selectFrom('party').selectAll().execute();
        await t.db.deleteFrom('user_session').execute();
        await t.db.deleteFrom('login_throttle').execute();
        await t.db.deleteFrom('mail_outbox').execute();
        expect(events).toEqual([]);

        // Controlled transactions and savepoints: announced by the outer commit.
        const trx = await t.db.startTransaction().execute();
        const sp = await trx.savepoint('sp1').execute();
        await sp.updateTable('party').set({ name: 'Sparpunkt' }).where('id', '=', m.id).execute();
        await sp.releaseSavepoint('sp1').execute();
        expect(events).toEqual(['started']);
        await trx.commit().execute();
        expect(events).toEqual(['started', 'visible']);
      } finally {
        stop();
      }
    });

    it('is unavailable for a Kysely it did not open, so nothing caches on top of it', async () => {
      const { Kysely, SqliteDialect } = await import('kysely');
      const SQLite = (await import('better-sqlite3')).default;
      const raw = new Kysely<never>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
      expect(onContentChange(raw as never, () => {})).toBeNull();
      const app = await buildApp({ db: raw as never });
      expect(app.pageCache).toBeNull();
      await app.close();
      await raw.destroy();
    });
  });
}
