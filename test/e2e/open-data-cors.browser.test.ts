import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type TestApp } from '../support/app.js';
import { browserSkip, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';

/**
 * CORS as a real browser enforces it: a page on another origin reads the open data and the API,
 * preflight included, and cannot read the HTML pages or the admin, nor anything with cookies.
 */

interface Outcome {
  read: boolean;
  status?: number;
  etag?: string | null;
  disposition?: string | null;
  start?: string;
}

for (const target of targets) {
  describe.skipIf(target.skip || browserSkip)(`open data read from another origin in Chromium on ${target.name}`, () => {
    let s: TestApp;
    let browser: Browser;
    let other: Server;
    let page: Page;
    let app: string;

    beforeAll(async () => {
      s = await openApp(target);
      app = await s.app.listen({ host: '127.0.0.1', port: 0 });
      // Another site: same machine, different origin (localhost, not 127.0.0.1, and another port).
      other = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Kommunens webbplats</title>'));
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      browser = await launchBrowser();
      page = await (await browser.newContext()).newPage();
      await page.goto(`http://localhost:${(other.address() as AddressInfo).port}/`);
    });
    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => other?.close(resolve));
      await s?.close();
    });

    const read = (url: string, init: RequestInit = {}) =>
      page.evaluate(
        async ([u, i]) => {
          try {
            const r = await fetch(u, i);
            const text = await r.text();
            return { read: true, status: r.status, etag: r.headers.get('etag'), disposition: r.headers.get('content-disposition'), start: text.slice(0, 120) } as Outcome;
          } catch {
            return { read: false } as Outcome;
          }
        },
        [url, init] as const,
      );

    it('reads the downloads, the feed, the catalogue and the API, with the ETag and file name', async () => {
      const json = await read(`${app}/data/aktiviteter.json`);
      expect(json).toMatchObject({ read: true, status: 200, disposition: 'inline; filename="aktiviteter.json"' });
      expect(json.etag).toMatch(/^W\//);
      expect(json.start).toContain('"license"');
      expect(await read(`${app}/kommun/strangnas/2022-2023/aktiviteter.csv`)).toMatchObject({ read: true, status: 200, disposition: 'attachment; filename="aktiviteter-strangnas-2022-2023.csv"' });
      expect((await read(`${app}/kommun/strangnas/flode.atom`)).start).toContain('<feed');
      expect((await read(`${app}/dcat`)).start).toContain('<rdf:RDF');
      expect(await read(`${app}/api/v1/pledges/not-a-uuid`)).toMatchObject({ read: true, status: 400 });
    });

    it('passes the preflight a conditional request needs', async () => {
      const first = await read(`${app}/api/v1/pledges`);
      // If-None-Match is not a CORS-safelisted header, so this request is preflighted.
      const again = await read(`${app}/data/medborgarloften.json`, { headers: { 'If-None-Match': 'W/"inte-den"' } });
      expect(first).toMatchObject({ read: true, status: 200 });
      expect(again).toMatchObject({ read: true, status: 200 });
    });

    it('cannot read the pages, the admin or the login form', async () => {
      for (const path of ['/', '/kommun/strangnas', '/admin', '/logga-in']) expect(await read(`${app}${path}`), path).toEqual({ read: false });
    });

    it('cannot read open data with cookies attached', async () => {
      expect(await read(`${app}/data/aktiviteter.csv`, { credentials: 'include' })).toEqual({ read: false });
    });
  });
}
