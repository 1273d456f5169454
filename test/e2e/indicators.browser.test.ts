import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineIndicator, importIndicatorValues, linkIndicator } from '../../src/features/indicators/indicator-service.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { browserSkip, expectNoAxeViolations, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';
import { buildPledge } from '../support/factories.js';

/**
 * Indicators and the national overview in Chromium: axe-core (WCAG 2.1 A/AA) on every new public
 * page in both languages, and the import flow as a coordinator goes through it, with axe on each step.
 */
const sqlite = targets.find((t) => t.name === 'sqlite')!;
const SHOTS = 'test-results/screenshots';
const BY = { actor: null, label: 'test' };

describe.skipIf(sqlite.skip || browserSkip)('indicators and the overview in Chromium', () => {
  let s: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  let built: Awaited<ReturnType<typeof buildPledge>>;
  let indicatorId: string;
  let editorCookie: string;

  beforeAll(async () => {
    s = await openApp(sqlite, { today: '2024-11-27' });
    built = await buildPledge(s.t.db, { state: 'signed', startsOn: '2024-01-01', endsOn: '2025-12-31' });
    const deps = { db: s.t.db, clock: () => new Date('2024-11-27T12:00:00Z') };
    const ind = await defineIndicator(deps, { partyId: built.municipality.id, code: 'otrygghet', name: 'Andelen som känner sig otrygga ute sent på kvällen', definition: 'Andel som svarar att de känner sig ganska eller mycket otrygga ute ensamma sent en kväll i sitt bostadsområde.', unit: 'percent', direction: 'down', source: 'trygghetsmatning', sourceDetail: 'Region Öst', level: 'municipality', reportingLagMonths: '3' }, BY);
    indicatorId = ind.id;
    await linkIndicator(deps, null, ind.id, { place: `fa:${built.pledge.focusAreas[0]!.id}`, baselineValue: '24', baselineYear: '2021', targetValue: '18', targetYear: '2025' }, BY);
    await importIndicatorValues(deps, BY, {
      partyId: built.municipality.id,
      format: 'csv',
      text: 'indicator;period;value;gender;status\notrygghet;2021;24;T;final\notrygghet;2021;31;K;final\notrygghet;2021;16;M;final\notrygghet;2022;21,5;T;final\notrygghet;2022;;K;suppressed\notrygghet;2022;15;M;final\notrygghet;2023;19;T;preliminary\notrygghet;2024;;T;not_yet_available\n',
      dryRun: false,
    });
    await importIndicatorValues(deps, BY, { partyId: built.municipality.id, format: 'csv', text: 'indicator;period;value\notrygghet;2022;22\n', dryRun: false });
    editorCookie = (await signedInAs(s.t.db, { role: 'editor', partyId: built.municipality.id })).cookie;
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
    ['/kommun/stromsund', 'indicators-stromsund'],
    ['/kommun/{slug}', 'indicators-pledge'],
    ['/kommun/{slug}?lang=en', 'indicators-pledge-en'],
    ['/indikatorer/{id}', 'indicators-page'],
    ['/indikatorer/{id}?lang=en', 'indicators-page-en'],
    ['/oversikt', 'overview'],
    ['/oversikt?lang=en&fokus=trafik&aktuella=1', 'overview-en'],
  ])('%s passes axe-core WCAG 2.1 A/AA', async (path, shot) => {
    const page = await context.newPage();
    const res = await page.goto(base + path.replace('{slug}', built.municipality.slug).replace('{id}', indicatorId));
    expect(res?.status()).toBe(200);
    await expectNoAxeViolations(page);
    await page.screenshot({ path: `${SHOTS}/${shot}.png`, fullPage: true });
    await page.close();
  });

  it('shows the chart as one image with a title and a description, and the figures in a table', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/indikatorer/${indicatorId}`);
    const chart = page.getByRole('img', { name: /Diagram: Andelen som känner sig otrygga/ });
    await expect.poll(() => chart.count()).toBe(1);
    const table = page.getByRole('table', { name: 'Värden för Andelen som känner sig otrygga ute sent på kvällen' });
    const rows = await table.locator('tbody tr').allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
      '2021 24 % 31 % 16 %',
      expect.stringMatching(/^2022 22 % Redovisas inte \(för litet underlag\) 15 % Totalt: Rättat \d{4}-\d{2}-\d{2}, tidigare 21,5 %$/),
      '2023 19 % (preliminärt) – –',
      '2024 Inte tillgängligt ännu – –',
    ]);
    // The sparkline beside the sentence is described in words, including the figure that is missing.
    const spark = page.locator('svg.sparkline desc');
    expect(await spark.first().textContent()).toBe('2021: 24 %; 2022: 22 %; 2023: 19 % (preliminärt); 2024: Inte tillgängligt ännu'.replace(/ %/g, '\u00a0%'));
    await page.close();
  });

  it('imports a CSV through the admin pages without JavaScript: refusal, preview, import', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false, locale: 'sv-SE' });
    await noJs.addCookies([{ name: SESSION_COOKIE, value: editorCookie.split('=')[1]!, url: base }]);
    const page = await noJs.newPage();
    await page.goto(`${base}/admin/indikatorer/import`);
    await page.getByLabel('Format').selectOption('csv');
    await page.getByLabel('Fil', { exact: true }).setInputFiles({ name: 'fel.csv', mimeType: 'text/csv', buffer: Buffer.from('indicator;period;value\notrygghet;2025;117\n') });
    await page.getByRole('button', { name: 'Förhandsgranska' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Rad 2, kolumn value: 117 ligger utanför 0–100');
    expect(await page.getByLabel('Format').inputValue()).toBe('csv');

    await page.getByLabel('Fil', { exact: true }).setInputFiles({ name: 'otrygghet.csv', mimeType: 'text/csv', buffer: Buffer.from('\uFEFFindicator;period;value;status\r\notrygghet;2023;19,5;final\r\n', 'utf8') });
    await page.getByRole('button', { name: 'Förhandsgranska' }).click();
    await page.getByRole('heading', { name: 'Förhandsgranska importen' }).waitFor();
    expect((await page.locator('main').innerText()).replace(/\u00a0/g, ' ')).toContain('2023: 19 % (preliminärt) → 19,5 %');
    await page.getByRole('button', { name: 'Importera 1 ändring' }).click();
    await page.waitForURL(/\/admin\/indikatorer\?klart=/);
    expect(await page.getByRole('status').innerText()).toBe('Importen är klar: 0 nya värden, 1 rättelse, 0 ändrade statusar, 0 oförändrade.');
    await noJs.close();

    // The same steps' pages, checked by axe-core (which needs script, so in the other context).
    const checked = await context.newPage();
    await context.addCookies([{ name: SESSION_COOKIE, value: editorCookie.split('=')[1]!, url: base }]);
    await checked.goto(`${base}/admin/indikatorer/import`);
    await checked.getByLabel('Format').selectOption('csv');
    await checked.getByLabel('Fil', { exact: true }).setInputFiles({ name: 'fel.csv', mimeType: 'text/csv', buffer: Buffer.from('indicator;period;value\notrygghet;2025;117\nnej;2025;1\n') });
    await checked.getByRole('button', { name: 'Förhandsgranska' }).click();
    await checked.getByRole('heading', { name: 'Filen kunde inte importeras' }).waitFor();
    await expectNoAxeViolations(checked);
    await checked.screenshot({ path: `${SHOTS}/indicators-import-error.png`, fullPage: true });
    await checked.getByLabel('Fil', { exact: true }).setInputFiles({ name: 'ny.csv', mimeType: 'text/csv', buffer: Buffer.from('indicator;period;value\notrygghet;2024;18\n') });
    await checked.getByRole('button', { name: 'Förhandsgranska' }).click();
    await checked.getByRole('heading', { name: 'Förhandsgranska importen' }).waitFor();
    await expectNoAxeViolations(checked);
    await checked.screenshot({ path: `${SHOTS}/indicators-import-preview.png`, fullPage: true });
    await checked.close();
    await context.clearCookies();
  });
});
