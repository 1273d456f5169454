import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/db/schema.js';
import { findActivityWithPledge } from '../../src/features/pledges/editing-repo.js';
import { openApp, type TestApp } from '../support/app.js';
import { csrfFor } from '../support/auth.js';
import { multipartBody } from '../support/multipart.js';
import { targets } from '../support/databases.js';
import { buildRouteFixtures, type RouteFixtures } from '../support/route-fixtures.js';

/**
 * Every route of `app.routeTable`, with no session and with each role, on the demo data.
 * Public, API, auth, embed and open-data routes have their expected status written out below; a
 * route missing from that table fails the walk. Admin routes are checked by class (the role-by-role
 * matrix is test/integration/permissions.test.ts): no session → login (GET) or 401 (POST), the
 * operator sees every page, a role either gets the page or exactly 403, a POST without a CSRF token
 * is 403 for everyone, and whoever may not see a page may not post to it. Nothing answers 5xx.
 */
type ActorKey = 'anon' | 'super' | Role;
const ACTORS: ActorKey[] = ['anon', 'super', 'admin', 'editor', 'reporter', 'viewer'];

interface Open {
  /** For every actor, unless `signedIn` says otherwise for those with a session. */
  status: number;
  signedIn?: number;
  /** Fields to post besides the CSRF token. */
  fields?: (a: ActorKey) => Record<string, string>;
}

const OPEN: Record<string, Open> = {
  'GET /': { status: 200 },
  'GET /tillganglighet': { status: 200 },
  'GET /static/site.css': { status: 200 },
  'GET /static/embed.css': { status: 200 },
  'GET /logga-in': { status: 200, signedIn: 302 },
  'GET /glomt-losenord': { status: 200 },
  // An unknown reset link is "gone", the same answer as a used or expired one.
  'GET /aterstall/:token': { status: 410 },
  // The demo parties have no single sign-on configured; the callback without state is a bad request.
  'GET /logga-in/sso/:partySlug': { status: 404 },
  'GET /logga-in/sso/callback': { status: 400 },
  'GET /kommun/:slug': { status: 200 },
  'GET /kommun/:slug/:period': { status: 200 },
  'GET /kommun/:slug/:period.pdf': { status: 200 },
  'GET /kommun/:slug/:period/versioner': { status: 200 },
  'GET /kommun/:slug/:period/versioner/:n': { status: 200 },
  'GET /kommun/:slug/:period/versioner/:n.pdf': { status: 200 },
  'GET /kommun/:slug/:period/kalender.ics': { status: 200 },
  'GET /kommun/:slug/:period/uppfoljning': { status: 200 },
  'GET /kommun/:slug/:period/uppfoljning/:key': { status: 200 },
  'GET /kommun/:slug/:period/uppfoljning/:key.pdf': { status: 200 },
  'GET /kommun/:slug/:period/aktiviteter.csv': { status: 200 },
  'GET /kommun/:slug/:period/aktiviteter.json': { status: 200 },
  'GET /kommun/:slug/medborgarloften.csv': { status: 200 },
  'GET /kommun/:slug/medborgarloften.json': { status: 200 },
  'GET /kommun/:slug/aktiviteter.csv': { status: 200 },
  'GET /kommun/:slug/aktiviteter.json': { status: 200 },
  'GET /kommun/:slug/flode.atom': { status: 200 },
  'GET /kommun/:slug/avloppsvatten': { status: 200 },
  'GET /kommun/:slug/avloppsvatten/data.csv': { status: 200 },
  'GET /kommun/:slug/avloppsvatten/data.json': { status: 200 },
  'GET /verifiera': { status: 200 },
  'GET /v/:hash': { status: 200 },
  'GET /indikatorer/:id': { status: 200 },
  'GET /indikatorer/:id/varden.csv': { status: 200 },
  'GET /oversikt': { status: 200 },
  'GET /oversikt.csv': { status: 200 },
  'GET /api/v1/openapi.json': { status: 200 },
  'GET /api/v1/pledges': { status: 200 },
  'GET /api/v1/pledges/:id': { status: 200 },
  'GET /api/v1/municipalities/:kommunkod/wastewater': { status: 200 },
  'GET /embed/kommun/:slug': { status: 200 },
  'GET /embed/kommun/:slug/:period': { status: 200 },
  // oEmbed without ?url= is a bad request (its own test covers a real URL).
  'GET /oembed': { status: 400 },
  'GET /data/medborgarloften.csv': { status: 200 },
  'GET /data/medborgarloften.json': { status: 200 },
  'GET /data/aktiviteter.csv': { status: 200 },
  'GET /data/aktiviteter.json': { status: 200 },
  'GET /dcat': { status: 200 },
  'GET /healthz': { status: 200 },
  'GET /readyz': { status: 200 },
  // No METRICS_TOKEN in the tests: /metrics is not served on the main port, whoever asks
  // (operations.test.ts covers the token and the admin port).
  'GET /metrics': { status: 404 },
  // Forms posted with a valid CSRF token and no fields (the POST walk below).
  // Each actor its own e-mail address too: the login throttle also counts per address.
  'POST /logga-in': { status: 401, fields: (a) => ({ email: `rundvandring-${a}@example.se`, password: 'fel' }) },
  'POST /glomt-losenord': { status: 422 },
  'POST /aterstall/:token': { status: 410 },
  // Posted last: it ends the actor's session.
  'POST /logga-ut': { status: 303 },
};

const isAdmin = (url: string) => url === '/admin' || url.startsWith('/admin/');
/** What an admin POST with a valid token and no fields may answer: done, refused, or the form again. */
const ADMIN_POST_OK = new Set([303, 400, 403, 404, 409, 413, 422]);

for (const target of targets) {
  describe.skipIf(target.skip)(`every route, with no session and with each role, on ${target.name}`, () => {
    let s: TestApp;
    let f: RouteFixtures;
    const cookie = (a: ActorKey) => (a === 'anon' ? '' : f.cookies[a]);
    // Each actor from its own address, so the login throttle counts each one apart.
    const address = (a: ActorKey) => `127.0.0.${10 + ACTORS.indexOf(a)}`;
    const routes = () => s.app.routeTable.map((r) => `${r.method} ${r.url}`);

    beforeAll(async () => {
      s = await openApp(target);
      f = await buildRouteFixtures(s);
    });
    afterAll(async () => s?.close());

    it('has an expectation for every route that is not an admin route', () => {
      const registered = routes().filter((r) => !isAdmin(r.split(' ')[1]!) && !r.startsWith('OPTIONS '));
      expect(registered.filter((r) => !OPEN[r])).toEqual([]);
      expect(Object.keys(OPEN).filter((r) => !registered.includes(r))).toEqual([]);
      for (const r of routes()) expect(f.urlFor(r.split(' ')[1]!), `no fixture for ${r}`).not.toMatch(/:[a-zA-Z]/);
    });

    it('answers every public, API, auth, embed and open-data GET as written, whoever asks', async () => {
      const outcome: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const r of s.app.routeTable.filter((x) => x.method === 'GET' && !isAdmin(x.url))) {
        const open = OPEN[`GET ${r.url}`]!;
        const url = f.urlFor(r.url);
        for (const a of ACTORS) {
          const res = await s.app.inject({ url, headers: a === 'anon' ? {} : { cookie: cookie(a) }, remoteAddress: address(a) });
          outcome[`${a} ${r.url}`] = String(res.statusCode);
          expected[`${a} ${r.url}`] = String(a !== 'anon' && open.signedIn ? open.signedIn : open.status);
        }
      }
      expect(outcome).toEqual(expected);
    }, 120_000);

    it('answers the CORS preflight of the API and of every open-data download, and of nothing else', async () => {
      const preflights = s.app.routeTable.filter((x) => x.method === 'OPTIONS');
      expect(preflights.length).toBeGreaterThan(5);
      const outcome: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const r of preflights) {
        // Only read-only resources: the API, or a public GET of its own.
        expect(r.url === '/api/v1/*' || (OPEN[`GET ${r.url}`] !== undefined && !isAdmin(r.url)), r.url).toBe(true);
        for (const a of ACTORS) {
          const url = r.url === '/api/v1/*' ? '/api/v1/pledges' : f.urlFor(r.url);
          const res = await s.app.inject({ method: 'OPTIONS', url, headers: { origin: 'https://example.org', 'access-control-request-method': 'GET', ...(a === 'anon' ? {} : { cookie: cookie(a) }) } });
          outcome[`${a} ${r.url}`] = `${res.statusCode} ${res.headers['access-control-allow-origin']} ${res.headers['access-control-allow-credentials'] ?? 'no credentials'}`;
          expected[`${a} ${r.url}`] = '204 * no credentials';
        }
      }
      expect(outcome).toEqual(expected);
    });

    // GETs first: the POST walk below may remove the fixtures it posts to.
    const adminGet: Record<string, Record<ActorKey, number>> = {};
    it('sends no session to the login page, shows the operator every admin page, and gives each role the page or 403', async () => {
      const outcome: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const r of s.app.routeTable.filter((x) => x.method === 'GET' && isAdmin(x.url))) {
        const url = f.urlFor(r.url);
        adminGet[url] = {} as Record<ActorKey, number>;
        for (const a of ACTORS) {
          const res = await s.app.inject({ url, headers: a === 'anon' ? {} : { cookie: cookie(a) }, remoteAddress: address(a) });
          adminGet[url]![a] = res.statusCode;
          const key = `${a} GET ${r.url}`;
          if (a === 'anon') {
            outcome[key] = `${res.statusCode} ${String(res.headers.location ?? '').split('?')[0]}`;
            expected[key] = '303 /logga-in';
          } else if (a === 'super') {
            outcome[key] = String(res.statusCode);
            expected[key] = '200';
          } else {
            outcome[key] = res.statusCode === 200 || res.statusCode === 403 ? '200 or 403' : String(res.statusCode);
            expected[key] = '200 or 403';
          }
        }
      }
      // The classes are not vacuous: some page is refused to some role, and some role sees some page.
      expect(Object.values(adminGet).some((byActor) => byActor.viewer === 403)).toBe(true);
      expect(Object.values(adminGet).some((byActor) => byActor.viewer === 200)).toBe(true);
      expect(outcome).toEqual(expected);
    });

    it('refuses a POST without a CSRF token to everyone, on every form route', async () => {
      const outcome: Record<string, number> = {};
      const expected: Record<string, number> = {};
      for (const r of s.app.routeTable.filter((x) => x.method === 'POST')) {
        for (const a of ACTORS) {
          const res = await s.app.inject({ method: r.method as 'POST', url: f.urlFor(r.url), headers: { 'content-type': 'application/x-www-form-urlencoded', ...(a === 'anon' ? {} : { cookie: cookie(a) }) }, payload: 'x=1', remoteAddress: address(a) });
          outcome[`${a} ${r.method} ${r.url}`] = res.statusCode;
          expected[`${a} ${r.method} ${r.url}`] = 403;
        }
      }
      expect(outcome).toEqual(expected);
    });

    it('answers every POST with a valid token and no fields without a 5xx: 401 with no session, and 403 where the page was refused', async () => {
      const outcome: Record<string, string> = {};
      const expected: Record<string, string> = {};
      const posts = s.app.routeTable.filter((x) => x.method === 'POST');
      // Logging out ends the session the rest of the walk uses: last.
      posts.sort((x, y) => Number(x.url === '/logga-ut') - Number(y.url === '/logga-ut'));
      // One token per actor: it stays valid with its secret cookie.
      const tokens = new Map<ActorKey, { token: string; cookie: string }>();
      for (const a of ACTORS) tokens.set(a, await csrfFor(s.app, '/glomt-losenord', cookie(a)));
      for (const r of posts) {
        const url = f.urlFor(r.url);
        for (const a of ACTORS) {
          const csrf = tokens.get(a)!;
          const fields = { ...(OPEN[`${r.method} ${r.url}`]?.fields?.(a) ?? {}), _csrf: csrf.token };
          // An upload form is multipart, as the browser sends it, with no file chosen.
          const body = r.upload ? multipartBody(fields, null) : { payload: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' };
          const res = await s.app.inject({ method: r.method as 'POST', url, headers: { cookie: csrf.cookie, 'content-type': body.contentType }, payload: body.payload, remoteAddress: address(a) });
          const key = `${a} ${r.method} ${r.url}`;
          if (!isAdmin(r.url)) {
            outcome[key] = String(res.statusCode);
            expected[key] = String(OPEN[`${r.method} ${r.url}`]!.status);
          } else if (a === 'anon') {
            outcome[key] = String(res.statusCode);
            expected[key] = '401';
          } else if (adminGet[url]?.[a] === 403) {
            outcome[key] = String(res.statusCode);
            expected[key] = '403';
          } else {
            outcome[key] = ADMIN_POST_OK.has(res.statusCode) ? 'no 5xx' : String(res.statusCode);
            expected[key] = 'no 5xx';
          }
        }
      }
      expect(outcome).toEqual(expected);
    }, 180_000);
  });

  describe.skipIf(target.skip)(`removing an activity that has been followed up, on ${target.name}`, () => {
    let s: TestApp;
    let f: RouteFixtures;
    beforeAll(async () => {
      s = await openApp(target);
      f = await buildRouteFixtures(s);
    });
    afterAll(async () => s?.close());

    it('is refused with 409, and the activity and its report stay (it was a 500 from the foreign key)', async () => {
      const activityId = f.params['/admin/aktiviteter/:id']!;
      const csrf = await csrfFor(s.app, '/glomt-losenord', f.cookies.editor);
      const res = await s.app.inject({
        method: 'POST',
        url: `/admin/aktiviteter/${activityId}/ta-bort`,
        headers: { cookie: csrf.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_csrf=${encodeURIComponent(csrf.token)}`,
      });
      expect(res.statusCode).toBe(409);
      expect(await findActivityWithPledge(s.t.db, activityId)).toBeTruthy();
      expect(await s.t.db.selectFrom('activity_update').select('id').where('activity_id', '=', activityId).execute()).toHaveLength(1);
    });
  });
}
