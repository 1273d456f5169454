import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { openApp, type TestApp } from '../support/app.js';
import { browserSkip, expectNoAxeViolations, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';
import { buildRouteFixtures, type RouteFixtures } from '../support/route-fixtures.js';

/**
 * axe-core on every admin page and every public form page: the list is taken from the app's own
 * route table, so a new admin page is checked without anyone remembering to add it here.
 */
const sqlite = targets.find((t) => t.name === 'sqlite')!;

describe.skipIf(sqlite.skip || browserSkip)('axe-core on every admin page', () => {
  let s: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  let fixtures: RouteFixtures;

  beforeAll(async () => {
    // The same fixtures as the route walk: a draft pledge with every kind of child, a signed
    // version, a meeting, an import waiting for review, an indicator link, and the demo.
    s = await openApp(sqlite);
    fixtures = await buildRouteFixtures(s);
    base = await s.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
    await context.addCookies([{ name: SESSION_COOKIE, value: fixtures.cookies.super.split('=')[1]!, url: base }]);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('checks each admin GET page', async () => {
    // Downloads (CSV, JSON) are not pages: the permission matrix covers them.
    const routes = [...new Set(s.app.routeTable.filter((r) => r.method === 'GET' && r.url.startsWith('/admin') && !/\.(csv|json)$/.test(r.url)).map((r) => r.url))];
    expect(routes.length).toBeGreaterThan(15);
    const page = await context.newPage();
    const checked: string[] = [];
    for (const route of routes) {
      const url = fixtures.urlFor(route);
      expect(url, `no fixture for ${route}`).not.toContain(':');
      const res = await page.goto(base + url);
      expect(res?.status(), url).toBe(200);
      await expectNoAxeViolations(page);
      checked.push(url);
    }
    expect(checked).toHaveLength(routes.length);
  });

  it.each(['/logga-in', '/glomt-losenord', '/aterstall/ogiltig-lank'])('checks the public form page %s', async (url) => {
    const anon = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
    const page = await anon.newPage();
    await page.goto(base + url);
    await expectNoAxeViolations(page);
    await anon.close();
  });
});
