import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyOf } from '../../src/features/audit/audit.js';
import { reportActivityUpdate, respondToUpdate, activityFollowUp } from '../../src/features/follow-up/activity-updates.js';
import { listUpdatesOfActivity } from '../../src/features/follow-up/activity-update-repo.js';
import { findActivityWithPledge } from '../../src/features/pledges/editing-repo.js';
import { openApp, type TestApp } from '../support/app.js';
import { postForm, signedInAs, type Session } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildPledge } from '../support/factories.js';

const actorOf = (s: Session) => ({ userId: s.user.id, name: s.user.name, email: s.user.email, partyId: s.user.partyId, role: s.user.role, isSuperadmin: false });

for (const target of targets) {
  describe.skipIf(target.skip)(`activity updates on ${target.name}`, () => {
    let s: TestApp;
    let moped: string; // police, target 12 kontroller
    let walk: string; // municipality, text target
    let policeReporter: Session;
    let policeViewer: Session;
    let muniReporter: Session;
    let muniEditor: Session;
    // Every reading of the clock is a second later, so the order of reports and audit rows is the order of events.
    let tick = 0;
    const clock = () => new Date(Date.UTC(2024, 5, 15, 8, 0, tick++));
    const deps = () => ({ db: s.t.db, clock });
    const version = async (id: string) => String((await findActivityWithPledge(s.t.db, id))!.version);
    const page = (id: string) => `/admin/aktiviteter/${id}`;
    const post = async (id: string, fields: Record<string, string>, who: Session) => postForm(s.app, page(id), `${page(id)}/status`, { version: await version(id), ...fields }, who.cookie);

    beforeAll(async () => {
      s = await openApp(target, { demo: false, clock });
      const built = await buildPledge(s.t.db, { state: 'signed' });
      [moped, walk] = built.pledge.focusAreas[0]!.commitments[0]!.activities.map((a) => a.id) as [string, string];
      policeReporter = await signedInAs(s.t.db, { role: 'reporter', partyId: built.police.id });
      policeViewer = await signedInAs(s.t.db, { role: 'viewer', partyId: built.police.id });
      muniReporter = await signedInAs(s.t.db, { role: 'reporter', partyId: built.municipality.id });
      muniEditor = await signedInAs(s.t.db, { role: 'editor', partyId: built.municipality.id });
    });
    afterAll(async () => s?.close());

    it('stores a report with outcome, counts, narrative and evidence, moves the live status and writes an audit row', async () => {
      const res = await post(
        moped,
        {
          reportedOn: '2024-06-01',
          status: 'in_progress',
          statusReason: 'Kontrollerna har börjat',
          outcomeValue: '5',
          outcomeUnit: 'kontroller',
          countLabel1: 'Mopeder som kontrollerades',
          countValue1: '41',
          countLabel2: 'Rapporterade förare',
          countValue2: '0',
          narrative: 'Fem kontroller i Mariefred och Strängnäs.',
          evidenceUrl: 'https://polisen.se/aktuellt/nyheter/2024/juni/mopedkontroller/',
          evidenceLabel: 'Polisens nyhet',
        },
        policeReporter,
      );
      expect(res.statusCode).toBe(303);
      expect((await findActivityWithPledge(s.t.db, moped))?.status).toBe('in_progress');
      const [u] = await listUpdatesOfActivity(s.t.db, moped);
      expect(u).toMatchObject({
        reportedOn: '2024-06-01',
        status: 'in_progress',
        previousStatus: 'planned',
        statusReason: 'Kontrollerna har börjat',
        outcome: { value: 5, unit: 'kontroller' },
        counts: [
          { label: 'Mopeder som kontrollerades', value: 41 },
          { label: 'Rapporterade förare', value: 0 },
        ],
        evidence: { url: 'https://polisen.se/aktuellt/nyheter/2024/juni/mopedkontroller/', label: 'Polisens nyhet' },
        authorUserId: policeReporter.user.id,
        correctsUpdateId: null,
      });
      const event = (await historyOf(s.t.db, 'activity', moped)).find((e) => e.action === 'activity.report');
      expect(event).toMatchObject({ action: 'activity.report', before: { status: 'planned' }, after: { status: 'in_progress', reportedOn: '2024-06-01', outcome: '5 kontroller' } });
      const history = await s.app.inject({ url: `/admin/historik/activity/${moped}`, headers: { cookie: policeReporter.cookie } });
      expect(history.body).toContain('Historik: Mopedkontroller');
      expect(history.body).toContain('Uppföljning rapporterad');
    });

    it('defaults the date to today in Sweden and needs no reason when the status stays', async () => {
      const res = await post(moped, { status: 'in_progress', narrative: 'Inget nytt.' }, policeReporter);
      expect(res.statusCode).toBe(303);
      const all = await listUpdatesOfActivity(s.t.db, moped);
      expect(all.find((u) => u.narrative === 'Inget nytt.')).toMatchObject({ reportedOn: '2024-06-15', statusReason: null, outcome: null, counts: [], evidence: null });
    });

    it('refuses reports on another party’s activity with 403, through the form and the use-case', async () => {
      const res = await post(moped, { status: 'done', statusReason: 'Kommunen tycker det' }, muniReporter);
      expect(res.statusCode).toBe(403);
      await expect(reportActivityUpdate(deps(), actorOf(muniEditor), moped, { version: await version(moped), status: 'done', statusReason: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(reportActivityUpdate(deps(), actorOf(policeViewer), moped, { version: await version(moped), status: 'in_progress' })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(reportActivityUpdate(deps(), null, moped, { version: '1', status: 'in_progress' })).rejects.toMatchObject({ code: 'unauthenticated' });
    });

    it('refuses an outcome in the wrong unit, a negative outcome and a negative count, next to the fields, keeping the input', async () => {
      const before = await listUpdatesOfActivity(s.t.db, moped);
      const res = await post(moped, { status: 'in_progress', outcomeValue: '7', outcomeUnit: 'timmar', countLabel1: 'Skolor', countValue1: '-2', narrative: 'Behåll <mig>' }, policeReporter);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('href="#f-outcomeUnit">Ange utfallet i samma enhet som målet: kontroller.</a>');
      expect(res.body).toMatch(/id="f-countValue1-error"><span class="visually-hidden">Fel: <\/span>Ett antal kan inte vara negativt.<\/p>/);
      expect(res.body).toContain('value="timmar"');
      expect(res.body).toContain('value="-2"');
      expect(res.body).toContain('Behåll &lt;mig></textarea>');
      const negative = await post(moped, { status: 'in_progress', outcomeValue: '-1', countLabel1: 'Skolor', countValue1: '2,5' }, policeReporter);
      expect(negative.statusCode).toBe(422);
      expect(negative.body).toContain('Utfallet kan inte vara negativt.');
      expect(negative.body).toContain('Ange antalet som ett heltal, 0 eller större.');
      expect(await listUpdatesOfActivity(s.t.db, moped)).toHaveLength(before.length);
    });

    it('refuses a status change without a reason, a date in the future and an outcome where the target is not a number', async () => {
      const res = await post(walk, { status: 'delayed', reportedOn: '2024-06-16', outcomeValue: '3' }, muniReporter);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('href="#f-statusReason">Ange varför statusen ändras.</a>');
      expect(res.body).toContain('href="#f-reportedOn">Datumet kan inte ligga i framtiden.</a>');
      expect(res.body).toContain('Aktiviteten har inget mål i antal');
      const bad = await post(walk, { status: 'planned', reportedOn: '2024-02-30', evidenceUrl: 'http://example.se/', countLabel2: 'Utbildade' }, muniReporter);
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toContain('Datumet finns inte i kalendern.');
      expect(bad.body).toContain('Ange en fullständig webbadress som börjar med https://.');
      expect(bad.body).toContain('href="#f-countValue2">Ange antalet.</a>');
      expect(await listUpdatesOfActivity(s.t.db, walk)).toHaveLength(0);
      // The use-case answers the same field errors to any caller (CLI, API).
      await expect(reportActivityUpdate(deps(), actorOf(muniReporter), walk, { version: await version(walk), status: 'done' })).rejects.toMatchObject({
        code: 'validation_failed',
        fields: [{ field: 'statusReason', message: 'Ange varför statusen ändras.' }],
      });
    });

    it('answers a stale form with 409, both versions shown and the input kept', async () => {
      const stale = await version(walk);
      const first = await post(walk, { status: 'in_progress', statusReason: 'Första vandringen är bokad', narrative: 'Bokad till september.' }, muniReporter);
      expect(first.statusCode).toBe(303);
      const second = await postForm(s.app, page(walk), `${page(walk)}/status`, { version: stale, status: 'delayed', statusReason: 'Min egen anledning', narrative: 'Mitt utkast' }, muniEditor.cookie);
      expect(second.statusCode).toBe(409);
      expect(second.body).toContain('Någon annan har rapporterat om aktiviteten medan du skrev');
      expect(second.body).toContain('<dd>Pågår</dd>');
      expect(second.body).toContain('Bokad till september.');
      expect(second.body).toContain('>Mitt utkast</textarea>');
      expect(second.body).toContain(`name="version" value="${await version(walk)}"`);
      expect((await findActivityWithPledge(s.t.db, walk))?.status).toBe('in_progress');
      expect(await listUpdatesOfActivity(s.t.db, walk)).toHaveLength(1);
    });

    it('corrects by appending: the corrected report stays visible, marked, and stops counting', async () => {
      const original = await reportActivityUpdate(deps(), actorOf(policeReporter), moped, { version: await version(moped), status: 'done', statusReason: 'Alla tolv är gjorda', outcomeValue: '12' });
      expect((await findActivityWithPledge(s.t.db, moped))?.status).toBe('done');
      // Opening the correction form prefills the corrected report's values.
      const form = await s.app.inject({ url: `${page(moped)}?rattar=${original.id}`, headers: { cookie: policeReporter.cookie } });
      expect(form.body).toContain('Rätta rapporten från 15 juni 2024');
      expect(form.body).toContain(`name="correctsUpdateId" value="${original.id}"`);
      expect(form.body).toContain('value="12"');
      // Same status as the corrected report: no reason needed; a different one needs one.
      const missing = await post(moped, { correctsUpdateId: original.id, reportedOn: '2024-06-15', status: 'in_progress', outcomeValue: '9' }, policeReporter);
      expect(missing.statusCode).toBe(422);
      expect(missing.body).toContain('Ange varför statusen ändras.');
      const res = await post(moped, { correctsUpdateId: original.id, reportedOn: '2024-06-15', status: 'in_progress', statusReason: 'Tre kontroller var inte gjorda än', outcomeValue: '9' }, policeReporter);
      expect(res.statusCode).toBe(303);
      const all = await listUpdatesOfActivity(s.t.db, moped);
      const correction = all.find((u) => u.correctsUpdateId === original.id)!;
      expect(correction).toMatchObject({ status: 'in_progress', previousStatus: 'done', outcome: { value: 9, unit: 'kontroller' } });
      expect(all.find((u) => u.id === original.id)).toMatchObject({ status: 'done', outcome: { value: 12, unit: 'kontroller' } });
      expect((await findActivityWithPledge(s.t.db, moped))?.status).toBe('in_progress');
      const entries = await activityFollowUp(s.t.db, moped);
      expect(entries.find((e) => e.id === original.id)?.correctedBy?.id).toBe(correction.id);
      expect(entries.find((e) => e.id === correction.id)?.corrects?.id).toBe(original.id);
      const shown = await s.app.inject({ url: page(moped), headers: { cookie: policeViewer.cookie } });
      expect(shown.body).toContain('<span class="badge">Rättad</span>');
      expect(shown.body).toContain('Rättar rapporten från 15 juni 2024.');
      expect(shown.body).toContain('9 av 12 kontroller (75 %)');
      // A report is corrected once; the correction is what to correct next.
      const twice = await post(moped, { correctsUpdateId: original.id, status: 'in_progress', outcomeValue: '10' }, policeReporter);
      expect(twice.statusCode).toBe(422);
      expect(twice.body).toContain('Rapporten är redan rättad.');
      const event = (await historyOf(s.t.db, 'activity', moped)).find((e) => e.action === 'activity.correct');
      expect(event).toMatchObject({ action: 'activity.correct', after: { corrects: '2024-06-15' } });
    });

    it('keeps the live status of the newest report when a late one describes an earlier day', async () => {
      await reportActivityUpdate(deps(), actorOf(policeReporter), moped, { version: await version(moped), reportedOn: '2024-03-01', status: 'planned', statusReason: 'Efterregistrering av vårens läge' });
      expect((await findActivityWithPledge(s.t.db, moped))?.status).toBe('in_progress');
    });

    it('refuses UPDATE and DELETE of reports and responses in the database itself', async () => {
      const [u] = await listUpdatesOfActivity(s.t.db, moped);
      await expect(s.t.db.updateTable('activity_update').set({ narrative: 'Ändrad i efterhand' }).where('id', '=', u!.id).execute()).rejects.toThrow(/append-only/);
      await expect(s.t.db.deleteFrom('activity_update').where('id', '=', u!.id).execute()).rejects.toThrow(/append-only/);
      const r = await respondToUpdate(deps(), actorOf(muniReporter), u!.id, { kind: 'acknowledge' });
      await expect(s.t.db.updateTable('activity_update_response').set({ comment: 'x' }).where('id', '=', r.id).execute()).rejects.toThrow(/append-only/);
      await expect(sql`delete from activity_update_response`.execute(s.t.db)).rejects.toThrow(/append-only/);
    });

    it('lets the other party acknowledge and comment, and nobody else', async () => {
      const [u] = await listUpdatesOfActivity(s.t.db, walk);
      const ack = await postForm(s.app, page(walk), `/admin/aktivitetsrapporter/${u!.id}/svar`, { kind: 'acknowledge' }, policeReporter.cookie);
      expect(ack.statusCode).toBe(303);
      expect(ack.headers.location).toContain(`/admin/aktiviteter/${walk}?klart=`);
      const empty = await postForm(s.app, page(walk), `/admin/aktivitetsrapporter/${u!.id}/svar`, { kind: 'comment', comment: '  ' }, policeReporter.cookie);
      expect(empty.statusCode).toBe(422);
      expect(empty.body).toContain('href="#f-comment">Skriv en kommentar.</a>');
      const comment = await postForm(s.app, page(walk), `/admin/aktivitetsrapporter/${u!.id}/svar`, { kind: 'comment', comment: 'Vi deltar med två poliser.' }, policeReporter.cookie);
      expect(comment.statusCode).toBe(303);
      // The owner's own staff, the other party's viewers and the operator do not respond.
      expect((await postForm(s.app, page(walk), `/admin/aktivitetsrapporter/${u!.id}/svar`, { kind: 'acknowledge' }, muniEditor.cookie)).statusCode).toBe(403);
      expect((await postForm(s.app, page(walk), `/admin/aktivitetsrapporter/${u!.id}/svar`, { kind: 'acknowledge' }, policeViewer.cookie)).statusCode).toBe(403);
      const operator = await signedInAs(s.t.db, { superadmin: true });
      expect((await postForm(s.app, page(walk), `/admin/aktivitetsrapporter/${u!.id}/svar`, { kind: 'acknowledge' }, operator.cookie)).statusCode).toBe(403);

      const shown = await s.app.inject({ url: page(walk), headers: { cookie: muniReporter.cookie } });
      expect(shown.body).toContain(`<strong>Kvitterad</strong> av ${policeReporter.user.name}`);
      expect(shown.body).toContain('Vi deltar med två poliser.');
      // The acknowledging party sees no second "Kvittera" button on that report.
      const forPolice = await s.app.inject({ url: page(walk), headers: { cookie: policeReporter.cookie } });
      const card = forPolice.body.slice(forPolice.body.indexOf(`id="rapport-${u!.id}"`));
      expect(card.slice(0, card.indexOf('</article>'))).not.toContain('>Kvittera<');
      const event = (await historyOf(s.t.db, 'activity', walk)).find((e) => e.action === 'activity.comment');
      expect(event).toMatchObject({ action: 'activity.comment', after: { comment: 'Vi deltar med två poliser.' } });
    });

    it('shows the history newest first, to members of every party', async () => {
      const res = await s.app.inject({ url: page(moped), headers: { cookie: muniReporter.cookie } });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('Spara rapporten');
      const order = [...res.body.matchAll(/<h3 id="rapport-[^"]+">(\d+ \w+ \d{4})/g)].map((m) => m[1]);
      expect(order).toEqual(['15 juni 2024', '15 juni 2024', '15 juni 2024', '1 juni 2024', '1 mars 2024']);
      // The correction first, then the report it corrects, then the older one of the same day.
      const ids = [...res.body.matchAll(/<article class="([^"]+)" aria-labelledby="rapport-/g)].map((m) => m[1]);
      expect(ids.slice(0, 3)).toEqual(['update', 'update corrected', 'update']);
    });

    it('lists the other party’s new reports to acknowledge on the dashboard, and when my activities were last reported on', async () => {
      const all = await listUpdatesOfActivity(s.t.db, moped);
      const acknowledged = (await s.t.db.selectFrom('activity_update_response').select('update_id').where('party_id', '=', muniReporter.user.partyId!).execute()).map((r) => r.update_id);
      const corrected = all.filter((u) => all.some((x) => x.correctsUpdateId === u.id)).map((u) => u.id);
      const waiting = all.filter((u) => !acknowledged.includes(u.id) && !corrected.includes(u.id));
      const muni = await s.app.inject({ url: '/admin', headers: { cookie: muniReporter.cookie } });
      const listed = [...muni.body.matchAll(/att kvittera: <a href="\/admin\/aktiviteter\/[^#]+#rapport-([^"]+)"/g)].map((m) => m[1]);
      expect(listed.sort()).toEqual(waiting.map((u) => u.id).sort());
      expect(listed.length).toBeGreaterThan(0);
      // The police acknowledged the municipality's only report: nothing waits for them, and their own reports are not theirs to acknowledge.
      const police = await s.app.inject({ url: '/admin', headers: { cookie: policeReporter.cookie } });
      expect(police.body).not.toContain('att kvittera');
      expect(police.body).toContain('<th scope="col">Senaste rapport</th>');
      expect(police.body).toContain('<td>15 juni 2024</td>');
      expect((await s.app.inject({ url: '/admin', headers: { cookie: policeViewer.cookie } })).body).not.toContain('att kvittera');
    });
  });
}
