import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { browserSkip, expectNoAxeViolations, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';
import { buildPledge } from '../support/factories.js';

const SHOTS = 'test-results/screenshots';
const PASSWORD = 'korrekt häst batteri häftklammer';

for (const target of targets) {
  describe.skipIf(target.skip || browserSkip)(`admin editing in Chromium on ${target.name}`, () => {
    let s: TestApp;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let base: string;
    let built: Awaited<ReturnType<typeof buildPledge>>;
    let email: string;

    beforeAll(async () => {
      s = await openApp(target, { demo: false });
      built = await buildPledge(s.t.db, { state: 'draft' });
      email = (await signedInAs(s.t.db, { role: 'editor', partyId: built.municipality.id, password: PASSWORD })).user.email;
      base = await s.app.listen({ host: '127.0.0.1', port: 0 });
      browser = await launchBrowser();
      context = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
      page = await context.newPage();
      mkdirSync(SHOTS, { recursive: true });
    });
    afterAll(async () => {
      await browser?.close();
      await s?.close();
    });

    const check = async (name: string) => {
      await expectNoAxeViolations(page);
      if (target.name === 'sqlite') await page.screenshot({ path: `${SHOTS}/admin-${name}.png`, fullPage: true });
    };

    it('signs in through the form, with errors shown in Swedish first', async () => {
      await page.goto(`${base}/admin`);
      await page.waitForURL(/\/logga-in\?next=%2Fadmin/);
      await check('login');
      await page.getByLabel('E-postadress').fill(email);
      await page.getByLabel('Lösenord').fill('fel lösenord helt enkelt');
      await page.getByRole('button', { name: 'Logga in' }).click();
      await expect.poll(() => page.locator('.error-summary').textContent()).toContain('Fel e-postadress eller lösenord.');
      expect(await page.getByLabel('E-postadress').inputValue()).toBe(email);
      await check('login-error');
      await page.getByLabel('Lösenord').fill(PASSWORD);
      await page.getByRole('button', { name: 'Logga in' }).click();
      await page.waitForURL(/\/admin$/);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Hej /);
      await check('dashboard');
    });

    it('edits the draft: details with a validation error, then a new focus area', async () => {
      await page.goto(`${base}/admin/loften`);
      await check('pledges');
      await page.getByRole('link', { name: built.pledge.title }).click();
      await check('pledge');
      await page.getByRole('link', { name: 'Redigera rubrik, period och bakgrund' }).click();
      await page.getByLabel('Rubrik').fill('');
      await page.getByLabel('Bakgrund').fill('Lägesbilden visar otrygghet i centrum.');
      await page.getByRole('button', { name: 'Spara' }).click();
      await expect.poll(() => page.locator('.error-summary a').first().textContent()).toBe('Ange en rubrik.');
      expect(await page.getByLabel('Bakgrund').inputValue()).toBe('Lägesbilden visar otrygghet i centrum.');
      await check('pledge-details-error');
      await page.locator('.error-summary a').first().click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-title');
      await page.getByLabel('Rubrik').fill('Medborgarlöfte för Testkommun 2024–2025');
      await page.getByRole('button', { name: 'Spara' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toBe('Ändringarna är sparade.');

      await page.getByRole('link', { name: 'Lägg till fokusområde' }).click();
      await check('focus-area-new');
      await page.getByLabel('Fokusområde').fill('Ungdomar och narkotika');
      await page.getByRole('button', { name: 'Spara' }).click();
      await expect.poll(() => page.getByRole('heading', { level: 2, name: 'Ungdomar och narkotika' }).count()).toBe(1);
    });

    it('edits an owned activity and shows its history', async () => {
      await page.goto(`${base}/admin/loften/${built.pledge.id}`);
      const walk = built.pledge.focusAreas[0]!.commitments[0]!.activities[1]!;
      await page.locator(`a[href="/admin/aktiviteter/${walk.id}"]`).click();
      await check('activity');
      await page.getByLabel('Typ av mål').selectOption('numeric');
      await page.getByLabel('Mål (antal)').fill('4');
      await page.getByLabel('Enhet').fill('trygghetsvandringar');
      await page.getByRole('button', { name: 'Spara aktiviteten' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toBe('Aktiviteten är sparad.');
      await page.getByRole('link', { name: 'Historik för aktiviteten' }).click();
      expect(await page.locator('ins').allTextContents()).toContain('4');
      await check('history');
    });

    it('signs out', async () => {
      await page.goto(`${base}/admin`);
      await page.getByRole('button', { name: 'Logga ut' }).click();
      await page.waitForURL(/\/logga-in\?utloggad=1/);
      await page.goto(`${base}/admin`);
      await page.waitForURL(/\/logga-in/);
    });
  });
}
