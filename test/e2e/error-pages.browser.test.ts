import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../src/platform/i18n/index.js';
import { NotSavedPage, ServerErrorPage } from '../../src/platform/views/error-pages.js';
import { renderPage } from '../../src/platform/views/render.js';
import { openApp, type TestApp } from '../support/app.js';
import { browserSkip, expectNoAxeViolations, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';

/**
 * The pages people meet when something goes wrong must be as accessible as the rest. Those a
 * request can cause here are fetched for real; the outage pages (a database that is down,
 * read-only or full: the fault tests cause those with real processes) are the exact HTML the
 * error handler sends, served at the app's origin so its stylesheet applies.
 */
const sqlite = targets.find((t) => t.name === 'sqlite')!;
const SHOTS = 'test-results/screenshots';

describe.skipIf(sqlite.skip || browserSkip)('error pages in Chromium', () => {
  let s: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;

  beforeAll(async () => {
    s = await openApp(sqlite);
    base = await s.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it.each([
    ['/kommun/finns-inte', 404, 'not-found'],
    ['/kommun/strangnas/1999-2000?lang=en', 404, 'not-found-en'],
  ])('%s answers %i with an accessible page', async (url, status, shot) => {
    const page = await context.newPage();
    const res = await page.goto(base + url);
    expect(res?.status()).toBe(status);
    await expectNoAxeViolations(page);
    await page.screenshot({ path: `${SHOTS}/error-${shot}.png`, fullPage: true });
    await page.close();
  });

  const ctx = { locale: 'sv' as const, m: messages('sv'), url: '/admin/aktiviteter/x' };
  it.each([
    ['unavailable', ServerErrorPage({ ctx, unavailable: true })],
    ['internal', ServerErrorPage({ ctx, unavailable: false })],
    ['not-saved', NotSavedPage({ ctx, message: messages('sv').errors.storage_full, input: [['narrative', 'Två rader\nav text som inte får försvinna.'], ['status', 'in_progress']] })],
  ])('the %s page is accessible', async (name, vnode) => {
    const page = await context.newPage();
    await page.route(`${base}/__felsida`, (route) => route.fulfill({ status: 503, contentType: 'text/html; charset=utf-8', body: renderPage(vnode) }));
    await page.goto(`${base}/__felsida`);
    await expectNoAxeViolations(page);
    await page.screenshot({ path: `${SHOTS}/error-${name}.png`, fullPage: true });
    await page.close();
  });
});
