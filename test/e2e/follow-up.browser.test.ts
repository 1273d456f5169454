import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { findPartyBySlug } from '../../src/features/pledges/pledge-repo.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { browserSkip, expectNoAxeViolations, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';

const SHOTS = 'test-results/screenshots';

/**
 * Follow-up as people use it, in Chromium without JavaScript on the pages: the police report on
 * their activity (a refused form first), correct the report, the municipality acknowledges and
 * comments, and the public page shows the result. axe-core on every page and error state.
 */
for (const target of targets) {
  describe.skipIf(target.skip || browserSkip)(`follow-up in Chromium on ${target.name}`, () => {
    let s: TestApp;
    let browser: Browser;
    let base: string;
    let activityId: string;
    const contexts: BrowserContext[] = [];

    async function as(partySlug: string): Promise<Page> {
      const party = (await findPartyBySlug(s.t.db, partySlug))!;
      const { cookie } = await signedInAs(s.t.db, { role: 'reporter', partyId: party.id });
      const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true, locale: 'sv-SE' });
      await context.addCookies([{ name: SESSION_COOKIE, value: cookie.split('=')[1]!, url: base }]);
      contexts.push(context);
      return context.newPage();
    }
    const check = async (page: Page, name: string) => {
      await expectNoAxeViolations(page);
      if (target.name === 'sqlite') await page.screenshot({ path: `${SHOTS}/follow-up-${name}.png`, fullPage: true });
    };

    beforeAll(async () => {
      s = await openApp(target);
      activityId = (await s.t.db.selectFrom('activity').select('id').where('description', 'like', 'Polisen genomför narkotikasök%').executeTakeFirstOrThrow()).id;
      base = await s.app.listen({ host: '127.0.0.1', port: 0 });
      browser = await launchBrowser();
      mkdirSync(SHOTS, { recursive: true });
    });
    afterAll(async () => {
      for (const c of contexts) await c.close();
      await browser?.close();
      await s?.close();
    });

    it('lets the police report, refusing a status change without a reason, and then correct the report', async () => {
      const page = await as('lpo-strangnas');
      await page.goto(`${base}/admin/aktiviteter/${activityId}`);
      await check(page, 'activity');
      await page.getByLabel('Status', { exact: true }).selectOption('delayed');
      await page.getByLabel('Vad har räknats (1)').fill('Skolor där narkotikasök gjorts');
      await page.getByLabel('Antal (1)').fill('-1');
      await page.getByLabel('Vad har gjorts?').fill('Hunden är sjukskriven.');
      await page.getByRole('button', { name: 'Spara rapporten' }).click();
      await expect.poll(() => page.locator('.error-summary').textContent()).toContain('Ange varför statusen ändras.');
      expect(await page.locator('.error-summary').textContent()).toContain('Ett antal kan inte vara negativt.');
      expect(await page.getByLabel('Vad har gjorts?').inputValue()).toBe('Hunden är sjukskriven.');
      await check(page, 'activity-error');
      await page.locator('.error-summary a', { hasText: 'Ange varför statusen ändras.' }).click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-statusReason');
      await page.getByLabel('Skäl till ändrad status').fill('Hundföraren är föräldraledig.');
      await page.getByLabel('Antal (1)').fill('9');
      await page.getByRole('button', { name: 'Spara rapporten' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toBe('Rapporten är sparad.');
      expect(await page.locator('.update-history article').first().textContent()).toContain('från genomförd till försenad: Hundföraren är föräldraledig.');

      await page.locator('.update-history article').first().getByRole('link', { name: /^Rätta/ }).click();
      await expect.poll(() => page.getByRole('heading', { level: 2, name: /^Rätta rapporten från/ }).count()).toBe(1);
      await check(page, 'correction');
      await page.getByLabel('Skäl till ändrad status').fill('Hundföraren är föräldraledig till mars.');
      await page.getByRole('button', { name: 'Spara rättelsen' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toBe('Rättelsen är sparad.');
      expect(await page.locator('.update-history article.corrected').count()).toBe(2); // the demo's correction and this one
      await check(page, 'activity-history');
    });

    it('lets the municipality acknowledge and comment on the police’s report', async () => {
      const page = await as('strangnas');
      await page.goto(`${base}/admin/aktiviteter/${activityId}`);
      expect(await page.getByRole('button', { name: 'Spara rapporten' }).count()).toBe(0);
      const newest = page.locator('.update-history article').first();
      await newest.getByRole('button', { name: /^Kvittera/ }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toBe('Rapporten är kvitterad.');
      expect(await page.locator('.update-history article').first().textContent()).toContain('Kvitterad av');
      await page.locator('.update-history article').first().getByRole('link', { name: /^Kommentera/ }).click();
      await check(page, 'update-page');
      await page.getByRole('button', { name: 'Kommentera' }).click();
      await expect.poll(() => page.locator('.error-summary').textContent()).toContain('Skriv en kommentar.');
      await check(page, 'update-page-error');
      await page.getByLabel('Kommentar').fill('Kommunens fältassistenter kan följa med vid nästa sök.');
      await page.getByRole('button', { name: 'Kommentera' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toBe('Kommentaren är sparad.');
      expect(await page.locator('.update-history').textContent()).toContain('Kommunens fältassistenter kan följa med vid nästa sök.');
    });

    it('shows the result on the public page, without JavaScript', async () => {
      const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: false, locale: 'sv-SE' });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${base}/kommun/strangnas/2022-2023`);
      const cell = page.locator('tr', { hasText: 'Polisen genomför narkotikasök' }).locator('td').last();
      expect(await cell.textContent()).toContain('Försenad');
      expect(await cell.textContent()).toContain('Senast uppföljd 27 november 2026');
      expect(await page.locator('.followed.stale').first().textContent()).toBe('Ingen uppföljning sedan 4 april 2023');
      const withJs = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
      contexts.push(withJs);
      const axePage = await withJs.newPage();
      await axePage.goto(`${base}/kommun/strangnas/2022-2023`);
      await check(axePage, 'public');
      await axePage.goto(`${base}/kommun/strangnas/2022-2023?lang=en`);
      expect(await axePage.locator('body').textContent()).toContain('How progress is counted');
      await check(axePage, 'public-en');
    });
  });
}
