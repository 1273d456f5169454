import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSignedVersion } from '../../src/features/signing/version-repo.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { browserSkip, expectNoAxeViolations, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';
import { buildPledge } from '../support/factories.js';
import { defineIndicator, linkIndicator } from '../../src/features/indicators/indicator-service.js';
import { readImport, startImport } from '../../src/features/wastewater/import-service.js';
import { insertSite } from '../../src/features/wastewater/wastewater-repo.js';
import { reportActivityUpdate } from '../../src/features/follow-up/activity-updates.js';
import { addAttendee, addDecision, scheduleMeeting } from '../../src/features/follow-up/meetings.js';

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
  const params: Record<string, string> = {};

  beforeAll(async () => {
    s = await openApp(sqlite, { demo: false });
    const built = await buildPledge(s.t.db, { state: 'draft' });
    const fa = built.pledge.focusAreas[0]!;
    const c = fa.commitments[0]!;
    const signed = await buildPledge(s.t.db, { state: 'signed' });
    const version = (await findSignedVersion(s.t.db, signed.pledge.id))!;
    const operator = await signedInAs(s.t.db, { superadmin: true });
    const viewer = await signedInAs(s.t.db, { role: 'viewer', partyId: built.municipality.id });
    // Wastewater: a site and an import waiting for confirmation (the preview page), of the pledge's municipality.
    const siteId = '00000000-0000-4000-8000-00000000a001';
    await insertSite(s.t.db, { id: siteId, partyId: built.municipality.id, code: 'AX', name: 'Axeverket', district: 'Axe', population: 5000, isDemo: false }, new Date().toISOString());
    const ww = { db: s.t.db, clock: () => new Date() };
    const importId = await startImport(ww, { partyId: built.municipality.id, filename: 'axe.csv', source: 'cli', actor: null, actorLabel: 'axe' });
    await readImport(ww, importId, 'site_code;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l\nAX;2024-04-02;1500;amfetamin;300;5\nAX;2024-04-03;1500;amfetamin;310,5;5\n');
    const deps = { db: s.t.db, clock: () => new Date() };
    const indicator = await defineIndicator(deps, { partyId: built.municipality.id, code: 'otrygghet', name: 'Andelen som känner sig otrygga', unit: 'percent', direction: 'down', source: 'trygghetsmatning', level: 'municipality' }, { actor: null, label: 'test' });
    const indicatorLink = await linkIndicator(deps, null, indicator.id, { place: `fa:${fa.id}`, baselineValue: '24', baselineYear: '2021', targetValue: '18', targetYear: '2025' }, { actor: null, label: 'test' });
    const asOperator = { userId: operator.user.id, name: operator.user.name, email: operator.user.email, partyId: null, role: null, isSuperadmin: true };
    const update = await reportActivityUpdate({ db: s.t.db, clock: () => new Date() }, asOperator, c.activities[1]!.id, { version: '1', status: 'in_progress', statusReason: 'Axe', narrative: 'En rapport att granska' });
    // A planned Brå meeting of a signed pledge, with an attendee and a decision: every form of the meeting page shows.
    const signedForMeeting = await buildPledge(s.t.db, { state: 'signed' });
    const meeting = await scheduleMeeting(deps, { actor: asOperator }, signedForMeeting.pledge.id, { heldOn: '2025-04-08', location: 'Stadshuset' });
    await addAttendee(deps, { actor: asOperator }, meeting.id, { organisation: 'Polisen', name: 'Pia Polis', roleTitle: 'Kommunpolis' });
    await addDecision(deps, { actor: asOperator }, meeting.id, { text: 'Fler kontroller.', activityId: signedForMeeting.pledge.focusAreas[0]!.commitments[0]!.activities[0]!.id });
    Object.assign(params, {
      '/admin/moten/:id': meeting.id,
      '/admin/avloppsvatten/:partyId': built.municipality.id,
      '/admin/avloppsvatten/import/:id': importId,
      '/admin/avloppsvatten/matpunkter/:id': siteId,
      '/admin/indikatorer/:id': indicator.id,
      '/admin/indikatorkopplingar/:id': indicatorLink,
      '/admin/loften/:id': built.pledge.id,
      '/admin/versioner/:id': version.id,
      '/admin/fokusomraden/:id': fa.id,
      '/admin/atagande/:id': c.id,
      '/admin/aktiviteter/:id': c.activities[1]!.id,
      '/admin/undertecknare/:id': built.pledge.signatories[0]!.id,
      '/admin/parter/:id': built.municipality.id,
      '/admin/parter/:partyId': built.municipality.id,
      '/admin/anvandare/:id': viewer.user.id,
      '/admin/historik/:type/:id': `pledge/${built.pledge.id}`,
      '/admin/aktivitetsrapporter/:id': update.id,
    });
    base = await s.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
    await context.addCookies([{ name: SESSION_COOKIE, value: operator.cookie.split('=')[1]!, url: base }]);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  /** Fills a route pattern from the fixtures: the longest matching prefix pattern wins. */
  function urlFor(route: string): string {
    if (route === '/admin/historik/:type/:id') return `/admin/historik/${params[route]}`;
    let url = route;
    for (const [pattern, value] of Object.entries(params).sort((a, b) => b[0].length - a[0].length)) {
      const param = pattern.slice(pattern.lastIndexOf('/') + 1);
      const prefix = pattern.slice(0, pattern.lastIndexOf('/') + 1);
      if (url.startsWith(prefix + param)) url = url.replace(prefix + param, prefix + value);
    }
    return url;
  }

  it('checks each admin GET page', async () => {
    // Downloads (CSV, JSON) are not pages: the permission matrix covers them.
    const routes = [...new Set(s.app.routeTable.filter((r) => r.method === 'GET' && r.url.startsWith('/admin') && !/\.(csv|json)$/.test(r.url)).map((r) => r.url))];
    expect(routes.length).toBeGreaterThan(15);
    const page = await context.newPage();
    const checked: string[] = [];
    for (const route of routes) {
      const url = urlFor(route);
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
