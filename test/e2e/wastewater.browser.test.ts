import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPartyBySlug } from '../../src/features/pledges/pledge-repo.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { browserSkip, expectNoAxeViolations, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';

/**
 * The wastewater pages in Chromium: axe-core on the public page in its variants and on the staff
 * page with data, the filter form without JavaScript, and a lab file uploaded through the form.
 */
const SHOTS = 'test-results/screenshots';
const sqlite = targets.find((t) => t.name === 'sqlite')!;

describe.skipIf(sqlite.skip || browserSkip)('wastewater pages in Chromium', () => {
  let s: TestApp;
  let browser: Browser;
  let base: string;
  let partyId: string;

  beforeAll(async () => {
    s = await openApp(sqlite);
    base = await s.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
    partyId = (await findPartyBySlug(s.t.db, 'strangnas'))!.id;
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it.each([
    ['/kommun/strangnas/avloppsvatten', 'avloppsvatten'],
    ['/kommun/strangnas/avloppsvatten?substans=ketamin&loq=halva', 'avloppsvatten-ketamin'],
    ['/kommun/strangnas/avloppsvatten?substans=amfetamin&matt=konsumtion&amfetamin=korrigerad', 'avloppsvatten-konsumtion'],
    ['/kommun/strangnas/avloppsvatten?substans=mdma&lang=en', 'avloppsvatten-en'],
  ])('%s passes axe-core WCAG 2.1 A/AA', async (path, name) => {
    const context = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
    const page = await context.newPage();
    const res = await page.goto(base + path);
    expect(res?.status()).toBe(200);
    // Closed <details> hide their tables from axe: open them so every table is checked too.
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => d.setAttribute('open', '')));
    await expectNoAxeViolations(page);
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
    await context.close();
  });

  it('staff page with every district passes axe-core', async () => {
    const viewer = await signedInAs(s.t.db, { role: 'viewer', partyId });
    const context = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
    await context.addCookies([{ name: SESSION_COOKIE, value: viewer.cookie.split('=')[1]!, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/admin/avloppsvatten/${partyId}?substans=amfetamin`);
    await page.getByRole('heading', { name: /Stallarholmen/ }).waitFor();
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => d.setAttribute('open', '')));
    await expectNoAxeViolations(page);
    await context.close();
  });

  it('filters without JavaScript, from the form, keyboard only', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'sv-SE' });
    const page = await context.newPage();
    await page.goto(`${base}/kommun/strangnas/avloppsvatten`);
    await page.getByLabel('Ämne', { exact: true }).selectOption('mdma');
    await page.getByLabel('Värden under LOQ').selectOption('halva');
    await page.getByRole('button', { name: 'Visa' }).press('Enter');
    await page.waitForURL(/substans=mdma/);
    expect(page.url()).toContain('loq=halva');
    await page.getByRole('heading', { level: 2, name: 'MDMA (ecstasy)' }).waitFor();
    expect(await page.locator('svg[role="img"]').count()).toBeGreaterThanOrEqual(4);
    await context.close();
  });

  it('imports a lab file through the upload form, with a preview before anything is saved', async () => {
    const editor = await signedInAs(s.t.db, { role: 'editor', partyId });
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'sv-SE' });
    await context.addCookies([{ name: SESSION_COOKIE, value: editor.cookie.split('=')[1]!, url: base }]);
    const page = await context.newPage();
    const dir = mkdtempSync(join(tmpdir(), 'loften-ww-e2e-'));
    const file = join(dir, 'labb-2024.csv');
    writeFileSync(file, 'site_code;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l\r\nEKO;2024-03-12;7900;amfetamin;470,5;5\r\nEKO;2024-03-12;7900;ketamin;<LOQ;2\r\n');
    await page.goto(`${base}/admin/avloppsvatten/${partyId}/import`);
    await page.getByLabel('CSV-fil från labbet').setInputFiles(file);
    await page.getByRole('button', { name: 'Läs in och granska' }).click();
    await page.waitForURL(/\/admin\/avloppsvatten\/import\//);
    await s.app.wastewaterJobs.drain();
    await page.reload();
    await page.getByRole('heading', { name: 'Det här sparas om du godkänner' }).waitFor();
    await page.getByRole('button', { name: 'Spara i databasen' }).click();
    await s.app.wastewaterJobs.drain();
    await page.goto(page.url().replace(/\?.*$/, ''));
    await page.getByText('Importen är sparad').waitFor();
    await context.close();
  });
});
