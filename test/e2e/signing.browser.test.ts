import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs, type Session } from '../support/auth.js';
import { browserSkip, expectNoAxeViolations, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';

const sqlite = targets.find((t) => t.name === 'sqlite')!;
const SHOTS = 'test-results/screenshots';
const PASSWORD = 'ett långt och hemligt lösenord';

/** Two signatories sign in a real browser, without JavaScript, and the coordinator freezes and records the meeting. */
const text = async (l: { textContent(): Promise<string | null> }) => (await l.textContent()) ?? '';

describe.skipIf(sqlite.skip || browserSkip)('signing in Chromium', () => {
  let s: TestApp;
  let browser: Browser;
  let base: string;
  let coordinator: Session;
  let director: Session;
  let chief: Session;
  let pledgeId: string;

  beforeAll(async () => {
    s = await openApp(sqlite, { demo: false });
    const municipality = await buildMunicipality(s.t.db, { name: 'Webbkommun', slug: 'webbkommun' });
    const police = await buildPoliceArea(s.t.db, { name: 'Lokalpolisområde Webb' });
    coordinator = await signedInAs(s.t.db, { partyId: municipality.id, role: 'editor' });
    director = await signedInAs(s.t.db, { partyId: municipality.id, role: 'viewer', password: PASSWORD });
    chief = await signedInAs(s.t.db, { partyId: police.id, role: 'viewer', password: PASSWORD });
    const draft = await createPledge(s.t.db, pledgeInput(municipality, police, { state: 'draft', title: 'Webbkommunens löfte' }));
    pledgeId = draft.id;
    for (const sig of draft.signatories)
      await s.t.db.updateTable('signatory').set({ user_id: sig.partyId === police.id ? chief.user.id : director.user.id }).where('id', '=', sig.id).execute();
    base = await s.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function pageAs(who: Session): Promise<Page> {
    const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true, locale: 'sv-SE' });
    await context.addCookies([{ name: SESSION_COOKIE, value: who.cookie.split('=')[1]!, url: base }]);
    return context.newPage();
  }

  it('freezes, signs twice and publishes, with every page passing axe', async () => {
    const c = await pageAs(coordinator);
    await c.goto(`${base}/admin/loften/${pledgeId}/undertecknande`);
    await expectNoAxeViolations(c);
    await c.getByRole('button', { name: 'Lås versionen för undertecknande' }).click();
    expect(await text(c.getByRole('status'))).toContain('Version 1 är låst');
    await expectNoAxeViolations(c);
    await c.getByLabel('Datum').fill('2026-11-27');
    await c.getByLabel('Typ av möte').selectOption('digital');
    await c.getByRole('button', { name: 'Spara mötet' }).click();
    expect(await text(c.getByRole('status'))).toContain('Mötet är registrerat');

    const d = await pageAs(director);
    await d.goto(`${base}/admin`);
    await d.getByRole('link', { name: /Version 1 av Webbkommunens löfte/ }).click();
    await expectNoAxeViolations(d);
    // A wrong password: the error is next to the field and in the summary, and the box stays ticked.
    await d.getByLabel(/Jag har läst version 1/).check();
    await d.getByLabel('Ditt lösenord').fill('fel lösenord');
    await d.getByRole('button', { name: 'Skriv under version 1' }).click();
    expect(await text(d.locator('.error-summary'))).toContain('Fel lösenord.');
    expect(await d.getByLabel(/Jag har läst version 1/).isChecked()).toBe(true);
    await expectNoAxeViolations(d);
    await d.screenshot({ path: `${SHOTS}/signing-error.png`, fullPage: true });
    await d.getByLabel('Ditt lösenord').fill(PASSWORD);
    await d.getByRole('button', { name: 'Skriv under version 1' }).click();
    expect(await text(d.getByRole('status'))).toContain('Versionen publiceras när alla har skrivit under');

    const p = await pageAs(chief);
    await p.goto(`${base}/admin/loften/${pledgeId}/undertecknande`);
    await p.getByRole('link', { name: 'Läs versionen och skriv under' }).click();
    await p.getByLabel(/Jag har läst version 1/).check();
    await p.getByLabel('Ditt lösenord').fill(PASSWORD);
    await p.getByRole('button', { name: 'Skriv under version 1' }).click();
    expect(await text(p.getByRole('status'))).toContain('Alla har nu skrivit under');
    await p.screenshot({ path: `${SHOTS}/signing-done.png`, fullPage: true });

    const pub = await browser.newPage();
    await pub.goto(`${base}/kommun/webbkommun`);
    expect(await text(pub.locator('.signed-line'))).toContain('Undertecknat 27 november 2026 av');
    expect(await text(pub.locator('.signed-line'))).toContain('vid ett digitalt möte');
    await pub.getByRole('link', { name: 'Kontrollera äktheten' }).click();
    expect((await text(pub.getByRole('heading', { level: 1 }))).trim()).toBe('Kontrollera ett undertecknat medborgarlöfte');
    expect(await text(pub.locator('main'))).toContain('Kontrollsumman hör till en undertecknad version.');
  });
});
