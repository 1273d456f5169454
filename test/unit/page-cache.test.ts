import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writesContent } from '../../src/db/connect.js';
import { swedishDate } from '../../src/features/pledges/pledge.js';
import { MAX_TTL_MS, matchesEtag, negotiateEncoding, PageCache, RenderedPage } from '../../src/platform/http/page-cache.js';
import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, DummyDriver, sql } from 'kysely';
import type { DB } from '../../src/db/schema.js';

const page = (html: string, at = 0) => new RenderedPage(html, at);

describe('PageCache', () => {
  it('expires entries after the TTL, and when the clock went backwards', () => {
    const c = new PageCache({ ttlMs: 60_000 });
    c.set('k', page('<p>a</p>', 1_000), c.generation);
    expect(c.get('k', 1_000)).toBeDefined();
    expect(c.get('k', 60_999)).toBeDefined();
    expect(c.get('k', 61_000)).toBeUndefined();
    expect(c.size).toBe(0);
    c.set('k', page('<p>a</p>', 1_000), c.generation);
    expect(c.get('k', 999)).toBeUndefined();
  });

  it('refuses a TTL above the max-age the pages promise', () => {
    expect(() => new PageCache({ ttlMs: MAX_TTL_MS + 1 })).toThrow();
    expect(() => new PageCache({ ttlMs: 0 })).toThrow();
  });

  it('refuses a page rendered by a request that began before the last invalidation', () => {
    const c = new PageCache();
    const startedWith = c.generation;
    c.invalidate(); // a write committed while the request was rendering
    expect(c.set('k', page('old'), startedWith)).toBe(false);
    expect(c.get('k', 0)).toBeUndefined();
    expect(c.set('k', page('new'), c.generation)).toBe(true);
  });

  it('lets readers of a page being rendered wait for that render, until the next write', async () => {
    const c = new PageCache();
    expect(c.inFlight('k')).toBeUndefined();
    const land = c.takeOff('k');
    const waiting = c.inFlight('k');
    expect(waiting).toBeDefined();
    const p = page('<p>a</p>');
    land(p);
    await expect(waiting).resolves.toBe(p);
    // Landed: the next reader finds the page in the cache or renders anew, never an old flight.
    expect(c.inFlight('k')).toBeUndefined();

    const land2 = c.takeOff('k');
    const joinedBefore = c.inFlight('k');
    c.invalidate();
    // A reader who comes after a write must not get a page whose render began before it.
    expect(c.inFlight('k')).toBeUndefined();
    land2(null);
    await expect(joinedBefore).resolves.toBeNull();
  });

  it('drops everything on invalidate', () => {
    const c = new PageCache();
    c.set('a', page('a'), c.generation);
    c.set('b', page('b'), c.generation);
    c.invalidate();
    expect(c.size).toBe(0);
    expect(c.bytes).toBe(0);
  });

  it('without a grace, serves nothing after a write, whatever the clock says', () => {
    const c = new PageCache({ graceMs: 0 });
    c.set('k', page('old', 1_000), c.generation);
    c.invalidate(1_000);
    expect(c.get('k', 1_000)).toBeUndefined();
    expect(c.get('k', 1_000, true)).toBeUndefined();
  });

  it('refuses a grace outside 0–10 s', () => {
    expect(() => new PageCache({ graceMs: -1 })).toThrow();
    expect(() => new PageCache({ graceMs: 10_001 })).toThrow();
    expect(() => new PageCache({ graceMs: 1.5 })).toThrow();
    expect(new PageCache({ graceMs: 10_000 }).limits.graceMs).toBe(10_000);
  });

  describe('with a staleness grace', () => {
    it('serves an entry for the grace after the first write following its render, then drops it', () => {
      const c = new PageCache({ graceMs: 1_000 });
      const old = page('old', 0);
      c.set('k', old, c.generation);
      c.invalidate(10_000);
      expect(c.get('k', 10_999)).toBe(old);
      // A later write does not extend the grace: the entry has been stale since 10 000.
      c.invalidate(10_500);
      expect(c.get('k', 10_999)).toBe(old);
      expect(c.get('k', 11_000)).toBeUndefined();
      expect(c.size).toBe(0);
      expect(c.bytes).toBe(0);
    });

    it('gives a stale entry only to readers who may have one (not signed-in staff)', () => {
      const c = new PageCache({ graceMs: 1_000 });
      c.set('k', page('old', 0), c.generation);
      expect(c.get('k', 5, false)).toBeDefined(); // fresh: anyone
      c.invalidate(100);
      expect(c.get('k', 200, false)).toBeUndefined();
      expect(c.get('k', 200, true)).toBeDefined(); // the staff reader did not drop it
    });

    it('stores a fresh render again after the grace, fresh until the next write', () => {
      const c = new PageCache({ graceMs: 1_000 });
      c.set('k', page('old', 0), c.generation);
      c.invalidate(100);
      expect(c.get('k', 1_100)).toBeUndefined();
      const fresh = page('new', 1_100);
      expect(c.set('k', fresh, c.generation)).toBe(true);
      expect(c.get('k', 5_000, false)).toBe(fresh);
      c.invalidate(5_000);
      expect(c.get('k', 5_999)).toBe(fresh);
      expect(c.get('k', 6_000)).toBeUndefined();
    });

    it('keeps a render that missed a write as stale since the render began, never replacing a later one', () => {
      const c = new PageCache({ graceMs: 1_000 });
      const startedWith = c.generation;
      c.invalidate(300); // committed while a request that began at 200 was rendering
      const missed = page('missed', 200);
      expect(c.set('k', missed, startedWith)).toBe(true);
      expect(c.get('k', 500, false)).toBeUndefined();
      expect(c.get('k', 1_199)).toBe(missed);
      expect(c.get('k', 1_200)).toBeUndefined();

      const later = page('later', 2_000);
      c.set('k', later, c.generation);
      const slow = c.generation;
      c.invalidate(2_100);
      expect(c.set('k', page('slow', 1_900), slow)).toBe(false);
      expect(c.get('k', 2_200)).toBe(later);
    });

    it('still applies the TTL, a clock that went backwards, and the caps to stale entries', () => {
      const c = new PageCache({ graceMs: 10_000, ttlMs: 5_000, maxEntries: 2 });
      c.set('a', page('a', 0), c.generation);
      c.invalidate(4_000);
      expect(c.get('a', 5_000)).toBeUndefined(); // TTL from the render, inside the grace
      c.set('b', page('b', 6_000), c.generation);
      c.invalidate(7_000);
      expect(c.get('b', 6_500)).toBeUndefined(); // before it became stale: the clock went back
      for (const k of ['c', 'd', 'e']) c.set(k, page(k, 8_000), c.generation);
      expect(c.size).toBe(2);
    });
  });

  it('holds its entry cap, evicting the least recently used', () => {
    const c = new PageCache({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c']) c.set(k, page(k), c.generation);
    c.get('a', 0); // a is now the most recently used
    c.set('d', page('d'), c.generation);
    expect(c.size).toBe(3);
    expect(c.get('b', 0)).toBeUndefined();
    expect(c.get('a', 0)).toBeDefined();
    for (let i = 0; i < 1000; i++) c.set(`q${i}`, page(`q${i}`), c.generation);
    expect(c.size).toBe(3);
  });

  it('holds its byte cap, counting compressed variants as they are made', async () => {
    const big = 'x'.repeat(1000);
    const c = new PageCache({ maxBytes: 2500 });
    c.set('a', page(`a${big}`), c.generation);
    c.set('b', page(`b${big}`), c.generation);
    expect(c.size).toBe(2);
    c.set('c', page(`c${big}`), c.generation);
    expect(c.size).toBe(2);
    expect(c.bytes).toBeLessThanOrEqual(2500);
    const b = c.get('b', 0)!;
    await b.body('gzip');
    await b.body('br');
    expect(c.bytes).toBe(c.get('b', 0)!.bytes + c.get('c', 0)!.bytes);
    expect(c.bytes).toBeLessThanOrEqual(2500);
    // Too big to ever fit: not stored at all.
    expect(c.set('huge', page('y'.repeat(3000)), c.generation)).toBe(false);
  });
});

describe('RenderedPage', () => {
  it('compresses each encoding once, to bytes that decode to the page', async () => {
    const html = `<!doctype html><p>${'Medborgarlöfte för Strängnäs kommun. '.repeat(50)}</p>`;
    const p = page(html);
    expect(p.body('identity')).toEqual(Buffer.from(html));
    const [g1, g2] = await Promise.all([p.body('gzip'), p.body('gzip')]);
    expect(g1).toBe(g2);
    expect(p.body('gzip')).toBe(g1); // now ready, synchronously
    expect(gunzipSync(g1).toString('utf8')).toBe(html);
    expect(brotliDecompressSync(await p.body('br')).toString('utf8')).toBe(html);
  });

  it('has a weak ETag that depends only on the HTML', () => {
    expect(page('a').etag).toBe(page('a', 5).etag);
    expect(page('a').etag).not.toBe(page('b').etag);
    expect(page('a').etag).toMatch(/^W\/"[\w-]+"$/);
  });
});

describe('HTTP helpers', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['*', 'gzip'],
    ['GZIP', 'gzip'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0.8, gzip;q=0.8', 'br'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['deflate', 'identity'],
    ['identity', 'identity'],
  ] as const)('negotiates %j as %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });

  it('compares If-None-Match weakly', () => {
    expect(matchesEtag('W/"abc"', 'W/"abc"')).toBe(true);
    expect(matchesEtag('"abc"', 'W/"abc"')).toBe(true);
    expect(matchesEtag('"x", W/"abc"', 'W/"abc"')).toBe(true);
    expect(matchesEtag('*', 'W/"abc"')).toBe(true);
    expect(matchesEtag('W/"abd"', 'W/"abc"')).toBe(false);
    expect(matchesEtag(undefined, 'W/"abc"')).toBe(false);
  });
});

describe('swedishDate', () => {
  it('is the date in Stockholm, also right around midnight and across DST', () => {
    expect(swedishDate(new Date('2023-12-31T22:59:59.999Z'))).toBe('2023-12-31');
    expect(swedishDate(new Date('2023-12-31T23:00:00Z'))).toBe('2024-01-01');
    expect(swedishDate(new Date('2024-06-30T22:00:00Z'))).toBe('2024-07-01');
    expect(swedishDate(new Date('2024-06-30T21:59:59Z'))).toBe('2024-06-30');
    expect(swedishDate(new Date('2024-06-30T21:59:00Z'))).toBe('2024-06-30'); // the minute just asked about
    expect(swedishDate(new Date('2024-06-30T22:00:59Z'))).toBe('2024-07-01');
    expect(swedishDate(new Date('1850-06-30T12:00:00Z'))).toBe('1850-06-30');
  });
});

describe('writesContent', () => {
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new SqliteIntrospector(k),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });

  it('tells reads from writes to content tables', () => {
    expect(writesContent(db.selectFrom('pledge').selectAll().compile())).toBe(false);
    expect(writesContent(db.updateTable('pledge').set({ title: 'x' }).compile())).toBe(true);
    expect(writesContent(db.insertInto('audit_event').values({} as never).compile())).toBe(true);
    expect(writesContent(db.deleteFrom('activity').compile())).toBe(true);
    expect(writesContent(db.updateTable('party as p').set({ name: 'x' }).compile())).toBe(true);
    expect(writesContent(sql`select 1`.compile(db))).toBe(false);
    expect(writesContent(sql`pragma foreign_keys`.compile(db))).toBe(false);
    expect(writesContent(sql`update pledge set title = 'x'`.compile(db))).toBe(true);
    expect(writesContent(sql`commit`.compile(db))).toBe(true);
    expect(writesContent(db.schema.createTable('t').addColumn('a', 'text').compile())).toBe(true);
    // A write hidden in a CTE.
    const cte = db.with('w', (qb) => qb.updateTable('pledge').set({ title: 'x' }).returning('id')).selectFrom('w').selectAll().compile();
    expect(writesContent(cte)).toBe(true);
  });

  it('ignores writes to sessions, throttling, mail, SSO round trips and reset tokens', () => {
    expect(writesContent(db.updateTable('user_session').set({ last_seen_at: 'x' }).compile())).toBe(false);
    expect(writesContent(db.deleteFrom('login_throttle').compile())).toBe(false);
    expect(writesContent(db.insertInto('mail_outbox').values({} as never).compile())).toBe(false);
    expect(writesContent(db.deleteFrom('oidc_login').compile())).toBe(false);
    expect(writesContent(db.deleteFrom('password_reset').compile())).toBe(false);
  });
});
