import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/access/policy.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { findPartyEmbed } from '../../src/features/publishing/embed/embed-repo.js';
import { updateEmbedSettings } from '../../src/features/publishing/embed/embed-service.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { browserSkip, expectNoAxeViolations, launchBrowser } from '../support/browser.js';
import { targets } from '../support/databases.js';
import { buildPledge } from '../support/factories.js';

/**
 * The embed in a real browser, framed by real host pages on other origins: the municipality's
 * website and the police's (both on the allow-lists) and a third site that is not. Chromium, not
 * our code, decides whether the frame renders, which is what the CSP frame-ancestors is for.
 */
const sqlite = targets.find((t) => t.name === 'sqlite')!;
const SHOTS = 'test-results/screenshots';

const MUNI_ACCENT = '#1a5e20';
const POLICE_ACCENT = '#0b2265';

/** A tiny website: one page that frames the embed, and a logo. */
function hostSite(name: string, colour: string, embedSrc: () => string, headingLevel: number): Server {
  const logo = `<svg xmlns="http://www.w3.org/2000/svg" width="180" height="40" viewBox="0 0 180 40"><rect width="180" height="40" rx="6" fill="${colour}"/><text x="90" y="26" font-family="sans-serif" font-size="16" fill="#fff" text-anchor="middle">${name}</text></svg>`;
  return createServer((req, res) => {
    if (req.url === '/logo.svg') return res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(logo);
    const h = `h${headingLevel - 2}`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>${name}</title></head>` +
        `<body style="margin:0;font-family:sans-serif;background:#eee"><header style="background:${colour};color:#fff;padding:1rem 2rem"><strong>${name}</strong></header>` +
        `<main style="max-width:50rem;margin:1rem auto;background:#fff;padding:1rem 2rem"><${h === 'h0' ? 'p' : h}>Trygghet och säkerhet</${h === 'h0' ? 'p' : h}>` +
        `<p>Så arbetar vi tillsammans för en tryggare kommun.</p>` +
        `<iframe src="${embedSrc()}" title="Medborgarlöfte" width="100%" height="700" loading="lazy" style="border:1px solid #ccc"></iframe></main></body></html>`,
    );
  });
}

async function listen(server: Server, host: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

describe.skipIf(sqlite.skip || browserSkip)('the embed in Chromium, framed by other websites', () => {
  let s: TestApp;
  let browser: Browser;
  /** A normal browser: CSP enforced, so framing rules apply. */
  let strict: BrowserContext;
  let app: string;
  let municipality: Party;
  let police: Party;
  let title: string;
  const servers: Server[] = [];
  const sites = { muni: '', police: '', other: '' };

  beforeAll(async () => {
    s = await openApp(sqlite, { demo: false, today: '2024-06-01' });
    const built = await buildPledge(s.t.db);
    ({ municipality, police } = built);
    title = built.pledge.title;
    app = await s.app.listen({ host: '127.0.0.1', port: 0 });
    const embed = (part?: string) => `${app}/embed/kommun/${municipality.slug}${part ? `?part=${part}` : ''}`;
    const muniSite = hostSite(municipality.name, MUNI_ACCENT, () => embed(), 2);
    const policeSite = hostSite(police.name, POLICE_ACCENT, () => embed(police.slug), 3);
    const otherSite = hostSite('Någon annan webbplats', '#444444', () => embed(), 2);
    servers.push(muniSite, policeSite, otherSite);
    // Two loopback origins on the allow-lists, and a third (another host name, another port) on none.
    sites.muni = await listen(muniSite, '127.0.0.1');
    sites.police = await listen(policeSite, '127.0.0.1');
    sites.other = await listen(otherSite, 'localhost');

    const operator = await signedInAs(s.t.db, { superadmin: true });
    const actor: Actor = { userId: operator.user.id, name: operator.user.name, email: operator.user.email, partyId: null, role: null, isSuperadmin: true };
    const deps = { db: s.t.db, clock: () => new Date() };
    const form = async (p: Party, f: Record<string, string>) =>
      updateEmbedSettings(deps, actor, p.id, { version: String((await findPartyEmbed(s.t.db, p.id))!.version), logoUrl: '', ...f });
    await form(municipality, { embedOrigins: sites.muni, accentColor: MUNI_ACCENT, headingLevel: '2' });
    await form(police, { embedOrigins: sites.police, accentColor: POLICE_ACCENT, headingLevel: '3' });
    // The form takes https logos only (embed.test.ts proves it); these host sites have no TLS, so
    // their logo addresses are written directly. The CSP's img-src is computed from them all the same.
    for (const [p, site] of [[municipality, sites.muni], [police, sites.police]] as const)
      await s.t.db.updateTable('party').set({ embed_logo_url: `${site}/logo.svg` }).where('id', '=', p.id).execute();

    browser = await launchBrowser();
    strict = await browser.newContext({ locale: 'sv-SE' });
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await new Promise((r) => server.close(r));
    await s?.close();
  });

  async function embedFrameOf(page: Page) {
    const handle = await page.waitForSelector('iframe');
    const frame = await handle.contentFrame();
    expect(frame).not.toBeNull();
    return frame!;
  }

  it("renders inside the municipality's website, in the municipality's colours, with its logo", async () => {
    const page = await strict.newPage();
    const response = page.waitForResponse((r) => r.url().includes('/embed/kommun/'));
    await page.goto(sites.muni);
    expect((await response).status()).toBe(200);
    const frame = await embedFrameOf(page);
    const heading = frame.locator('h1.title');
    await heading.waitFor();
    expect(await heading.textContent()).toBe(title);
    // The accent arrives through the one inline style, allowed by its hash in this response's CSP.
    expect(await heading.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(26, 94, 32)');
    // The logo loads from the host's own origin, which the CSP's img-src names for this response.
    const logo = frame.locator('img');
    expect(await logo.getAttribute('alt')).toBe(municipality.name);
    await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(180);
    expect(await frame.locator('h2#fa-1').textContent()).toBe('Trygg trafikmiljö');
    expect(await frame.locator('a[target="_top"]').getAttribute('href')).toBe(`/kommun/${municipality.slug}`);
    await page.screenshot({ path: `${SHOTS}/embed-kommun.png`, fullPage: true });
    await page.close();
  });

  it("renders inside the police's website in the police's look and heading levels", async () => {
    const page = await strict.newPage();
    await page.goto(sites.police);
    const frame = await embedFrameOf(page);
    const heading = frame.locator('h2.title');
    await heading.waitFor();
    expect(await heading.textContent()).toBe(title);
    expect(await heading.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(11, 34, 101)');
    expect(await frame.locator('img').getAttribute('alt')).toBe(police.name);
    await expect.poll(() => frame.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(180);
    expect(await frame.locator('h3#fa-1').textContent()).toBe('Trygg trafikmiljö');
    await page.screenshot({ path: `${SHOTS}/embed-polisen.png`, fullPage: true });
    await page.close();
  });

  it('is blocked on a website that no party allowed: the frame never holds the embed', async () => {
    const page = await strict.newPage();
    const refusals: string[] = [];
    page.on('console', (msg) => {
      if (/frame-ancestors/.test(msg.text())) refusals.push(msg.text());
    });
    const response = page.waitForResponse((r) => r.url().includes('/embed/kommun/'));
    await page.goto(sites.other);
    // We did answer (200): it is the browser, obeying our frame-ancestors, that refuses to show it.
    expect((await response).status()).toBe(200);
    const frame = await embedFrameOf(page);
    await expect.poll(() => refusals.length).toBeGreaterThan(0);
    expect(refusals[0]).toContain(`frame-ancestors ${[sites.muni, sites.police].sort().join(' ')}`);
    expect(frame.url()).not.toContain('/embed/kommun/');
    expect(await frame.locator('h1.title').count()).toBe(0);
    await page.close();
  });

  it('passes axe-core on the embed page itself, in both looks, and opens the whole pledge in the top window', async () => {
    // axe is injected by the test: the embed's CSP rightly allows no script.
    const axe = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
    const page = await axe.newPage();
    for (const part of ['', `?part=${police.slug}`, `?part=${police.slug}&lang=en`]) {
      const res = await page.goto(`${app}/embed/kommun/${municipality.slug}${part}`);
      expect(res?.status()).toBe(200);
      await expectNoAxeViolations(page);
    }
    await axe.close();

    const page2 = await strict.newPage();
    await page2.goto(sites.muni);
    const frame = await embedFrameOf(page2);
    await frame.locator('a[target="_top"]').click();
    await page2.waitForURL(`${app}/kommun/${municipality.slug}`);
    expect(await page2.locator('h1').textContent()).toBe(title);
    await page2.close();
  });

  it('shows the pledge without JavaScript', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false, locale: 'sv-SE' });
    const page = await noJs.newPage();
    await page.goto(sites.muni);
    const frame = await embedFrameOf(page);
    await frame.locator('h1.title').waitFor();
    expect(await frame.locator('h1.title').textContent()).toBe(title);
    await noJs.close();
  });
});
