import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/access/policy.js';
import type { User } from '../../src/features/accounts/user.js';
import { seedDemo } from '../../src/features/demo/seed.js';
import { updatePledgeDetails } from '../../src/features/pledges/pledge-editing.js';
import type { z } from 'zod';
import type { ActivityInput, PledgeDocument } from '../../src/features/pledges/pledge.js';
import { addSignatory } from '../../src/features/pledges/structure-editing.js';
import { renderPledgePdf } from '../../src/features/publishing/pdf/pledge-pdf.js';
import { loadPublishedPledge } from '../../src/features/signing/published.js';
import { inAppReauthentication } from '../../src/features/signing/signature-provider.js';
import { freezeForSigning, signVersion, startAmendment, withdrawVersion } from '../../src/features/signing/signing.js';
import { shortHash } from '../../src/features/signing/version-content.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildPledge } from '../support/factories.js';
import { collapse, readPdf, wordsInOrder } from '../support/pdf.js';

const BASE = 'https://medborgarloften.example.se';
const STRANGNAS = '/kommun/strangnas/2022-2023';


function activitiesOf(doc: PledgeDocument) {
  return doc.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities));
}

const actorOf = (u: User): Actor => ({ userId: u.id, name: u.name, email: u.email, partyId: u.partyId, role: u.role, isSuperadmin: u.isSuperadmin });

for (const target of targets) {
  describe.skipIf(target.skip)(`signed PDF on ${target.name}`, () => {
    let s: TestApp;
    beforeAll(async () => {
      s = await openApp(target, { publicBaseUrl: BASE });
    });
    afterAll(async () => s?.close());

    const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ method: 'GET', url, headers });
    const pledgeIdOf = async (title: string) =>
      (await s.t.db.selectFrom('pledge').select('id').where('title', '=', title).executeTakeFirstOrThrow()).id;

    it('serves the Strängnäs pledge as a tagged PDF with every activity, the signatories and the full hash', async () => {
      const res = await get(`${STRANGNAS}.pdf`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe('inline; filename="medborgarlofte-strangnas-2022-2023-v1.pdf"');
      expect(res.rawPayload.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');

      const doc = (await loadPublishedPledge(s.t.db, await pledgeIdOf('Medborgarlöfte för Strängnäs kommun 2022–2023')))!;
      const hash = doc.signing!.contentHash;
      expect(res.headers.etag).toContain(hash);

      const pdf = await readPdf(res.rawPayload);
      // The parties as the heading, the period, å/ä/ö intact (the embedded font maps back to Unicode).
      expect(pdf.pages[0]).toMatch(/^Exempeldata: innehållet är en demonstration/);
      expect(collapse(pdf.pages[0]!)).toContain('Strängnäs kommun och Lokalpolisområde Strängnäs Medborgarlöfte för Strängnäs kommun 2022–2023');
      expect(pdf.flat).toContain('Period: 2022–2023 (1 januari 2022 – 31 december 2023)');
      expect(pdf.flat).toContain('Ökad trygghet och minskad brottslighet');
      expect(pdf.flat).toContain('Polisen agerar mot trimmade mopeder och A-traktorer');
      const activities = activitiesOf(doc);
      expect(activities.length).toBeGreaterThan(5);
      for (const a of activities) expect(pdf.content).toContain(collapse(a.description));
      expect(pdf.content).toContain('Varje år vecka 47–48');
      // Not the live status: the PDF is the signed document.
      expect(pdf.flat).not.toMatch(/\bPlanerad\b|\bPågår\b/);

      // The signature page is the last page: signatories, roles, parties, Swedish time, method, hash, URL.
      const last = collapse(pdf.pages.at(-1)!);
      expect(last).toContain('Underskrifter');
      expect(last).toContain('Christer Sjökvist');
      expect(last).toContain('Lars Ekström');
      expect(last).toContain('Kommundirektör');
      expect(last).toMatch(/1 januari 2022 kl\. 13:00/);
      expect(last).toContain('Undertecknat utanför appen och registrerat i efterhand');
      expect(last).toContain(`Version: 1`);
      expect(last).toContain(hash);
      expect(last).toContain(`${BASE}/v/${shortHash(hash)}`);
      expect(pdf.links).toEqual([{ url: `${BASE}/v/${shortHash(hash)}`, contents: 'Kontrollera version 1 av medborgarlöftet' }]);

      // Tagged: marked, a structure tree with real roles, Swedish, the title shown instead of the file name.
      expect(pdf.marked).toBe(true);
      for (const role of ['Document', 'H1', 'H2', 'H3', 'P', 'L', 'LI', 'Lbl', 'LBody', 'Table', 'THead', 'TBody', 'TR', 'TH', 'TD', 'Link'])
        expect(pdf.roles, role).toContain(role);
      expect(pdf.info.Language).toBe('sv-SE');
      expect(pdf.info.Title).toBe('Medborgarlöfte för Strängnäs kommun 2022–2023, version 1');
      expect(pdf.raw).toContain('/StructTreeRoot');
      expect(pdf.raw).toContain('/DisplayDocTitle true');
      expect(pdf.raw).toMatch(/\/Type \/OBJR/); // the link annotation belongs to its Link element
      // Page numbers and running heads are printed on every page, as artifacts that are not read aloud.
      expect(pdf.pages.every((p, i) => p.includes(`Sida ${i + 1} av ${pdf.pages.length}`) && p.includes('EXEMPELDATA – inte ett officiellt dokument'))).toBe(true);
      expect(pdf.content).not.toMatch(/Sida \d+ av|EXEMPELDATA/);
      // Every font is embedded DejaVu Sans; no unembedded standard font sneaks in.
      const baseFonts = [...pdf.raw.matchAll(/\/BaseFont \/(\S+)/g)].map((m) => m[1]);
      expect(baseFonts.length).toBeGreaterThanOrEqual(2);
      for (const f of baseFonts) expect(f).toMatch(/^[A-Z]{6}\+DejaVuSans(-Bold)?$/);
      expect(pdf.raw.match(/\/FontFile2 /g)?.length).toBe(new Set(baseFonts).size);
    });

    it('answers If-None-Match with 304, and serves version 1 by number with long-lived caching', async () => {
      const current = await get(`${STRANGNAS}.pdf`);
      expect(current.headers['cache-control']).toBe('public, max-age=60');
      expect(current.headers.link).toBe(`<${BASE}${STRANGNAS}/versioner/1.pdf>; rel="canonical"`);
      const etag = String(current.headers.etag);
      const again = await get(`${STRANGNAS}.pdf`, { 'if-none-match': etag });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(etag);
      expect((await get(`${STRANGNAS}.pdf`, { 'if-none-match': '"något-annat"' })).statusCode).toBe(200);

      const v1 = await get(`${STRANGNAS}/versioner/1.pdf`);
      expect(v1.statusCode).toBe(200);
      expect(v1.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(v1.headers.etag).toBe(etag);
      expect(v1.rawPayload.equals(current.rawPayload)).toBe(true);
      expect((await get(`${STRANGNAS}/versioner/1.pdf`, { 'if-none-match': etag })).statusCode).toBe(304);
    });

    it('is linked from the public pledge page, in Swedish and English', async () => {
      for (const [url, text] of [
        ['/kommun/strangnas', 'Ladda ner det undertecknade löftet som PDF'],
        ['/kommun/strangnas?lang=en', 'Download the signed pledge as a PDF (in Swedish)'],
      ] as const) {
        const html = (await get(url)).body;
        const href = /<a href="([^"]+)" type="application\/pdf" hreflang="sv">([^<]+)<\/a>/i.exec(html);
        expect(href?.[2], url).toBe(text);
        expect(href?.[1]).toBe(`${STRANGNAS}.pdf`);
        const pdf = await get(href![1]!);
        expect(pdf.statusCode).toBe(200);
        expect(pdf.headers['content-type']).toBe('application/pdf');
      }
    });

    it('keeps the HTML page at /kommun/{slug}/{period} and answers unknown addresses with the normal 404', async () => {
      const page = await get(STRANGNAS);
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      for (const url of [
        `${STRANGNAS}/versioner/2.pdf`,
        `${STRANGNAS}/versioner/0.pdf`,
        `${STRANGNAS}/versioner/ett.pdf`,
        '/kommun/strangnas/2030.pdf',
        '/kommun/ingenstans/2022-2023.pdf',
        '/kommun/Strangnas/2022-2023.pdf',
      ]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
        expect(res.body, url).toContain('Sidan finns inte');
      }
    });

    it('renders a pledge signed in the factory, and the same bytes every time', async () => {
      const { municipality, pledge } = await buildPledge(s.t.db, { state: 'signed', title: 'Löfte & samverkan <2024>' });
      const url = `/kommun/${municipality.slug}/2024-2025.pdf`;
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      const pdf = await readPdf(res.rawPayload);
      expect(pdf.flat).toContain(`${municipality.name} och Lokalpolisområde Test`);
      expect(pdf.flat).not.toContain('Exempeldata');
      // Characters that XML escapes survive into the Info dictionary and the XMP metadata alike.
      expect(pdf.info.Title).toBe('Löfte & samverkan <2024>, version 1');
      expect(pdf.xmpTitle).toBe('Löfte & samverkan <2024>, version 1');
      for (const text of ['Mopedkontroller', '12 kontroller', 'Trygghetsvandring', 'Minst en per kommundel', 'Varje höst', '1 april 2024–30 september 2024'])
        expect(pdf.flat).toContain(text);
      const last = collapse(pdf.pages.at(-1)!);
      expect(last).toContain('Pia Polischef');
      expect(last).toContain('Kim Kommundirektör');
      const doc = (await loadPublishedPledge(s.t.db, pledge.id))!;
      expect(last).toContain(doc.signing!.contentHash);

      const a = await renderPledgePdf(doc, { publicBaseUrl: BASE });
      const b = await renderPledgePdf(doc, { publicBaseUrl: BASE });
      expect(a.equals(b)).toBe(true);
      expect(a.equals(res.rawPayload)).toBe(true);
    });

    it('has no PDF for a draft', async () => {
      const { municipality } = await buildPledge(s.t.db, { state: 'draft' });
      expect((await get(`/kommun/${municipality.slug}/2024-2025`)).statusCode).toBe(404);
      expect((await get(`/kommun/${municipality.slug}/2024-2025.pdf`)).statusCode).toBe(404);
      expect((await get(`/kommun/${municipality.slug}/2024-2025/versioner/1.pdf`)).statusCode).toBe(404);
    });

    it('serves only signed versions through an amendment: not one awaiting signatures or withdrawn, but the superseded one', async () => {
      const password = 'ett långt lösenord 1';
      const { municipality, police, pledge } = await buildPledge(s.t.db, { state: 'draft', signatories: [], startsOn: '2026-01-01', endsOn: '2026-12-31' });
      const deps = { db: s.t.db, clock: () => new Date('2026-01-15T09:30:00Z') };
      const admin = actorOf((await signedInAs(s.t.db, { superadmin: true })).user);
      const chief = actorOf((await signedInAs(s.t.db, { role: 'admin', partyId: police.id, password })).user);
      const director = actorOf((await signedInAs(s.t.db, { role: 'admin', partyId: municipality.id, password })).user);
      await addSignatory(deps, admin, pledge.id, { partyId: police.id, name: 'Åsa Öberg', roleTitle: 'Lokalpolisområdeschef', userId: chief.userId });
      await addSignatory(deps, admin, pledge.id, { partyId: municipality.id, name: 'Örjan Ärlig', roleTitle: 'Kommundirektör', userId: director.userId });
      const signAll = async (versionId: string, contentHash: string, who: Actor[]) => {
        for (const actor of who) await signVersion(deps, inAppReauthentication, actor, { versionId, contentHash, input: { password } });
      };
      const setBackground = async (background: string) => {
        const row = await s.t.db.selectFrom('pledge').select(['version', 'title']).where('id', '=', pledge.id).executeTakeFirstOrThrow();
        await updatePledgeDetails(deps, admin, pledge.id, { version: row.version, title: row.title, startsOn: '2026-01-01', endsOn: '2026-12-31', background });
      };
      const base = `/kommun/${municipality.slug}/2026`;

      const v1 = await freezeForSigning(deps, admin, pledge.id);
      await signAll(v1.id, v1.contentHash, [chief]);
      expect((await get(`${base}.pdf`)).statusCode).toBe(404); // one of two signatures: not signed yet
      await signAll(v1.id, v1.contentHash, [director]);
      const first = await get(`${base}.pdf`);
      expect(first.statusCode).toBe(200);
      const firstPdf = await readPdf(first.rawPayload);
      const last = collapse(firstPdf.pages.at(-1)!);
      expect(last).toContain('Åsa Öberg');
      expect(last).toContain('Örjan Ärlig');
      expect(last).toContain('15 januari 2026 kl. 10:30'); // 09:30 UTC is 10:30 in Stockholm in winter
      expect(last).toContain('I appen, med lösenordet angivet på nytt');
      expect(last).toContain(v1.contentHash);

      // An amendment frozen and signed by one of two: the public PDF stays version 1.
      await startAmendment(deps, admin, pledge.id);
      await setBackground('Andra versionen, som drogs tillbaka.');
      const v2 = await freezeForSigning(deps, admin, pledge.id);
      await signAll(v2.id, v2.contentHash, [chief]);
      const during = await get(`${base}.pdf`);
      expect(during.headers['content-disposition']).toContain('-v1.pdf');
      expect(during.rawPayload.equals(first.rawPayload)).toBe(true);
      expect((await get(`${base}/versioner/2.pdf`)).statusCode).toBe(404);
      await withdrawVersion(deps, admin, v2.id);
      expect((await get(`${base}/versioner/2.pdf`)).statusCode).toBe(404);

      // Version 3 signed by both replaces version 1, which stays available by number.
      await setBackground('Tredje versionen, undertecknad.');
      const v3 = await freezeForSigning(deps, admin, pledge.id);
      expect(v3.number).toBe(3);
      await signAll(v3.id, v3.contentHash, [chief, director]);
      const now = await get(`${base}.pdf`);
      expect(now.headers['content-disposition']).toBe(`inline; filename="medborgarlofte-${municipality.slug}-2026-v3.pdf"`);
      const nowPdf = await readPdf(now.rawPayload);
      expect(nowPdf.flat).toContain('Tredje versionen, undertecknad.');
      expect(nowPdf.flat).toContain(v3.contentHash);
      expect(nowPdf.flat).not.toContain('Andra versionen');
      expect((await get(`${base}/versioner/2.pdf`)).statusCode).toBe(404);
      const old = await get(`${base}/versioner/1.pdf`);
      expect(old.statusCode).toBe(200);
      expect(old.rawPayload.equals(first.rawPayload)).toBe(true);
      expect(old.headers.etag).not.toBe(now.headers.etag);
    }, 90_000); // argon2 for three accounts and four signatures

    it('breaks a long activity table between rows and repeats its header row as an artifact', async () => {
      const { municipality, police } = await buildPledge(s.t.db, { state: 'draft' }); // parties only
      const long = `Lång aktivitet med å, ä och ö: ${'trygghetsvandring i kommundelen '.repeat(60)}`.slice(0, 2000).trim();
      const activities: z.input<typeof ActivityInput>[] = Array.from({ length: 45 }, (_, i) => ({
        ownerPartyId: i % 2 ? police.id : municipality.id,
        description: `Aktivitet nummer ${i + 1}: ${'samverkan '.repeat((i % 7) * 4)}slut ${i + 1}.`,
        target: { kind: 'numeric' as const, value: i + 1, unit: 'tillfällen' },
        schedule: { text: 'Varje kvartal' },
      }));
      activities.splice(20, 0, { ownerPartyId: police.id, description: long, target: { kind: 'text', text: 'Ö'.repeat(500) }, schedule: { text: 'Hela perioden' } });
      const { createPledge } = await import('../../src/features/pledges/pledge-service.js');
      await createPledge(s.t.db, {
        title: 'Ett långt löfte',
        startsOn: '2030-01-01',
        endsOn: '2030-12-31',
        state: 'signed',
        partyIds: [municipality.id, police.id],
        signatories: [{ partyId: police.id, name: 'Pia Polischef', roleTitle: 'Lokalpolisområdeschef' }],
        focusAreas: [{ title: 'Många aktiviteter', commitments: [{ title: 'Ett löfte med en lång tabell', activities }] }],
      });
      const res = await get(`/kommun/${municipality.slug}/2030.pdf`);
      expect(res.statusCode).toBe(200);
      const pdf = await readPdf(res.rawPayload);
      expect(pdf.pages.length).toBeGreaterThanOrEqual(4);
      for (const a of activities) {
        // The row taller than a page continues on the next one, after that page's repeated header (an artifact).
        if (a.description === long) expect(wordsInOrder(pdf.content, long)).toBe(true);
        else expect(pdf.content).toContain(collapse(a.description));
      }
      expect(pdf.content.match(/Ö/g)?.length).toBe(500);
      // Every page the table continues on starts with its header row again…
      const tablePages = pdf.pages.slice(0, -1).filter((p) => /Aktivitet nummer \d+/.test(p));
      expect(tablePages.length).toBeGreaterThanOrEqual(3);
      for (const p of tablePages) expect(p).toMatch(/Aktivitet\s+Ansvarig\s+Mål\s+När/);
      // …but the structure has the header once: 46 body rows + 1 header row, + the signature table's 1 + 1.
      expect(pdf.raw.match(/\/S \/TR\b/g)?.length).toBe(46 + 1 + 1 + 1);
      expect(pdf.raw.match(/\/S \/TH\b/g)?.length).toBe(4 + 5);
    });
  });

  describe.skipIf(target.skip)(`loften export pdf on ${target.name}`, () => {
    const run = promisify(execFile);
    const BIN = join(import.meta.dirname, '../../bin/loften.js');
    let url: string;
    let dispose: () => Promise<void>;
    let dir: string;
    beforeAll(async () => {
      const t = await target.open();
      await seedDemo(t.db);
      url = t.url;
      await t.close(); // the CLI owns the database while it runs
      dispose = t.dispose;
      dir = mkdtempSync(join(tmpdir(), 'loften-pdf-'));
    });
    afterAll(async () => {
      await dispose?.().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    });

    const loften = async (args: string[]) => {
      try {
        const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: url, PUBLIC_BASE_URL: BASE, LOG_LEVEL: 'silent' }, timeout: 60_000 });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };

    it('saves the signed PDF of a period, and refuses what has no signed PDF', async () => {
      const out = join(dir, 'strangnas.pdf');
      const ok = await loften(['export', 'pdf', '--municipality', 'strangnas', '--period', '2022-2023', '--out', out]);
      expect(ok.code).toBe(0);
      expect(ok.stdout.trim()).toMatch(/^Sparade version 1 av Medborgarlöfte för Strängnäs kommun 2022–2023 \(\d+ kB\) i .*strangnas\.pdf$/);
      const pdf = await readPdf(readFileSync(out));
      expect(pdf.flat).toContain('Christer Sjökvist');
      expect(pdf.flat).toMatch(new RegExp(`${BASE}/v/[0-9a-f]{12}`));

      const missing = await loften(['export', 'pdf', '--municipality', 'strangnas', '--period', '2022-2023', '--version', '2', '--out', join(dir, 'x.pdf')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim()).toBe('loften: Det finns ingen undertecknad version 2 av löftet.');
      expect((await loften(['export', 'pdf', '--municipality', 'strangnas'])).code).toBe(2);
      expect((await loften(['export', 'pdf', '--municipality', 'strangnas', '--period', '2022-2023', '--out', out, '--version', 'senaste'])).code).toBe(2);
    }, 120_000); // four runs of the real binary, each starting tsx
  });
}
