import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/access/policy.js';
import { recordActivityUpdateAs } from '../../src/features/follow-up/activity-updates.js';
import { addAttendee, addDecision, closeMeeting, createYearEndReport, scheduleMeeting } from '../../src/features/follow-up/meetings.js';
import { findActivityWithPledge } from '../../src/features/pledges/editing-repo.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, buildPledge, pledgeInput } from '../support/factories.js';

/** The public report pages: list, one report with chart, data table and target → outcome, and the link from the pledge page. */
for (const target of targets) {
  describe.skipIf(target.skip)(`public follow-up report pages on ${target.name}`, () => {
    let s: TestApp;
    let now = new Date('2024-03-02T09:00:00Z');
    const clock = () => now;
    const base = '/kommun/rapportby/2024-2025';
    let moped: string;
    let draftSlug: string;

    const report = async (activityId: string, form: Record<string, string>) => {
      const row = await findActivityWithPledge(s.t.db, activityId);
      return recordActivityUpdateAs({ db: s.t.db, clock }, { label: 'test', authorName: 'Rapportör' }, activityId, { version: String(row!.version), ...form });
    };

    beforeAll(async () => {
      s = await openApp(target, { demo: false, clock });
      const m = await buildMunicipality(s.t.db, { name: 'Rapportby kommun', slug: 'rapportby' });
      const p = await buildPoliceArea(s.t.db);
      const input = pledgeInput(m, p);
      input.focusAreas!.push({ title: 'Trygga skolor', commitments: [{ title: 'Närvaro i skolan', activities: [{ ownerPartyId: p.id, description: 'Polisen besöker skolor', target: { kind: 'text', text: 'Varje vecka' } }] }] });
      const pledge = await createPledge(s.t.db, input);
      moped = pledge.focusAreas[0]!.commitments[0]!.activities[0]!.id;
      const schools = pledge.focusAreas[1]!.commitments[0]!.activities[0]!.id;
      const op = (await signedInAs(s.t.db, { superadmin: true })).user;
      const by = { actor: { userId: op.id, name: op.name, email: op.email, partyId: null, role: null, isSuperadmin: true } satisfies Actor };
      await report(moped, { reportedOn: '2024-03-01', status: 'in_progress', statusReason: 'Igång', outcomeValue: '4' });
      await report(schools, { reportedOn: '2024-03-01', status: 'done', statusReason: 'Besöken är gjorda', countLabel1: 'Skolbesök', countValue1: '17' });
      const meeting = await scheduleMeeting({ db: s.t.db, clock }, by, pledge.id, { heldOn: '2024-04-09', location: 'Stadshuset' });
      await addAttendee({ db: s.t.db, clock }, by, meeting.id, { organisation: 'Polisen', name: 'Pia Polis', roleTitle: 'Kommunpolis' });
      await addDecision({ db: s.t.db, clock }, by, meeting.id, { text: 'Fler kontroller före sommaren.', activityId: moped });
      now = new Date('2024-04-09T15:00:00Z');
      await closeMeeting({ db: s.t.db, clock }, by, meeting.id, { version: '1' });
      now = new Date('2024-12-31T15:00:00Z');
      await createYearEndReport({ db: s.t.db, clock }, by, pledge.id, 2024);
      const draft = await buildPledge(s.t.db, { state: 'draft' });
      draftSlug = `/kommun/${draft.municipality.slug}/${draft.pledge.periodSlug}`;
    });
    afterAll(async () => s?.close());

    it('lists the reports, newest first, and links them from the pledge page', async () => {
      const list = await s.app.inject({ url: `${base}/uppfoljning` });
      expect(list.statusCode).toBe(200);
      expect(list.body.indexOf('Årsrapport 2024')).toBeLessThan(list.body.indexOf('Uppföljning 9 april 2024'));
      expect(list.body).toContain(`href="${base}/uppfoljning/2024-04-09"`);
      expect(list.body).toContain(`href="${base}/uppfoljning/ar-2024"`);
      const page = await s.app.inject({ url: base });
      expect(page.body).toContain(`href="${base}/uppfoljning"`);
      expect(page.body).toContain('Senaste rapporten: Årsrapport 2024');
      expect(page.body).not.toContain('Ingen uppföljning är publicerad ännu');
    });

    it('shows one report: what changed, the chart with its table and text, target → outcome, the meeting', async () => {
      const res = await s.app.inject({ url: `${base}/uppfoljning/2024-04-09` });
      expect(res.statusCode).toBe(200);
      const b = res.body;
      expect(b).toContain('Vad har hänt sedan förra rapporten');
      expect(b).toContain('Jämfört med läget 31 december 2023.');
      expect(b).toMatch(/<strong>Mopedkontroller<\/strong>: Planerad → Pågår\. Skäl: Igång/);
      expect(b).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="framsteg-diagram-title framsteg-diagram-desc"/);
      expect(b).toContain('<desc id="framsteg-diagram-desc">Trygg trafikmiljö: 16 %; Trygga skolor: 100 %. Hela löftet: 44 %.</desc>');
      expect(b).toContain('<caption>Framsteg per fokusområde i siffror</caption>');
      // Target → outcome, like the Strängnäs 2019 follow-up.
      expect(b).toMatch(/Mopedkontroller<\/th><td>[^<]*<\/td><td>12 kontroller<\/td><td><strong>4 kontroller<\/strong>/);
      expect(b).toMatch(/Polisen besöker skolor<\/th><td>[^<]*<\/td><td>Varje vecka<\/td><td><strong>Genomförd \(Skolbesök: 17\)<\/strong>/);
      expect(b).toContain('Ingen rapport');
      expect(b).toContain('Pia Polis');
      expect(b).toContain('Fler kontroller före sommaren.');
      expect(b).toContain(`href="${base}/uppfoljning/2024-04-09.pdf"`);
      const year = await s.app.inject({ url: `${base}/uppfoljning/ar-2024` });
      expect(year.statusCode).toBe(200);
      expect(year.body).toContain('Rapporten omfattar uppföljningar rapporterade 1 januari 2024 – 31 december 2024.');
    });

    it('keeps a report page the same after a later update, and answers 404 for what does not exist', async () => {
      const before = (await s.app.inject({ url: `${base}/uppfoljning/2024-04-09` })).body;
      now = new Date('2025-01-10T09:00:00Z');
      await report(moped, { reportedOn: '2024-04-01', status: 'done', statusReason: 'Alla kontroller gjorda', outcomeValue: '12' });
      const after = await s.app.inject({ url: `${base}/uppfoljning/2024-04-09` });
      expect(after.body).toBe(before);
      expect((await s.app.inject({ url: base })).body).toContain('12 av 12 kontroller');
      for (const url of [`${base}/uppfoljning/2024-04-10`, `${base}/uppfoljning/ar-2023`, `${base}/uppfoljning/nagot`, `${draftSlug}/uppfoljning`, `${draftSlug}/uppfoljning/2024-04-09`]) {
        expect((await s.app.inject({ url })).statusCode, url).toBe(404);
      }
    });
  });
}
