import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { connect } from '../../src/db/connect.js';
import { migrationsFor } from '../../src/db/migrations/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { defineIndicator } from '../../src/features/indicators/indicator-service.js';
import { EXPECTED_MIGRATIONS } from '../../src/features/operations/health.js';
import { loggableUrl, requestIdFor } from '../../src/features/operations/logging.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { csrfFor, postForm, signedInAs, type Session } from '../support/auth.js';
import { createPostgresUrl, createSqliteUrl, targets, type TestDatabase } from '../support/databases.js';
import { buildMunicipality } from '../support/factories.js';
import { multipartBody } from '../support/multipart.js';

/** /healthz, /readyz, /metrics and the request id, through inject() on a real database of each kind. */

const TOKEN = 'test-metrics-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

/** The value of one sample in Prometheus text, or undefined when the series does not exist. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (want.every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function metricsOf(app: FastifyInstance): Promise<string> {
  const res = await app.inject({ url: '/metrics', headers: auth });
  expect(res.statusCode).toBe(200);
  return res.body;
}

describe('request ids and loggable URLs', () => {
  it('keeps a sane X-Request-Id and replaces anything else with a UUID', () => {
    const idOf = (v: string | undefined) => requestIdFor({ headers: v === undefined ? {} : { 'x-request-id': v } } as never);
    expect(idOf('lb-7f3a.42_x')).toBe('lb-7f3a.42_x');
    for (const bad of [undefined, '', 'a b', 'x'.repeat(65), 'id\n{"level":"fatal"}', 'å'])
      expect(idOf(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('hides reset tokens and credential-like query values, and nothing else', () => {
    expect(loggableUrl('/aterstall/s3cr3t-token')).toBe('/aterstall/***');
    expect(loggableUrl('/aterstall/s3cr3t-token?x=1')).toBe('/aterstall/***?x=1');
    expect(loggableUrl('/logga-in/sso/callback?code=abc&state=def&iss=https%3A%2F%2Fidp')).toBe('/logga-in/sso/callback?code=***&state=***&iss=https%3A%2F%2Fidp');
    expect(loggableUrl('/kommun/strangnas?lang=en&Token=x')).toBe('/kommun/strangnas?lang=en&Token=***');
    expect(loggableUrl('/kommun/strangnas/2022-2023')).toBe('/kommun/strangnas/2022-2023');
  });
});

for (const target of targets) {
  describe.skipIf(target.skip)(`operations endpoints on ${target.name}`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;

    beforeAll(async () => {
      t = await target.open();
      app = await buildApp({ db: t.db, metricsToken: TOKEN });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await t?.dispose();
    });

    it('answers liveness and readiness, uncached, echoing the request id', async () => {
      const live = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'probe-1' } });
      expect(live.statusCode).toBe(200);
      expect(live.json()).toEqual({ status: 'ok' });
      expect(live.headers['cache-control']).toBe('no-store');
      expect(live.headers['x-request-id']).toBe('probe-1');
      const ready = await app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready' });
      expect(ready.headers['cache-control']).toBe('no-store');
      expect(ready.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      // Any page gets one too, including the ones the page cache answers before routing ends.
      const home1 = await app.inject({ url: '/', headers: { 'x-request-id': 'home-1' } });
      const home2 = await app.inject({ url: '/', headers: { 'x-request-id': 'home-2' } });
      expect([home1.headers['x-request-id'], home2.headers['x-request-id']]).toEqual(['home-1', 'home-2']);
    });

    it('serves /metrics only with the bearer token, and not at all without one configured', async () => {
      expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
      const wrong = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}x` } });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(wrong.body).not.toContain('http_requests_total');
      const ok = await app.inject({ url: '/metrics', headers: auth });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(ok.headers['cache-control']).toBe('no-store');

      const closed = await buildApp({ db: t.db });
      try {
        const res = await closed.inject({ url: '/metrics', headers: auth });
        expect(res.statusCode).toBe(404);
        expect(res.body).not.toContain('http_requests_total');
      } finally {
        await closed.close();
      }
    });

    it('counts requests by route pattern, never by raw URL, with latency and process metrics', async () => {
      const party = await buildMunicipality(t.db, { slug: `ops-${randomUUID().slice(0, 8)}` });
      for (let i = 0; i < 3; i++) expect((await app.inject({ url: `/kommun/${party.slug}` })).statusCode).toBeLessThan(500);
      await app.inject({ url: `/no/such/page/${randomUUID()}` });
      await app.inject({ url: `/kommun/${party.slug}/nonsense/${randomUUID()}/x` });
      const text = await metricsOf(app);
      const counted = sample(text, 'http_requests_total', { method: 'GET', route: '/kommun/:slug' });
      expect(counted).toBeGreaterThanOrEqual(3);
      expect(sample(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/kommun/:slug' })).toBeGreaterThanOrEqual(3);
      expect(sample(text, 'http_request_duration_seconds_bucket', { method: 'GET', route: '/kommun/:slug', le: '+Inf' })).toBeGreaterThanOrEqual(3);
      expect(text).not.toContain(party.slug);
      expect(text).not.toContain('/no/such/page');
      // Process metrics from prom-client's default collectors.
      expect(sample(text, 'process_cpu_user_seconds_total', {})).toBeGreaterThan(0);
      expect(text).toContain('nodejs_eventloop_lag_seconds');
    });

    it('keeps each app’s counters apart, so several apps in one process do not collide', async () => {
      const other = await buildApp({ db: t.db, metricsToken: TOKEN });
      try {
        await other.inject({ url: '/healthz' });
        await other.inject({ url: '/healthz' });
        const mine = sample(await metricsOf(app), 'http_requests_total', { route: '/healthz', status: '200' }) ?? 0;
        const theirs = await metricsOf(other);
        expect(sample(theirs, 'http_requests_total', { route: '/healthz', status: '200' })).toBe(2);
        expect(sample(theirs, 'http_requests_total', { route: '/kommun/:slug' })).toBeUndefined();
        expect(mine).toBeGreaterThanOrEqual(1);
      } finally {
        await other.close();
      }
    });

    describe('import counters, where the imports finish', () => {
      let party: Party;
      let editor: Session;

      beforeAll(async () => {
        party = await buildMunicipality(t.db);
        editor = await signedInAs(t.db, { role: 'editor', partyId: party.id });
      });

      it('counts an applied wastewater import with its rows, and a refused file as failed', async () => {
        const csv = [
          'site_code;district;population;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l;below_loq',
          'N1;Norra;12000;2024-04-02;3600;amfetamin;400;5;',
          'N1;Norra;12000;2024-04-02;3600;bensoylekgonin;150,5;1;',
          'S1;Södra;1500;2024-04-02;450;amfetamin;300;5;',
        ].join('\n');
        const upload = async (content: string) => {
          const c = await csrfFor(app, `/admin/avloppsvatten/${party.id}/import`, editor.cookie);
          const body = multipartBody({ _csrf: c.token }, { name: 'file', filename: 'labb.csv', content });
          const res = await app.inject({ method: 'POST', url: `/admin/avloppsvatten/${party.id}/import`, headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
          expect(res.statusCode).toBe(303);
          await app.wastewaterJobs.drain();
          return res.headers.location as string;
        };
        const page = await upload(csv);
        // Read and waiting for a decision: not finished, not counted.
        expect(sample(await metricsOf(app), 'loften_imports_total', { kind: 'wastewater' })).toBeUndefined();
        expect((await postForm(app, page, `${page}/spara`, {}, editor.cookie)).statusCode).toBe(303);
        await app.wastewaterJobs.drain();
        // A second click loses the race and is no failure.
        expect((await postForm(app, page, `${page}/spara`, {}, editor.cookie)).statusCode).toBe(303);
        await app.wastewaterJobs.drain();
        await upload(`${csv}\nN1;;;2024-04-03;3600;heroin;12;1;`);
        const text = await metricsOf(app);
        expect(sample(text, 'loften_imports_total', { kind: 'wastewater', outcome: 'applied' })).toBe(1);
        expect(sample(text, 'loften_imports_total', { kind: 'wastewater', outcome: 'failed' })).toBe(1);
        expect(sample(text, 'loften_import_rows_total', { kind: 'wastewater' })).toBeGreaterThanOrEqual(3);
      });

      it('counts an indicator preview as a dry run, its confirmation as applied, and a refused file as failed', async () => {
        await defineIndicator(
          { db: t.db, clock: () => new Date() },
          { partyId: party.id, name: 'Andelen som känner sig otrygga', code: 'otrygghet', unit: 'percent', direction: 'down', source: 'trygghetsmatning', sourceDetail: 'Region Öst', level: 'municipality', reportingLagMonths: '3' },
          { actor: null, label: 'test' },
        );
        const upload = async (content: string) => {
          const c = await csrfFor(app, '/admin/indikatorer/import', editor.cookie);
          const body = multipartBody({ _csrf: c.token, partyId: party.id, format: 'csv' }, { name: 'file', filename: 'otrygghet.csv', content });
          return app.inject({ method: 'POST', url: '/admin/indikatorer/import', headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
        };
        const preview = await upload('indicator;period;value\notrygghet;2021;24\notrygghet;2022;21\n');
        expect(preview.statusCode).toBe(200);
        const hidden = Object.fromEntries([...preview.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')]));
        const { _csrf: _, ...fields } = hidden;
        expect((await postForm(app, '/admin/indikatorer/import', '/admin/indikatorer/import/spara', fields, editor.cookie)).statusCode).toBe(303);
        expect((await upload('indicator;period;value\notrygghet;2023;190\n')).statusCode).toBe(422);
        const text = await metricsOf(app);
        expect(sample(text, 'loften_imports_total', { kind: 'indicators', outcome: 'dry_run' })).toBe(1);
        expect(sample(text, 'loften_imports_total', { kind: 'indicators', outcome: 'applied' })).toBe(1);
        expect(sample(text, 'loften_imports_total', { kind: 'indicators', outcome: 'failed' })).toBe(1);
        expect(sample(text, 'loften_import_rows_total', { kind: 'indicators' })).toBe(4);
      });
    });
  });

  describe.skipIf(target.skip)(`readiness of a database that is not ready, on ${target.name}`, () => {
    async function freshUrl() {
      return target.name === 'sqlite' ? createSqliteUrl() : createPostgresUrl();
    }

    it('says migrations_pending, naming them, for a database migrated only part of the way', async () => {
      const made = await freshUrl();
      const database = await connect(made.url);
      try {
        const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrationsFor(database.dialect) } });
        const upTo = EXPECTED_MIGRATIONS.at(-2)!;
        expect((await migrator.migrateTo(upTo)).error).toBeUndefined();
        const app = await buildApp({ db: database.db });
        try {
          const res = await app.inject({ url: '/readyz' });
          expect(res.statusCode).toBe(503);
          expect(res.json()).toEqual({ status: 'unavailable', problem: 'migrations_pending', pending: [EXPECTED_MIGRATIONS.at(-1)] });
          expect(res.headers['cache-control']).toBe('no-store');
          expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
        } finally {
          await app.close();
        }
      } finally {
        await database.close();
        await made.cleanup();
      }
    });

    it('says migrations_pending for a database never migrated at all', async () => {
      const made = await freshUrl();
      const database = await connect(made.url);
      try {
        const app = await buildApp({ db: database.db });
        try {
          const res = await app.inject({ url: '/readyz' });
          expect(res.statusCode).toBe(503);
          expect(res.json()).toMatchObject({ problem: 'migrations_pending', pending: [...EXPECTED_MIGRATIONS] });
        } finally {
          await app.close();
        }
      } finally {
        await database.close();
        await made.cleanup();
      }
    });

    it('says database_unavailable once the database is gone, while liveness stays 200 without touching it', async () => {
      const made = await freshUrl();
      const database = await connect(made.url);
      try {
        await migrateToLatest(database);
        const app = await buildApp({ db: database.db });
        try {
          expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
          await database.close();
          const res = await app.inject({ url: '/readyz' });
          expect(res.statusCode).toBe(503);
          expect(res.json()).toEqual({ status: 'unavailable', problem: 'database_unavailable' });
          // Even a browser's session cookie does not make it look the session up.
          const live = await app.inject({ url: '/healthz', headers: { cookie: 'loften_session=abc' } });
          expect(live.statusCode).toBe(200);
          expect(live.json()).toEqual({ status: 'ok' });
        } finally {
          await app.close();
        }
      } finally {
        await made.cleanup();
      }
    });
  });
}
