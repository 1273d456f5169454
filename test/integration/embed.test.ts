import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/access/policy.js';
import { historyOf } from '../../src/features/audit/audit.js';
import { updatePledgeDetails } from '../../src/features/pledges/pledge-editing.js';
import { findPledgeRow } from '../../src/features/pledges/editing-repo.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { findPartyEmbed } from '../../src/features/publishing/embed/embed-repo.js';
import { startAmendment } from '../../src/features/signing/signing.js';
import { openApp, type TestApp } from '../support/app.js';
import { csrfFor, postForm, signedInAs, type Session } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPledge, buildPoliceArea } from '../support/factories.js';

/**
 * The embed for the parties' websites: who may frame it (CSP frame-ancestors from every party's
 * allow-list, no X-Frame-Options), whose look it wears (?part=), that it shows only signed
 * versions, its oEmbed answer, and the settings form that feeds all of it.
 */

const BASE = 'https://loften.example.se';
const SITE_CSP = "default-src 'none';style-src 'self';img-src 'self' data:;font-src 'self';form-action 'self';base-uri 'none';frame-ancestors 'none'";

function directives(res: LightMyRequestResponse): Map<string, string> {
  const csp = String(res.headers['content-security-policy']);
  return new Map(csp.split(';').map((d) => [d.slice(0, d.indexOf(' ')), d.slice(d.indexOf(' ') + 1)]));
}

/** All headers but the two that differ per response by design: Date and X-Request-Id. */
const withoutDate = (h: LightMyRequestResponse['headers']) => {
  const { date: _d, 'x-request-id': _requestId, ...rest } = h;
  return rest;
};

const actorOf = (s: Session): Actor => ({ userId: s.user.id, name: s.user.name, email: s.user.email, partyId: s.user.partyId, role: s.user.role, isSuperadmin: s.user.isSuperadmin });

for (const target of targets) {
  describe.skipIf(target.skip)(`embeds on ${target.name}`, () => {
    let s: TestApp;
    let municipality: Party;
    let police: Party;
    let pledgeId: string;
    let pledgeTitle: string;
    let muniAdmin: Session;
    let policeAdmin: Session;
    let operator: Session;

    beforeAll(async () => {
      // 2024-06-01: the factory's 2024–2025 pledge is in force.
      s = await openApp(target, { demo: false, today: '2024-06-01', publicBaseUrl: BASE });
      const built = await buildPledge(s.t.db);
      ({ municipality, police } = built);
      pledgeId = built.pledge.id;
      pledgeTitle = built.pledge.title;
      muniAdmin = await signedInAs(s.t.db, { role: 'admin', partyId: municipality.id });
      policeAdmin = await signedInAs(s.t.db, { role: 'admin', partyId: police.id });
      operator = await signedInAs(s.t.db, { superadmin: true });
    });
    afterAll(async () => s?.close());

    const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ method: 'GET', url, headers });
    const settingsUrl = (p: Party) => `/admin/parter/${p.id}/inbaddning`;

    /** Saves through the admin form, as a party's admin would, based on the version the form shows. */
    async function save(who: Session, p: Party, fields: Record<string, string>) {
      const version = String((await findPartyEmbed(s.t.db, p.id))!.version);
      // The CSRF token comes from a page anyone can open, so a refused actor gets as far as the policy.
      return postForm(s.app, '/glomt-losenord', settingsUrl(p), { version, embedOrigins: '', accentColor: '', logoUrl: '', headingLevel: '2', ...fields }, who.cookie);
    }

    it('with no origins anywhere, the embed is framed nowhere, and sends no X-Frame-Options', async () => {
      const res = await get(`/embed/kommun/${municipality.slug}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-frame-options']).toBeUndefined();
      expect(directives(res).get('frame-ancestors')).toBe("'none'");
      expect(res.headers['content-security-policy']).toBe(SITE_CSP);
    });

    it("builds frame-ancestors from both parties' allow-lists, normalised, and keeps X-Frame-Options everywhere else", async () => {
      const m = await save(muniAdmin, municipality, { embedOrigins: 'https://www.testkommun.se/\r\n\r\nhttp://localhost:8080\nhttps://www.testkommun.se' });
      expect(m.statusCode).toBe(303);
      const p = await save(policeAdmin, police, { embedOrigins: 'https://polisen.se\nhttps://www.testkommun.se:8443' });
      expect(p.statusCode).toBe(303);
      expect((await findPartyEmbed(s.t.db, municipality.id))!.settings.origins).toEqual(['http://localhost:8080', 'https://www.testkommun.se']);

      for (const url of [`/embed/kommun/${municipality.slug}`, `/embed/kommun/${municipality.slug}?part=${police.slug}`, `/embed/kommun/${municipality.slug}/2024-2025?lang=en`]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['x-frame-options'], url).toBeUndefined();
        expect(directives(res).get('frame-ancestors'), url).toBe('http://localhost:8080 https://polisen.se https://www.testkommun.se https://www.testkommun.se:8443');
        // Everything else in the policy stays the site's own.
        expect(directives(res).get('default-src')).toBe("'none'");
        expect(directives(res).get('base-uri')).toBe("'none'");
        expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      }
      // Every other response keeps both guards: the public page, the index, an admin page, an embed
      // that does not exist (404) and the oEmbed JSON.
      const elsewhere = [
        [`/kommun/${municipality.slug}`, {}],
        ['/', {}],
        [settingsUrl(municipality), { cookie: muniAdmin.cookie }],
        ['/embed/kommun/finns-inte', {}],
        [`/embed/kommun/${municipality.slug}?part=finns-inte`, {}],
        [`/oembed?url=${encodeURIComponent(`${BASE}/kommun/${municipality.slug}`)}`, {}],
      ] as const;
      for (const [url, headers] of elsewhere) {
        const res = await get(url, headers);
        expect(res.headers['x-frame-options'], url).toBe('DENY');
        expect(directives(res).get('frame-ancestors'), url).toBe("'none'");
      }
    });

    it('sends the very same headers from the page cache, and the new allow-list as soon as a party saves', async () => {
      const url = `/embed/kommun/${municipality.slug}`;
      s.app.pageCache!.invalidate();
      const fresh = await get(url, { 'accept-encoding': 'gzip' });
      const cached = await get(url, { 'accept-encoding': 'gzip' });
      expect(s.app.pageCache!.size).toBe(1);
      expect(withoutDate(cached.headers)).toEqual(withoutDate(fresh.headers));
      expect(cached.headers['x-frame-options']).toBeUndefined();
      const etag = String(fresh.headers.etag);
      expect((await get(url, { 'if-none-match': etag })).statusCode).toBe(304);

      expect((await save(policeAdmin, police, { embedOrigins: 'https://polisen.se' })).statusCode).toBe(303);
      const after = await get(url, { 'if-none-match': etag });
      // Same HTML, new framing policy: a new validator, so a revalidating browser gets the new header.
      expect(after.statusCode).toBe(200);
      expect(after.headers.etag).not.toBe(etag);
      expect(directives(after).get('frame-ancestors')).toBe('http://localhost:8080 https://polisen.se https://www.testkommun.se');
      const again = await get(url);
      expect(again.headers['content-security-policy']).toBe(after.headers['content-security-policy']);
      expect(again.headers['x-frame-options']).toBeUndefined();
    });

    it('wears the look of the party named in ?part=, the municipality by default', async () => {
      expect((await save(muniAdmin, municipality, { embedOrigins: 'https://www.testkommun.se', accentColor: '#1A5E20', logoUrl: 'https://www.testkommun.se/bilder/logo.svg', headingLevel: '2' })).statusCode).toBe(303);
      expect((await save(policeAdmin, police, { embedOrigins: 'https://polisen.se', accentColor: '#0b2265', logoUrl: 'https://static.polisen.se/logo.png?v=2', headingLevel: '3' })).statusCode).toBe(303);

      const muni = await get(`/embed/kommun/${municipality.slug}`);
      expect(muni.body).toContain(`<img src="https://www.testkommun.se/bilder/logo.svg" alt="${municipality.name}"/>`);
      expect(muni.body).toContain('<style>:root{--accent:#1a5e20}</style>');
      expect(muni.body).toContain(`<h1 class="title">${pledgeTitle}</h1>`);
      expect(muni.body).toContain('<h2 id="fa-1">Trygg trafikmiljö</h2>');
      expect(muni.body).toContain('<h3>Färre trimmade mopeder</h3>');
      const md = directives(muni);
      expect(md.get('img-src')).toBe("'self' data: https://www.testkommun.se");
      expect(md.get('style-src')).toBe(`'self' 'sha256-${createHash('sha256').update(':root{--accent:#1a5e20}').digest('base64')}'`);

      const pol = await get(`/embed/kommun/${municipality.slug}?part=${police.slug}`);
      expect(pol.statusCode).toBe(200);
      expect(pol.body).toContain(`<img src="https://static.polisen.se/logo.png?v=2" alt="${police.name}"/>`);
      expect(pol.body).toContain('<style>:root{--accent:#0b2265}</style>');
      expect(pol.body).not.toContain('testkommun.se/bilder');
      expect(pol.body).toContain(`<h2 class="title">${pledgeTitle}</h2>`);
      expect(pol.body).toContain('<h3 id="fa-1">Trygg trafikmiljö</h3>');
      expect(pol.body).toContain('<h4>Färre trimmade mopeder</h4>');
      expect(directives(pol).get('img-src')).toBe("'self' data: https://static.polisen.se");
      expect(directives(pol).get('style-src')).toContain(createHash('sha256').update(':root{--accent:#0b2265}').digest('base64'));
      // Naming the municipality itself is the same look as the default.
      expect((await get(`/embed/kommun/${municipality.slug}?part=${municipality.slug}`)).body).toBe(muni.body);
    });

    it('is minimal and complete: no site chrome, signed-on line, a link out to the whole page, English with ?lang=en', async () => {
      const res = await get(`/embed/kommun/${municipality.slug}`);
      expect(res.body.startsWith('<!doctype html><html lang="sv">')).toBe(true);
      expect(res.body).not.toContain('class="site"');
      expect(res.body).not.toContain('class="skip"');
      expect(res.body).toMatch(/<link rel="stylesheet" href="\/static\/embed\.css\?v=[0-9a-f]{12}"\/>/);
      expect(res.body).toContain('Undertecknat 1 januari 2024 av Pia Polischef (lokalpolisområdeschef, ' + police.name + ') och Kim Kommundirektör (kommundirektör, ' + municipality.name + ').');
      expect(res.body).toContain('<p class="notice ok">Det här löftet gäller nu.</p>');
      expect(res.body).toContain(`<a href="/kommun/${municipality.slug}" target="_top">Läs hela löftet på Medborgarlöften</a>`);
      expect(res.body).toContain(`<link rel="canonical" href="${BASE}/kommun/${municipality.slug}"/>`);
      expect(res.body).not.toContain('<script');

      const en = await get(`/embed/kommun/${municipality.slug}?lang=en&part=${police.slug}`);
      expect(en.body.startsWith('<!doctype html><html lang="en">')).toBe(true);
      expect(en.body).toContain('Signed on 1 January 2024 by Pia Polischef');
      expect(en.body).toContain(`<a href="/kommun/${municipality.slug}?lang=en" target="_top">`);

      const css = await get(res.body.match(/href="(\/static\/embed\.css\?v=[0-9a-f]+)"/)![1]!);
      expect(css.statusCode).toBe(200);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    });

    it('labels a pledge that is no longer in force, as the public page does', async () => {
      const later = await openApp(target, { demo: false, today: '2027-03-01' });
      try {
        const b = await buildPledge(later.t.db);
        const res = await later.app.inject({ url: `/embed/kommun/${b.municipality.slug}` });
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain('Det finns inget medborgarlöfte som gäller i dag. Här visas det senaste, för 2024–2025.');
      } finally {
        await later.close();
      }
    });

    it('refuses a ?part= that is not a party of the pledge shown', async () => {
      const outsider = await buildPoliceArea(s.t.db);
      expect((await get(`/embed/kommun/${municipality.slug}?part=${outsider.slug}`)).statusCode).toBe(404);
      expect((await get(`/embed/kommun/${municipality.slug}?part=Inte%20ett%20namn`)).statusCode).toBe(404);
      expect((await get(`/embed/kommun/${municipality.slug}?part=a&part=b`)).statusCode).toBe(404);
      expect((await get(`/embed/kommun/${municipality.slug}/2030-2031`)).statusCode).toBe(404);
      expect((await get(`/embed/kommun/${municipality.slug}/inte-en-period`)).statusCode).toBe(404);
    });

    it('never embeds a draft: a draft-only municipality is a 404 on the embed and in oEmbed', async () => {
      const draft = await buildPledge(s.t.db, { state: 'draft', title: 'HEMLIGT UTKAST' });
      const res = await get(`/embed/kommun/${draft.municipality.slug}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('HEMLIGT UTKAST');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect((await get(`/embed/kommun/${draft.municipality.slug}?part=${draft.police.slug}`)).statusCode).toBe(404);
      expect((await get(`/embed/kommun/${draft.municipality.slug}/2024-2025`)).statusCode).toBe(404);
      const o = await get(`/oembed?url=${encodeURIComponent(`${BASE}/kommun/${draft.municipality.slug}`)}&format=json`);
      expect(o.statusCode).toBe(404);
      expect(o.body).not.toContain('HEMLIGT');
    });

    it('shows the signed version while an amendment is being drafted', async () => {
      const b = await buildPledge(s.t.db);
      await startAmendment({ db: s.t.db, clock: () => new Date('2024-06-01T12:00:00Z') }, actorOf(operator), b.pledge.id);
      const row = await findPledgeRow(s.t.db, b.pledge.id);
      await updatePledgeDetails({ db: s.t.db, clock: () => new Date() }, actorOf(operator), b.pledge.id, { version: String(row!.version), title: 'ÄNDRINGSUTKAST', startsOn: '2024-01-01', endsOn: '2025-12-31', background: '' });
      const res = await get(`/embed/kommun/${b.municipality.slug}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(b.pledge.title);
      expect(res.body).not.toContain('ÄNDRINGSUTKAST');
      const o = await get(`/oembed?url=${encodeURIComponent(`${BASE}/kommun/${b.municipality.slug}`)}`);
      expect(JSON.parse(o.body).title).toBe(b.pledge.title);
    });

    it('answers oEmbed 1.0 rich JSON for a public pledge page', async () => {
      const page = `${BASE}/kommun/${municipality.slug}`;
      const res = await get(`/oembed?url=${encodeURIComponent(page)}&format=json`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(JSON.parse(res.body)).toEqual({
        version: '1.0',
        type: 'rich',
        provider_name: 'Medborgarlöften',
        provider_url: `${BASE}/`,
        title: pledgeTitle,
        html: `<iframe src="${BASE}/embed/kommun/${municipality.slug}" title="Medborgarlöfte för ${municipality.name}" width="600" height="800" loading="lazy"></iframe>`,
        width: 600,
        height: 800,
        cache_age: 3600,
      });
      // A period page, the police's look and English carry over; maxwidth and maxheight are upper bounds.
      const other = await get(`/oembed?url=${encodeURIComponent(`${page}/2024-2025?lang=en&part=${police.slug}`)}&maxwidth=480&maxheight=2000`);
      const o = JSON.parse(other.body);
      expect(other.statusCode).toBe(200);
      expect(o).toMatchObject({ width: 480, height: 800 });
      expect(o.html).toBe(`<iframe src="${BASE}/embed/kommun/${municipality.slug}/2024-2025?part=${police.slug}&amp;lang=en" title="Citizen pledge for ${municipality.name}" width="480" height="800" loading="lazy"></iframe>`);
      // The path alone, as the discovery link carries it when no public address is configured.
      expect((await get(`/oembed?url=${encodeURIComponent(`/kommun/${municipality.slug}`)}`)).statusCode).toBe(200);
    });

    it.each([
      ['format=xml', 'format=xml&url=PAGE', 501, 'unsupported_format'],
      ['another format', 'format=jsonp&url=PAGE', 501, 'unsupported_format'],
      ['no url', 'format=json', 400, 'invalid_parameter'],
      ['a bad maxwidth', 'url=PAGE&maxwidth=-5', 400, 'invalid_parameter'],
      ['another site', `url=${encodeURIComponent('https://evil.example/kommun/KOMMUN')}`, 404, 'not_found'],
      ['a page that is not a pledge', `url=${encodeURIComponent(`${BASE}/tillganglighet`)}`, 404, 'not_found'],
      ['the national index', `url=${encodeURIComponent(`${BASE}/`)}`, 404, 'not_found'],
      ['an unknown municipality', `url=${encodeURIComponent(`${BASE}/kommun/finns-inte`)}`, 404, 'not_found'],
      ['an unknown period', `url=${encodeURIComponent(`${BASE}/kommun/KOMMUN/2030`)}`, 404, 'not_found'],
      ['the embed itself', `url=${encodeURIComponent(`${BASE}/embed/kommun/KOMMUN`)}`, 404, 'not_found'],
      ['garbage', 'url=%3A%2F%2F', 404, 'not_found'],
    ])('answers oEmbed for %s with a stable error code', async (_name, query, status, code) => {
      const q = query.replace('PAGE', encodeURIComponent(`${BASE}/kommun/${municipality.slug}`)).replace(/KOMMUN/g, municipality.slug);
      const res = await get(`/oembed?${q}`);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(res.body).error.code).toBe(code);
    });

    it('announces oEmbed in the head of public pledge pages', async () => {
      const res = await get(`/kommun/${municipality.slug}`);
      const href = `${BASE}/oembed?url=${encodeURIComponent(`${BASE}/kommun/${municipality.slug}`)}&amp;format=json`;
      expect(res.body).toContain(`<link rel="alternate" type="application/json+oembed" href="${href}" title="${pledgeTitle}"/>`);
      const head = res.body.slice(0, res.body.indexOf('</head>'));
      expect(head).toContain('application/json+oembed');
      const period = await get(`/kommun/${municipality.slug}/2024-2025?lang=en`);
      expect(period.body).toContain(`href="${BASE}/oembed?url=${encodeURIComponent(`${BASE}/kommun/${municipality.slug}/2024-2025?lang=en`)}&amp;format=json"`);
      // The link leads to a working answer.
      const link = /type="application\/json\+oembed" href="([^"]+)"/.exec(period.body)![1]!.replace(/&amp;/g, '&').replace(BASE, '');
      expect(JSON.parse((await get(link)).body).type).toBe('rich');
    });

    it('shows the code to paste for each municipality the party shares a pledge with, and the oEmbed address', async () => {
      const res = await get(settingsUrl(police), { cookie: policeAdmin.cookie });
      expect(res.statusCode).toBe(200);
      const snippet = `<iframe src="${BASE}/embed/kommun/${municipality.slug}?part=${police.slug}" title="Medborgarlöfte för ${municipality.name}" width="100%" height="800" loading="lazy"></iframe>`;
      const escaped = snippet.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
      expect(res.body).toMatch(new RegExp(`<label for="snippet-0">HTML-kod för ${municipality.name}</label><textarea id="snippet-0" readonly(="")? rows="4">`));
      expect(res.body).toContain(`${escaped}</textarea>`);
      expect(res.body).toContain(`value="${BASE}/oembed?url=${encodeURIComponent(`${BASE}/kommun/${municipality.slug}?part=${police.slug}`)}&amp;format=json"`);
      expect(res.body).toContain(`href="/embed/kommun/${municipality.slug}?part=${police.slug}"`);
      // The party edit page links here.
      expect((await get(`/admin/parter/${police.id}`, { cookie: policeAdmin.cookie })).body).toContain(`href="${settingsUrl(police)}"`);
    });

    it('refuses bad settings with Swedish errors next to each field, and keeps what was typed', async () => {
      const before = await findPartyEmbed(s.t.db, municipality.id);
      const typed = { embedOrigins: 'https://www.testkommun.se\nhttp://www.testkommun.se\nhttps://www.testkommun.se/nyheter', accentColor: '#ffcc00', logoUrl: 'http://www.testkommun.se/logo.svg', headingLevel: '5' };
      const res = await save(muniAdmin, municipality, typed);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('class="error-summary"');
      expect(res.body).toMatch(/id="f-embedOrigins-error"><span class="visually-hidden">Fel: <\/span>Rad 2 \(”http:\/\/www.testkommun.se”\): adressen måste börja med https:\/\/. Okrypterad http går bara för localhost och 127.0.0.1. Rad 3 \(”https:\/\/www.testkommun.se\/nyheter”\): ange bara webbplatsens adress, utan sökväg/);
      expect(res.body).toMatch(/id="f-accentColor-error"><span class="visually-hidden">Fel: <\/span>Färgen #ffcc00 har kontrasten 1,5:1 mot vit bakgrund. Välj en mörkare färg med minst 4,5:1/);
      expect(res.body).toMatch(/id="f-logoUrl-error"><span class="visually-hidden">Fel: <\/span>Logotypens adress måste börja med https:\/\/.<\/p>/);
      expect(res.body).toMatch(/id="f-headingLevel-error"><span class="visually-hidden">Fel: <\/span>Välj en rubriknivå.<\/p>/);
      expect(res.body).toContain('aria-invalid="true"');
      // What was typed is back in the form.
      expect(res.body).toContain('>https://www.testkommun.se\nhttp://www.testkommun.se\nhttps://www.testkommun.se/nyheter</textarea>');
      expect(res.body).toContain('value="#ffcc00"');
      expect(res.body).toContain('value="http://www.testkommun.se/logo.svg"');
      // Nothing was saved.
      expect(await findPartyEmbed(s.t.db, municipality.id)).toEqual(before);

      const path = await save(muniAdmin, municipality, { embedOrigins: 'https://www.testkommun.se/nyheter' });
      expect(path.body).toMatch(/Rad 1 \(”https:\/\/www.testkommun.se\/nyheter”\): ange bara webbplatsens adress, utan sökväg, t.ex. https:\/\/www.testkommun.se./);
      const wildcard = await save(muniAdmin, municipality, { embedOrigins: 'https://*.testkommun.se' });
      expect(wildcard.body).toContain('jokertecken (*) går inte');
      const junk = await save(muniAdmin, municipality, { embedOrigins: 'www.testkommun.se', accentColor: 'grön' });
      expect(junk.body).toContain('Rad 1 (”www.testkommun.se”): det är inte en webbadress.');
      expect(junk.body).toContain('Ange färgen som en hexkod, t.ex. #0b4fb3.');
    });

    it('saves valid settings, audited, and answers a stale save with the stored values', async () => {
      const stale = String((await findPartyEmbed(s.t.db, municipality.id))!.version);
      const ok = await save(muniAdmin, municipality, { embedOrigins: 'http://127.0.0.1:3000\nhttps://intranat.testkommun.se', accentColor: '#767676', logoUrl: '', headingLevel: '4' });
      expect(ok.statusCode).toBe(303);
      expect(ok.headers.location).toBe(`${settingsUrl(municipality)}?klart=${encodeURIComponent('Inställningarna för inbäddning är sparade.')}`);
      const saved = await findPartyEmbed(s.t.db, municipality.id);
      expect(saved!.settings).toEqual({ origins: ['http://127.0.0.1:3000', 'https://intranat.testkommun.se'], accentColor: '#767676', logoUrl: null, headingLevel: 4 });
      const event = (await historyOf(s.t.db, 'party', municipality.id)).find((e) => e.action === 'party.embed' && e.after?.headingLevel === 4);
      expect(event).toMatchObject({ actorUserId: muniAdmin.user.id, after: { embedOrigins: 'http://127.0.0.1:3000\nhttps://intranat.testkommun.se', accentColor: '#767676', headingLevel: 4 } });

      const c = await csrfFor(s.app, settingsUrl(municipality), muniAdmin.cookie);
      const conflict = await s.app.inject({
        method: 'POST',
        url: settingsUrl(municipality),
        headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: c.token, version: stale, embedOrigins: 'https://annan.example.se', accentColor: '', logoUrl: '', headingLevel: '2' }).toString(),
      });
      expect(conflict.statusCode).toBe(409);
      expect(conflict.body).toContain('Någon annan har ändrat det här medan du redigerade');
      expect(conflict.body).toContain('https://intranat.testkommun.se');
      expect(conflict.body).toContain('>https://annan.example.se</textarea>');
      expect((await findPartyEmbed(s.t.db, municipality.id))!.settings.origins).toEqual(['http://127.0.0.1:3000', 'https://intranat.testkommun.se']);
    });

    it("lets only the party's own admins and the operator change its settings", async () => {
      const editor = await signedInAs(s.t.db, { role: 'editor', partyId: municipality.id });
      expect((await get(settingsUrl(municipality), { cookie: editor.cookie })).statusCode).toBe(403);
      expect((await get(settingsUrl(municipality), { cookie: policeAdmin.cookie })).statusCode).toBe(403);
      expect((await get(settingsUrl(municipality), { cookie: operator.cookie })).statusCode).toBe(200);
      expect((await get('/admin/parter/00000000-0000-0000-0000-000000000000/inbaddning', { cookie: operator.cookie })).statusCode).toBe(404);
      const refused = await save(policeAdmin, municipality, { embedOrigins: 'https://evil.example' });
      expect(refused.statusCode).toBe(403);
      expect((await findPartyEmbed(s.t.db, municipality.id))!.settings.origins).not.toContain('https://evil.example');
      const lonely = await buildMunicipality(s.t.db);
      const lonelyAdmin = await signedInAs(s.t.db, { role: 'admin', partyId: lonely.id });
      expect((await get(settingsUrl(lonely), { cookie: lonelyAdmin.cookie })).body).toContain('ingår inte i något medborgarlöfte ännu');
    });
  });
}
