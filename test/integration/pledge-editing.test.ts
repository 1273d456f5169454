import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyOf } from '../../src/features/audit/audit.js';
import { findActivityWithPledge } from '../../src/features/pledges/editing-repo.js';
import { loadPledgeDocument } from '../../src/features/pledges/pledge-repo.js';
import { openApp, type TestApp } from '../support/app.js';
import { postForm, signedInAs, type Session } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildPledge } from '../support/factories.js';

for (const target of targets) {
  describe.skipIf(target.skip)(`editing a pledge on ${target.name}`, () => {
    let s: TestApp;
    let pledgeId: string;
    let policeActivity: string;
    let municipalityActivity: string;
    let muniEditor: Session;
    let policeEditor: Session;
    let policeReporter: Session;

    beforeAll(async () => {
      s = await openApp(target, { demo: false });
      const built = await buildPledge(s.t.db, { state: 'draft' });
      pledgeId = built.pledge.id;
      const [moped, walk] = built.pledge.focusAreas[0]!.commitments[0]!.activities;
      policeActivity = moped!.id;
      municipalityActivity = walk!.id;
      muniEditor = await signedInAs(s.t.db, { role: 'editor', partyId: built.municipality.id });
      policeEditor = await signedInAs(s.t.db, { role: 'editor', partyId: built.police.id });
      policeReporter = await signedInAs(s.t.db, { role: 'reporter', partyId: built.police.id });
    });
    afterAll(async () => s?.close());

    const detailsUrl = () => `/admin/loften/${pledgeId}/uppgifter`;
    const details = (over: Record<string, string>) => ({ title: 'Nytt namn', startsOn: '2024-01-01', endsOn: '2025-12-31', background: 'Bakgrund', ...over });

    it('lets an editor of either party change the shared text of a draft, with an audit row holding before and after', async () => {
      const res = await postForm(s.app, detailsUrl(), detailsUrl(), details({ version: '1', title: 'Gemensam rubrik' }), policeEditor.cookie);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toMatch(new RegExp(`/admin/loften/${pledgeId}\\?klart=`));
      const doc = await loadPledgeDocument(s.t.db, pledgeId);
      expect(doc?.title).toBe('Gemensam rubrik');
      expect(doc?.version).toBe(2);
      const event = (await historyOf(s.t.db, 'pledge', pledgeId)).find((e) => e.action === 'pledge.update');
      expect(event).toMatchObject({ action: 'pledge.update', actorUserId: policeEditor.user.id, before: { title: expect.stringContaining('Medborgarlöfte') }, after: { title: 'Gemensam rubrik' } });
    });

    it('never overwrites silently: a stale form shows the other change and keeps your input', async () => {
      // Both open the form at version 2; the municipality saves first.
      const first = await postForm(s.app, detailsUrl(), detailsUrl(), details({ version: '2', title: 'Kommunens rubrik' }), muniEditor.cookie);
      expect(first.statusCode).toBe(303);
      const stale = await postForm(s.app, detailsUrl(), detailsUrl(), details({ version: '2', title: 'Polisens rubrik', background: 'Min text' }), policeEditor.cookie);
      expect(stale.statusCode).toBe(409);
      expect(stale.body).toContain('Någon annan har ändrat det här medan du redigerade');
      expect(stale.body).toContain('<dd>Kommunens rubrik</dd>');
      expect(stale.body).toContain('value="Polisens rubrik"');
      expect(stale.body).toContain('>Min text</textarea>');
      expect(stale.body).toContain('name="version" value="3"');
      expect((await loadPledgeDocument(s.t.db, pledgeId))?.title).toBe('Kommunens rubrik');
      // Saving again from the conflict page is a deliberate overwrite, and is accepted.
      const again = await postForm(s.app, detailsUrl(), detailsUrl(), details({ version: '3', title: 'Polisens rubrik' }), policeEditor.cookie);
      expect(again.statusCode).toBe(303);
      expect((await loadPledgeDocument(s.t.db, pledgeId))?.title).toBe('Polisens rubrik');
    });

    it('shows Swedish errors next to the fields and in a summary, keeping the input', async () => {
      const res = await postForm(s.app, detailsUrl(), detailsUrl(), details({ version: '4', title: '', startsOn: '2024-01-01', endsOn: '2031-12-31', background: '<b>behåll</b>' }), policeEditor.cookie);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('class="error-summary"');
      expect(res.body).toContain('href="#f-title">Ange en rubrik.</a>');
      expect(res.body).toMatch(/id="f-endsOn-error"><span class="visually-hidden">Fel: <\/span>En period kan vara högst 4 kalenderår.<\/p>/);
      expect(res.body).toContain('aria-invalid="true"');
      expect(res.body).toContain('&lt;b>behåll&lt;/b></textarea>');
    });

    it('lets only the owning party edit an activity', async () => {
      const url = `/admin/aktiviteter/${municipalityActivity}`;
      const form = { version: '1', description: 'Polisen skriver om', targetKind: 'none' };
      const refused = await postForm(s.app, `/admin/aktiviteter/${policeActivity}`, url, form, policeEditor.cookie);
      expect(refused.statusCode).toBe(403);
      const ok = await postForm(s.app, url, url, { ...form, description: 'Två trygghetsvandringar', targetKind: 'numeric', targetValue: '2', targetUnit: 'vandringar' }, muniEditor.cookie);
      expect(ok.statusCode).toBe(303);
      const row = await findActivityWithPledge(s.t.db, municipalityActivity);
      expect(row).toMatchObject({ description: 'Två trygghetsvandringar', target_value: 2, target_unit: 'vandringar', target_text: null, version: 2 });
      const event = (await historyOf(s.t.db, 'activity', municipalityActivity)).find((e) => e.action === 'activity.update');
      expect(event?.before).toMatchObject({ targetText: 'Minst en per kommundel' });
      expect(event?.after).toMatchObject({ targetValue: 2, targetText: null });
    });

    it('lets a reporter set the status of their own party’s activity, and shows the history', async () => {
      const url = `/admin/aktiviteter/${policeActivity}`;
      const res = await postForm(s.app, url, `${url}/status`, { version: '1', status: 'in_progress', statusReason: 'Första kontrollerna är gjorda' }, policeReporter.cookie);
      expect(res.statusCode).toBe(303);
      expect((await findActivityWithPledge(s.t.db, policeActivity))?.status).toBe('in_progress');
      const denied = await postForm(s.app, url, `/admin/aktiviteter/${municipalityActivity}/status`, { version: '2', status: 'done', statusReason: 'Klart' }, policeReporter.cookie);
      expect(denied.statusCode).toBe(403);
      const history = await s.app.inject({ url: `/admin/historik/activity/${policeActivity}`, headers: { cookie: policeReporter.cookie } });
      expect(history.statusCode).toBe(200);
      expect(history.body).toContain('Uppföljning rapporterad');
      expect(history.body).toContain('<del>planned</del>');
      expect(history.body).toContain('<ins>in_progress</ins>');
    });

    it('refuses a form without a valid CSRF token', async () => {
      const res = await s.app.inject({
        method: 'POST',
        url: detailsUrl(),
        headers: { cookie: policeEditor.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(details({ version: '5' })).toString(),
      });
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('Formuläret har gått ut');
    });

    it('sends anonymous visitors to the login page', async () => {
      const res = await s.app.inject({ url: `/admin/loften/${pledgeId}` });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/logga-in?next=${encodeURIComponent(`/admin/loften/${pledgeId}`)}`);
    });
  });
}

for (const target of targets) {
  describe.skipIf(target.skip)(`history of parties and users on ${target.name}`, () => {
    let s: TestApp;
    beforeAll(async () => {
      s = await openApp(target, { demo: false });
    });
    afterAll(async () => s?.close());

    it('shows a party’s and a user’s history to their admins only', async () => {
      const built = await buildPledge(s.t.db);
      const admin = await signedInAs(s.t.db, { role: 'admin', partyId: built.municipality.id });
      const outsider = await signedInAs(s.t.db, { role: 'admin', partyId: built.police.id });
      const party = await s.app.inject({ url: `/admin/historik/party/${built.municipality.id}`, headers: { cookie: admin.cookie } });
      expect(party.statusCode).toBe(200);
      expect(party.body).toContain('Part skapad');
      const user = await s.app.inject({ url: `/admin/historik/user/${admin.user.id}`, headers: { cookie: admin.cookie } });
      expect(user.statusCode).toBe(200);
      expect(user.body).toContain('Användare skapad');
      expect((await s.app.inject({ url: `/admin/historik/party/${built.municipality.id}`, headers: { cookie: outsider.cookie } })).statusCode).toBe(403);
      expect((await s.app.inject({ url: `/admin/historik/user/${admin.user.id}`, headers: { cookie: outsider.cookie } })).statusCode).toBe(403);
    });
  });
}
