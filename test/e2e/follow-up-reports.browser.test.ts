import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/access/policy.js';
import { recordActivityUpdateAs } from '../../src/features/follow-up/activity-updates.js';
import { addAttendee, addDecision, closeMeeting, createYearEndReport, saveMinutes, scheduleMeeting } from '../../src/features/follow-up/meetings.js';
import { findActivityWithPledge } from '../../src/features/pledges/editing-repo.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { browserSkip, expectNoAxeViolations, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';

const SHOTS = 'test-results/screenshots';

/**
 * Follow-up reports and Brå meetings in Chromium: axe-core on the public report pages and on the
 * staff pages in their error and refusal states; a meeting planned, filled in and closed through
 * the forms, and a form left open on a closed meeting refused with its message.
 */
for (const target of targets) {
  describe.skipIf(target.skip || browserSkip)(`follow-up reports in Chromium on ${target.name}`, () => {
    let s: TestApp;
    let browser: Browser;
    let base: string;
    let pledgeId: string;
    let municipalityId: string;
    const contexts: BrowserContext[] = [];
    const publicBase = '/kommun/motesby/2024-2025';

    const check = async (page: Page, name: string) => {
      await expectNoAxeViolations(page);
      if (target.name === 'sqlite') await page.screenshot({ path: `${SHOTS}/follow-up-report-${name}.png`, fullPage: true });
    };
    async function editor(): Promise<Page> {
      const { cookie } = await signedInAs(s.t.db, { role: 'editor', partyId: municipalityId });
      const context = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
      await context.addCookies([{ name: SESSION_COOKIE, value: cookie.split('=')[1]!, url: base }]);
      contexts.push(context);
      return context.newPage();
    }

    beforeAll(async () => {
      s = await openApp(target, { demo: false });
      const m = await buildMunicipality(s.t.db, { name: 'Mötesby kommun', slug: 'motesby' });
      const p = await buildPoliceArea(s.t.db);
      const input = pledgeInput(m, p);
      input.focusAreas!.push({ title: 'Trygga skolor och fritidsgårdar', commitments: [{ title: 'Vuxna på plats', activities: [{ ownerPartyId: p.id, description: 'Polisen besöker skolor och fritidsgårdar', target: { kind: 'numeric', value: 40, unit: 'besök' } }] }] });
      const pledge = await createPledge(s.t.db, input);
      pledgeId = pledge.id;
      municipalityId = m.id;
      const [moped, walk] = pledge.focusAreas[0]!.commitments[0]!.activities.map((a) => a.id) as [string, string];
      const schools = pledge.focusAreas[1]!.commitments[0]!.activities[0]!.id;
      let now = new Date('2025-03-03T09:00:00Z');
      const deps = { db: s.t.db, clock: () => now };
      const report = async (id: string, form: Record<string, string>) =>
        recordActivityUpdateAs(deps, { label: 'test', authorName: 'Rapportör' }, id, { version: String((await findActivityWithPledge(s.t.db, id))!.version), ...form });
      await report(moped, { reportedOn: '2025-03-01', status: 'in_progress', statusReason: 'Kontrollerna har börjat', outcomeValue: '5', narrative: 'Kontroller i centrum och vid badplatserna.' });
      await report(schools, { reportedOn: '2025-03-02', status: 'in_progress', statusReason: 'Besöken har börjat', outcomeValue: '22', countLabel1: 'Fritidsgårdar', countValue1: '6' });
      await report(walk, { reportedOn: '2025-03-03', status: 'cancelled', statusReason: 'Ersätts av en digital trygghetsundersökning' });
      const op = (await signedInAs(s.t.db, { superadmin: true })).user;
      const by = { actor: { userId: op.id, name: op.name, email: op.email, partyId: null, role: null, isSuperadmin: true } satisfies Actor };
      const meeting = await scheduleMeeting(deps, by, pledgeId, { heldOn: '2025-04-08', location: 'Stadshuset, sal 3' });
      await addAttendee(deps, by, meeting.id, { organisation: 'Lokalpolisområdet', name: 'Pia Polis', roleTitle: 'Kommunpolis' });
      await addAttendee(deps, by, meeting.id, { organisation: 'Mötesby kommun', name: 'Kim Samordnare', roleTitle: 'Trygghetssamordnare' });
      await addDecision(deps, by, meeting.id, { text: 'Mopedkontrollerna fortsätter under sommaren.', activityId: moped });
      await saveMinutes(deps, by, meeting.id, { version: '1', minutes: 'Läget gicks igenom aktivitet för aktivitet.' });
      now = new Date('2025-04-08T16:00:00Z');
      await closeMeeting(deps, by, meeting.id, { version: '2' });
      now = new Date('2025-12-31T16:00:00Z');
      await createYearEndReport(deps, by, pledgeId, 2025);
      base = await s.app.listen({ host: '127.0.0.1', port: 0 });
      browser = await launchBrowser();
      mkdirSync(SHOTS, { recursive: true });
    });
    afterAll(async () => {
      for (const c of contexts) await c.close();
      await browser?.close();
      await s?.close();
    });

    it('passes axe-core on the public report list, a meeting report, a year-end report and the pledge page’s links', async () => {
      const context = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${base}${publicBase}`);
      await page.getByRole('link', { name: 'Alla uppföljningsrapporter' }).click();
      expect(page.url()).toBe(`${base}${publicBase}/uppfoljning`);
      await check(page, 'list');
      await page.getByRole('link', { name: 'Uppföljning 8 april 2025' }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Uppföljning 8 april 2025');
      expect(await page.getByRole('img', { name: /Framsteg per fokusområde/ }).count()).toBe(1);
      expect(await page.getByRole('table', { name: 'Framsteg per fokusområde i siffror' }).count()).toBe(1);
      await check(page, 'meeting');
      await page.goto(`${base}${publicBase}/uppfoljning/ar-2025?lang=en`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Year-end report 2025');
      await check(page, 'year-en');
    });

    it('lets an editor plan a meeting, fill it in and close it; a form left open on the closed meeting is refused with its message', async () => {
      const page = await editor();
      await page.goto(`${base}/admin/loften/${pledgeId}/moten`);
      await check(page, 'admin-meetings');
      await page.getByLabel('Datum').fill('2031-02-11');
      await page.getByLabel('Rubrik').fill('Extra möte');
      await page.getByRole('button', { name: 'Planera mötet' }).click();
      await expect.poll(() => page.locator('.error-summary').first().textContent()).toContain('Välj ett datum under löftets period (2024-01-01 – 2025-12-31), eller högst ett år före eller efter.');
      expect(await page.getByLabel('Rubrik').inputValue()).toBe('Extra möte');
      await page.getByLabel('Rubrik').fill('');
      await check(page, 'admin-meetings-error');
      await page.getByLabel('Datum').fill('2025-12-09');
      await page.getByLabel('Plats').first().fill('Polishuset');
      await page.getByRole('button', { name: 'Planera mötet' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toBe('Mötet är planerat.');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Brå-möte 9 december 2025');

      await page.getByRole('button', { name: 'Lägg till' }).click();
      await expect.poll(() => page.locator('.error-summary').first().textContent()).toContain('Ange vilken organisation personen företräder.');
      await check(page, 'admin-meeting-error');
      await page.getByLabel('Organisation').fill('Räddningstjänsten');
      await page.getByLabel('Namn').fill('Rut Räddare');
      await page.getByRole('button', { name: 'Lägg till' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toBe('Deltagaren är tillagd.');
      await page.getByRole('textbox', { name: 'Beslut' }).fill('Skolbesöken utökas till fritidsgårdarna på helger.');
      await page.getByLabel('Gäller aktivitet').selectOption({ label: 'Polisen besöker skolor och fritidsgårdar' });
      await page.getByRole('button', { name: 'Anteckna beslutet' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toBe('Beslutet är antecknat.');
      await check(page, 'admin-meeting');

      // The agenda: news since the April meeting, and those without a report flagged.
      const meetingUrl = page.url().split('?')[0]!;
      await page.goto(`${meetingUrl}/dagordning`);
      expect(await page.getByRole('heading', { name: /Ingen rapport/, level: 2 }).textContent()).toBe('Ingen rapport (2)');
      await check(page, 'agenda');

      // A second tab keeps the minutes form open while the meeting is closed in the first.
      const stale = await page.context().newPage();
      await stale.goto(meetingUrl);
      await page.goto(meetingUrl);
      await page.getByRole('button', { name: 'Stäng mötet och fastställ rapporten' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toBe('Mötet är stängt. Rapporten är fastställd och publicerad.');
      expect(await page.getByRole('button', { name: 'Stäng mötet och fastställ rapporten' }).count()).toBe(0);
      await stale.getByLabel('Anteckningar från mötet').fill('Skrivet efter att mötet stängdes.');
      await stale.getByRole('button', { name: 'Spara protokollet' }).click();
      await expect.poll(() => stale.locator('.error-summary').first().textContent()).toContain('Mötet är stängt och dess rapport är fastställd. Ett stängt möte kan inte ändras.');
      await check(stale, 'admin-meeting-refused');

      await page.getByRole('link', { name: 'Den publicerade rapporten' }).click();
      expect(page.url()).toBe(`${base}${publicBase}/uppfoljning/2025-12-09`);
      expect(await page.locator('body').textContent()).toContain('Rut Räddare');
      expect(await page.locator('body').textContent()).not.toContain('Skrivet efter att mötet stängdes.');
    });
  });
}
