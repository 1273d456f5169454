import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/access/policy.js';
import { recordActivityUpdateAs } from '../../src/features/follow-up/activity-updates.js';
import { addAttendee, addDecision, closeMeeting, saveMinutes, scheduleMeeting } from '../../src/features/follow-up/meetings.js';
import { findActivityWithPledge } from '../../src/features/pledges/editing-repo.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';
import { readPdf, wordsInOrder } from '../support/pdf.js';

const BASE = 'https://medborgarloften.example.se';

/** The report PDF: tagged, its text extractable with pdf.js, immutable with an ETag from the snapshot's hash. */
for (const target of targets) {
  describe.skipIf(target.skip)(`follow-up report PDF on ${target.name}`, () => {
    let s: TestApp;
    let now = new Date('2025-03-03T09:00:00Z');
    const url = '/kommun/pdfby/2024-2025/uppfoljning/2025-04-08.pdf';
    let moped: string;
    const report = async (id: string, form: Record<string, string>) =>
      recordActivityUpdateAs({ db: s.t.db, clock: () => now }, { label: 'test', authorName: 'Rapportör' }, id, { version: String((await findActivityWithPledge(s.t.db, id))!.version), ...form });

    beforeAll(async () => {
      s = await openApp(target, { demo: false, clock: () => now, publicBaseUrl: BASE });
      const m = await buildMunicipality(s.t.db, { name: 'Pdfby kommun', slug: 'pdfby' });
      const p = await buildPoliceArea(s.t.db, { name: 'Lokalpolisområde Pdfby' });
      const pledge = await createPledge(s.t.db, pledgeInput(m, p, { title: 'Medborgarlöfte för Pdfby & <grannar>' }));
      [moped] = pledge.focusAreas[0]!.commitments[0]!.activities.map((a) => a.id) as [string];
      await report(moped, { reportedOn: '2025-03-01', status: 'in_progress', statusReason: 'Kontrollerna har börjat', outcomeValue: '4', narrative: 'Fyra kontroller i centrum.' });
      const op = (await signedInAs(s.t.db, { superadmin: true })).user;
      const by = { actor: { userId: op.id, name: op.name, email: op.email, partyId: null, role: null, isSuperadmin: true } satisfies Actor };
      const deps = { db: s.t.db, clock: () => now };
      const meeting = await scheduleMeeting(deps, by, pledge.id, { heldOn: '2025-04-08', location: 'Stadshuset' });
      await addAttendee(deps, by, meeting.id, { organisation: 'Lokalpolisområde Pdfby', name: 'Pia Polis', roleTitle: 'Kommunpolis' });
      await addDecision(deps, by, meeting.id, { text: 'Fler kontroller före sommaren.', activityId: moped });
      await saveMinutes(deps, by, meeting.id, { version: '1', minutes: 'Läget gicks igenom.\nNästa möte i september.' });
      now = new Date('2025-04-08T16:00:00Z');
      await closeMeeting(deps, by, meeting.id, { version: '2' });
    });
    afterAll(async () => s?.close());

    it('is a tagged Swedish PDF whose text reads like the report: target → outcome, what changed, the meeting', async () => {
      const res = await s.app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-disposition']).toBe('inline; filename="uppfoljning-pdfby-2024-2025-2025-04-08.pdf"');
      const pdf = await readPdf(res.rawPayload);
      expect(pdf.marked).toBe(true);
      expect(pdf.info.Language).toBe('sv-SE');
      expect(pdf.info.Title).toBe('Uppföljning 8 april 2025: Medborgarlöfte för Pdfby & <grannar>');
      expect(pdf.xmpTitle).toBe('Uppföljning 8 april 2025: Medborgarlöfte för Pdfby & <grannar>');
      for (const role of ['Document', 'H1', 'H2', 'H3', 'P', 'Table', 'TH', 'TD', 'L', 'LI', 'Link']) expect(pdf.roles, role).toContain(role);
      expect(pdf.content).toContain('Vad har hänt sedan förra rapporten');
      expect(pdf.content).toContain('Mopedkontroller: Planerad → Pågår. Skäl: Kontrollerna har börjat');
      expect(wordsInOrder(pdf.content, 'Mopedkontroller Lokalpolisområde Pdfby 12 kontroller 4 kontroller Pågår, 4 av 12 kontroller (33 %) 1 mars 2025')).toBe(true);
      expect(wordsInOrder(pdf.content, 'Trygghetsvandring Pdfby kommun Minst en per kommundel Planerad Ingen rapport')).toBe(true);
      expect(wordsInOrder(pdf.content, 'Trygg trafikmiljö 16 % 2 0 0 Hela löftet 16 %')).toBe(true);
      expect(pdf.content).toContain('Fler kontroller före sommaren. Gäller: Mopedkontroller');
      expect(pdf.content).toContain('Nästa möte i september.');
      // Page furniture is there to see but not to read aloud.
      expect(pdf.pages[0]).toContain('Sida 1 av');
      expect(pdf.content).not.toContain('Sida 1 av');
      expect(pdf.links).toEqual([{ url: `${BASE}/kommun/pdfby/2024-2025/uppfoljning/2025-04-08`, contents: 'Uppföljning 8 april 2025 på webben' }]);
    });

    it('answers 304 to its ETag, and stays the same bytes after a later update', async () => {
      const first = await s.app.inject({ url });
      const etag = String(first.headers.etag);
      expect(etag).toMatch(/^"[0-9a-f]{64}\.[0-9a-f]{8}"$/);
      expect((await s.app.inject({ url, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
      now = new Date('2025-05-01T09:00:00Z');
      await report(moped, { reportedOn: '2025-04-01', status: 'done', statusReason: 'Alla kontroller gjorda', outcomeValue: '12' });
      const again = await s.app.inject({ url });
      expect(again.headers.etag).toBe(etag);
      expect(Buffer.compare(again.rawPayload, first.rawPayload)).toBe(0);
      expect((await s.app.inject({ url: '/kommun/pdfby/2024-2025/uppfoljning/2025-04-09.pdf' })).statusCode).toBe(404);
    });
  });
}
