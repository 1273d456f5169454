import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type TestApp } from '../support/app.js';
import { postForm } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildRouteFixtures, type RouteFixtures } from '../support/route-fixtures.js';

/**
 * The security headers of every GET route in the route table (public pages, downloads, API,
 * embeds, and the admin pages as the operator), not a hand-picked list: a strict CSP without
 * inline scripts, Referrer-Policy, nosniff, no framing except the embeds, which allow exactly
 * the hosts their parties configured, and HSTS only when the request came over TLS.
 */
const HOSTS = ['https://www.strangnas.se', 'https://intranat.strangnas.se:8443'];

function csp(res: LightMyRequestResponse): Map<string, string[]> {
  const raw = String(res.headers['content-security-policy'] ?? '');
  return new Map(raw.split(';').map((d) => d.trim()).filter(Boolean).map((d) => { const [k, ...v] = d.split(/\s+/); return [k!.toLowerCase(), v]; }));
}

for (const target of targets) {
  describe.skipIf(target.skip)(`security headers on ${target.name}`, () => {
    let s: TestApp;
    let f: RouteFixtures;
    const isEmbed = (route: string) => route.startsWith('/embed/');
    const gets = () => s.app.routeTable.filter((r) => r.method === 'GET');
    const cookieFor = (route: string) => (route === '/admin' || route.startsWith('/admin/') ? { cookie: f.cookies.super } : {});

    beforeAll(async () => {
      s = await openApp(target);
      f = await buildRouteFixtures(s);
      // Strängnäs municipality allows two hosts to frame its pledge; its police area none.
      const party = await s.t.db.selectFrom('party').select(['id', 'version']).where('slug', '=', 'strangnas').executeTakeFirstOrThrow();
      const saved = await postForm(s.app, '/glomt-losenord', `/admin/parter/${party.id}/inbaddning`, { version: String(party.version), embedOrigins: HOSTS.join('\n'), accentColor: '', logoUrl: '', headingLevel: '2' }, f.cookies.super);
      expect(saved.statusCode).toBe(303);
    });
    afterAll(async () => s?.close());

    it('sends a CSP with no inline script or style, nosniff and a Referrer-Policy on every GET route', async () => {
      const problems: string[] = [];
      for (const r of gets()) {
        const res = await s.app.inject({ url: f.urlFor(r.url), headers: cookieFor(r.url) });
        const d = csp(res);
        const where = `${r.url} (${res.statusCode})`;
        if (d.get('default-src')?.join(' ') !== "'none'") problems.push(`${where}: default-src is ${d.get('default-src')}`);
        for (const dir of ['script-src', 'script-src-elem', 'script-src-attr', 'style-src', 'style-src-attr', 'default-src'])
          for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:'])
            if (d.get(dir)?.includes(bad)) problems.push(`${where}: ${dir} allows ${bad}`);
        if (d.get('base-uri')?.join(' ') !== "'none'") problems.push(`${where}: base-uri`);
        if (d.get('form-action')?.join(' ') !== "'self'") problems.push(`${where}: form-action`);
        if (res.headers['x-content-type-options'] !== 'nosniff') problems.push(`${where}: X-Content-Type-Options`);
        if (res.headers['referrer-policy'] !== 'strict-origin-when-cross-origin') problems.push(`${where}: Referrer-Policy ${res.headers['referrer-policy']}`);
        if (res.statusCode >= 500) problems.push(`${where}: server error`);
      }
      expect(problems).toEqual([]);
      expect(gets().length).toBeGreaterThan(80);
    });

    it("forbids framing everywhere but the embeds, which allow exactly the parties' configured hosts", async () => {
      const outcome: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const r of gets()) {
        const res = await s.app.inject({ url: f.urlFor(r.url), headers: cookieFor(r.url) });
        outcome[r.url] = `${csp(res).get('frame-ancestors')?.join(' ')} | X-Frame-Options ${res.headers['x-frame-options'] ?? 'none'}`;
        expected[r.url] = isEmbed(r.url) ? `${[...HOSTS].sort().join(' ')} | X-Frame-Options none` : "'none' | X-Frame-Options DENY";
      }
      expect(outcome).toEqual(expected);
      // An embed of a municipality that configured no host is framed nowhere; an unknown one is a plain 404 page.
      const vingaker = await s.app.inject({ url: '/embed/kommun/vingaker' });
      expect(vingaker.statusCode).toBe(200);
      expect(csp(vingaker).get('frame-ancestors')).toEqual(["'none'"]);
      const missing = await s.app.inject({ url: '/embed/kommun/finns-inte' });
      expect(missing.statusCode).toBe(404);
      expect([csp(missing).get('frame-ancestors'), missing.headers['x-frame-options']]).toEqual([["'none'"], 'DENY']);
    });

    it('sends HSTS only over TLS: behind a trusted proxy saying https, on every route, and never on plain http', async () => {
      const missing: string[] = [];
      const extra: string[] = [];
      for (const r of gets()) {
        const url = f.urlFor(r.url);
        const https = await s.app.inject({ url, headers: { ...cookieFor(r.url), 'x-forwarded-proto': 'https' } });
        if (!/^max-age=31536000; includeSubDomains$/.test(String(https.headers['strict-transport-security']))) missing.push(r.url);
        // Asked twice over plain http: the second answer may come from the page cache, which must not replay it.
        for (let i = 0; i < 2; i++) if ((await s.app.inject({ url, headers: cookieFor(r.url) })).headers['strict-transport-security'] !== undefined) extra.push(r.url);
      }
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
      // Errors too: a 404 over TLS has it.
      expect((await s.app.inject({ url: '/finns-inte', headers: { 'x-forwarded-proto': 'https' } })).headers['strict-transport-security']).toBeDefined();
    });

    it('ignores X-Forwarded-Proto from a client that is not a trusted proxy', async () => {
      // inject() never opens a socket: the address is only what the app is told the peer was.
      const res = await s.app.inject({ url: '/kommun/strangnas', headers: { 'x-forwarded-proto': 'https' }, remoteAddress: '203.0.113.7' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['strict-transport-security']).toBeUndefined();
    });
  });
}
