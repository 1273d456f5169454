import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type TestApp } from '../support/app.js';
import { browserSkip, expectNoAxeViolations, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';

const SHOTS = 'test-results/screenshots';

for (const target of targets) {
  describe.skipIf(target.skip || browserSkip)(`public pages in Chromium on ${target.name}`, () => {
    let s: TestApp;
    let browser: Browser;
    let context: BrowserContext;
    let base: string;

    beforeAll(async () => {
      s = await openApp(target);
      base = await s.app.listen({ host: '127.0.0.1', port: 0 });
      browser = await launchBrowser();
      // axe-core is injected by the test; our CSP rightly forbids any script on the page itself.
      context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true, locale: 'sv-SE' });
      mkdirSync(SHOTS, { recursive: true });
    });
    afterAll(async () => {
      await browser?.close();
      await s?.close();
    });

    it.each([
      ['/', 'index'],
      ['/?q=str%C3%A4ngn%C3%A4s', 'index-search'],
      ['/kommun/strangnas', 'strangnas'],
      ['/kommun/strangnas/2022-2023?lang=en', 'strangnas-en'],
      ['/kommun/vingaker', 'vingaker'],
      ['/tillganglighet', 'tillganglighet'],
      ['/kommun/strangnas/2022-2023/versioner', 'versions'],
      ['/kommun/strangnas/2022-2023/versioner/1', 'version-1'],
      ['/verifiera', 'verify'],
      ['/verifiera?kontrollsumma=inte-hex', 'verify-invalid'],
      ['/v/0123456789ab', 'verify-unknown'],
      ['/kommun/finns-inte', 'not-found'],
    ])('%s passes axe-core WCAG 2.1 A/AA with zero violations', async (path, name) => {
      const page = await context.newPage();
      const res = await page.goto(base + path);
      expect(res?.status()).toBe(name === 'not-found' ? 404 : 200);
      await expectNoAxeViolations(page);
      if (target.name === 'sqlite') await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
      await page.close();
    });

    it('works without JavaScript: search from the index to the Strängnäs pledge with the keyboard', async () => {
      const noJs = await browser.newContext({ javaScriptEnabled: false, locale: 'sv-SE' });
      const page = await noJs.newPage();
      await page.goto(base + '/');
      await page.keyboard.press('Tab');
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Hoppa till innehållet');
      await page.getByLabel('Sök kommun').fill('STRÄNGNÄS');
      await page.keyboard.press('Enter');
      await page.waitForURL(/q=STR%C3%84NGN%C3%84S/);
      expect(await page.locator('tbody tr').count()).toBe(1);
      await page.getByRole('link', { name: 'Strängnäs kommun' }).click();
      await page.waitForURL(/\/kommun\/strangnas$/);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Medborgarlöfte för Strängnäs kommun 2022–2023');
      expect(await page.title()).toBe('Strängnäs kommun 2022–2023 – Medborgarlöften');
      await noJs.close();
    });

    it('has an axe harness that does catch violations (negative control)', async () => {
      const page = await context.newPage();
      await page.setContent('<html><body><img src="x.png"><input type="text"></body></html>');
      await expect(expectNoAxeViolations(page)).rejects.toThrow(/image-alt/);
      await page.close();
    });

    it('prints without the site chrome', async () => {
      const page = await context.newPage();
      await page.emulateMedia({ media: 'print' });
      await page.goto(base + '/kommun/strangnas');
      expect(await page.locator('header.site').isVisible()).toBe(false);
      expect(await page.locator('h1').isVisible()).toBe(true);
      await page.close();
    });
  });
}
