import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Actor } from '../../src/features/access/policy.js';
import { recordActivityUpdateAs, reportActivityUpdate } from '../../src/features/follow-up/activity-updates.js';
import { loadPublicProgress } from '../../src/features/follow-up/public-progress.js';
import { findActivityWithPledge } from '../../src/features/pledges/editing-repo.js';
import { loadPledgeDocument } from '../../src/features/pledges/pledge-repo.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { insertActivity } from '../../src/features/pledges/structure-repo.js';
import { startAmendment } from '../../src/features/signing/signing.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';

/** The public pledge page with follow-up: status, progress, last update, the stale notice and the roll-up rule. */
for (const target of targets) {
  describe.skipIf(target.skip)(`public progress on ${target.name}`, () => {
    let s: TestApp;
    let url: string;
    let pledgeId: string;
    let ids: { moped: string; walk: string; schools: string; parents: string };
    let operator: Actor;
    let tick = 0;
    const clock = () => new Date(Date.UTC(2024, 5, 15, 8, 0, tick++));
    const report = async (activityId: string, form: Record<string, string>) => {
      const row = await findActivityWithPledge(s.t.db, activityId);
      return recordActivityUpdateAs({ db: s.t.db, clock }, { label: 'test', authorName: 'Test' }, activityId, { version: String(row!.version), ...form });
    };

    beforeAll(async () => {
      s = await openApp(target, { demo: false, clock });
      const m = await buildMunicipality(s.t.db, { name: 'Framstegs kommun', slug: 'framsteg' });
      const p = await buildPoliceArea(s.t.db);
      const input = pledgeInput(m, p, { startsOn: '2024-01-01', endsOn: '2025-12-31' });
      input.focusAreas![0]!.commitments![0]!.activities!.push(
        { ownerPartyId: p.id, description: 'Polisen besöker skolor' },
        { ownerPartyId: m.id, description: 'Kommunen bjuder in till föräldramöten' },
      );
      input.focusAreas!.push({ title: 'Tomt område', commitments: [{ title: 'Löfte utan aktiviteter' }] });
      const pledge = await createPledge(s.t.db, input);
      pledgeId = pledge.id;
      const [moped, walk, schools, parents] = pledge.focusAreas[0]!.commitments[0]!.activities.map((a) => a.id) as [string, string, string, string];
      ids = { moped, walk, schools, parents };
      url = `/kommun/framsteg/${pledge.periodSlug}`;
      await report(moped, { reportedOn: '2024-03-01', status: 'in_progress', statusReason: 'Start', outcomeValue: '4' });
      await report(moped, { reportedOn: '2024-06-01', status: 'in_progress', outcomeValue: '6' });
      await report(moped, { reportedOn: '2024-06-10', status: 'in_progress', narrative: 'Inget nytt utfall' });
      await report(walk, { reportedOn: '2024-05-20', status: 'done', statusReason: 'Genomförd' });
      await report(schools, { reportedOn: '2024-02-01', status: 'cancelled', statusReason: 'Ersatt av skolpolisen' });
      const op = (await signedInAs(s.t.db, { superadmin: true })).user;
      operator = { userId: op.id, name: op.name, email: op.email, partyId: null, role: null, isSuperadmin: true };
    });
    afterAll(async () => s?.close());

    it('shows each activity’s status, progress and last update, and the stale notice', async () => {
      const res = await s.app.inject({ url });
      expect(res.statusCode).toBe(200);
      const row = (text: string) => {
        const i = res.body.indexOf(`<td>${text}`);
        return res.body.slice(i, res.body.indexOf('</tr>', i));
      };
      // Progress by the newest counting outcome (6), not the newest report (which had none).
      expect(row('Mopedkontroller')).toContain('<span class="status s-in_progress">Pågår</span>');
      expect(row('Mopedkontroller')).toContain('<progress max="100" value="50" aria-hidden="true"></progress> 6 av 12 kontroller (50 %)');
      expect(row('Mopedkontroller')).toContain('Senast uppföljd 10 juni 2024');
      expect(row('Trygghetsvandring')).toContain('100 %');
      expect(row('Trygghetsvandring')).toContain('Senast uppföljd 20 maj 2024');
      expect(row('Polisen besöker skolor')).toContain('Inställd');
      expect(row('Polisen besöker skolor')).not.toContain('<progress');
      // Never reported, and the period began more than 120 days ago.
      expect(row('Kommunen bjuder in till föräldramöten')).toContain('<span class="followed stale">Ingen uppföljning sedan 1 januari 2024</span>');
      expect(res.body).toContain('<th scope="col">Status och framsteg</th>');
    });

    it('rolls up per commitment and focus area by the stated rule', async () => {
      const res = await s.app.inject({ url });
      // (0.5 + 1 + 0) / 3, the cancelled one left out.
      expect(res.body).toContain('Framsteg: 50 %, medelvärdet av 3 aktiviteter (1 inställd räknas inte).');
      expect(res.body).toContain('Så räknas framstegen: en aktivitet med ett mål i antal räknas som rapporterat utfall delat med målet, högst 100 %.');
      expect(res.body).toContain('En aktivitet som inte har följts upp på 120 dagar visas med ”Ingen uppföljning sedan …”.');
      expect(res.body).toContain('Status och framsteg för varje aktivitet kommer från den ansvariga partens rapporter.');
      // A commitment without activities has nothing to roll up.
      const empty = res.body.slice(res.body.indexOf('Löfte utan aktiviteter'));
      expect(empty.slice(0, empty.indexOf('</div>'))).not.toContain('Framsteg');
    });

    it('takes the stale limit from the configuration', async () => {
      const app = await buildApp({ db: s.t.db, clock, followUp: { staleAfterDays: 3, reminderDays: [14, 3] } });
      try {
        const res = await app.inject({ url });
        expect(res.body).toContain('Ingen uppföljning sedan 10 juni 2024');
        expect(res.body).toContain('En aktivitet som inte har följts upp på 3 dagar');
        // Done activities need no more follow-up.
        expect(res.body).toContain('Senast uppföljd 20 maj 2024');
      } finally {
        await app.close();
      }
    });

    it('shows only the signed version’s activities, also while an amendment adds new ones', async () => {
      await startAmendment({ db: s.t.db, clock }, operator, pledgeId);
      const draftOnly = randomUUID();
      const doc = await loadPledgeDocument(s.t.db, pledgeId);
      await insertActivity(s.t.db, { id: draftOnly, commitmentId: doc!.focusAreas[0]!.commitments[0]!.id, ownerPartyId: doc!.parties[0]!.id, description: 'Ny aktivitet i tillägget' });
      await reportActivityUpdate({ db: s.t.db, clock }, operator, draftOnly, { version: '1', status: 'done', statusReason: 'Klar redan' });
      const res = await s.app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('Ny aktivitet i tillägget');
      expect(res.body).toContain('Framsteg: 50 %, medelvärdet av 3 aktiviteter (1 inställd räknas inte).');
      // Follow-up on the signed activities goes on during the amendment and shows at once.
      await report(ids.parents, { status: 'in_progress', statusReason: 'Första mötet bokat' });
      const after = await s.app.inject({ url });
      expect(after.body).toContain('Senast uppföljd 15 juni 2024');
      expect(after.body).not.toContain('class="followed stale"');
    });

    it('refuses to compute public progress from a working copy', async () => {
      const doc = await loadPledgeDocument(s.t.db, pledgeId);
      await expect(loadPublicProgress(s.t.db, doc!, '2024-06-15', 120)).rejects.toThrow(/published/);
    });
  });
}
