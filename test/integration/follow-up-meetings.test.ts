import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/access/policy.js';
import { recordActivityUpdateAs } from '../../src/features/follow-up/activity-updates.js';
import { historyOf } from '../../src/features/audit/audit.js';
import {
  addAttendee,
  addDecision,
  cancelMeeting,
  closeMeeting,
  createYearEndReport,
  editMeeting,
  meetingAgenda,
  removeAttendee,
  saveMinutes,
  scheduleMeeting,
  scheduleYear,
} from '../../src/features/follow-up/meetings.js';
import { findMeetingWithParts } from '../../src/features/follow-up/meeting-repo.js';
import { findReportOfMeeting, findYearEndReport, listReportsOfPledge } from '../../src/features/follow-up/report-repo.js';
import { findActivityWithPledge } from '../../src/features/pledges/editing-repo.js';
import { findPledgeSummary, loadPledgeDocument } from '../../src/features/pledges/pledge-repo.js';
import { insertActivity } from '../../src/features/pledges/structure-repo.js';
import { startAmendment } from '../../src/features/signing/signing.js';
import { AppError, EditConflictError } from '../../src/platform/errors.js';
import { signedInAs } from '../support/auth.js';
import { targets, type TestDatabase } from '../support/databases.js';
import { buildPledge } from '../support/factories.js';

/** Brå meetings and follow-up reports, the whole cycle, on both databases. */
for (const target of targets) {
  describe.skipIf(target.skip)(`follow-up meetings and reports on ${target.name}`, () => {
    let t: TestDatabase;
    let now = new Date('2024-04-01T10:00:00Z');
    const deps = () => ({ db: t.db, clock: () => now });
    let operator: Actor;
    let by: { actor: Actor };
    let built: Awaited<ReturnType<typeof buildPledge>>;
    let moped: string;
    let walk: string;

    const report = async (activityId: string, form: Record<string, string>) => {
      const row = await findActivityWithPledge(t.db, activityId);
      return recordActivityUpdateAs(deps(), { label: 'test', authorName: 'Rapportör' }, activityId, { version: String(row!.version), ...form });
    };
    const refusal = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      return err as AppError;
    };

    beforeAll(async () => {
      t = await target.open();
      const op = (await signedInAs(t.db, { superadmin: true })).user;
      operator = { userId: op.id, name: op.name, email: op.email, partyId: null, role: null, isSuperadmin: true };
      by = { actor: operator };
      built = await buildPledge(t.db, { state: 'signed' });
      [moped, walk] = built.pledge.focusAreas[0]!.commitments[0]!.activities.map((a) => a.id) as [string, string];
    });
    afterAll(async () => t?.close());

    it('runs the whole cycle: updates → meeting → agenda → close → frozen report, which a later update leaves unchanged', async () => {
      now = new Date('2024-03-02T09:00:00Z');
      await report(moped, { reportedOn: '2024-03-01', status: 'in_progress', statusReason: 'Första kontrollerna är gjorda', outcomeValue: '4', countLabel1: 'Kontrollerade fordon', countValue1: '31', narrative: 'Kontroller i centrum.' });

      const meeting = await scheduleMeeting(deps(), by, built.pledge.id, { heldOn: '2024-04-09', location: 'Stadshuset' });
      expect(meeting.title).toBe('Brå-möte 9 april 2024');
      await addAttendee(deps(), by, meeting.id, { organisation: 'Polisen', name: 'Pia Polis', roleTitle: 'Kommunpolis' });
      await addAttendee(deps(), by, meeting.id, { organisation: 'Kommunen', name: 'Kim Samordnare', roleTitle: '' });
      await addAttendee(deps(), by, meeting.id, { organisation: 'Räddningstjänsten', name: 'Felaktigt tillagd' });
      const wrong = (await findMeetingWithParts(t.db, meeting.id))!.attendees.find((a) => a.name === 'Felaktigt tillagd')!;
      await removeAttendee(deps(), by, meeting.id, wrong.id);
      await addDecision(deps(), by, meeting.id, { text: 'Fler kontroller före sommaren.', activityId: moped });
      await saveMinutes(deps(), by, meeting.id, { version: '1', minutes: 'Genomgång av läget.\nPolisen redovisade mopedkontrollerna.' });

      const summary = (await findPledgeSummary(t.db, built.pledge.id))!;
      const agenda = (await meetingAgenda(t.db, (await findMeetingWithParts(t.db, meeting.id))!, summary))!;
      expect(agenda.from).toBe('2024-01-01');
      expect(agenda.withNews.map((a) => a.activityId)).toEqual([moped]);
      expect(agenda.noReport.map((a) => a.activityId)).toEqual([walk]);

      now = new Date('2024-04-09T15:00:00Z');
      const stored = await closeMeeting(deps(), by, meeting.id, { version: '2' });
      const s = stored.snapshot;
      expect(s).toMatchObject({ kind: 'meeting', reportDate: '2024-04-09', coversFrom: '2024-01-01', coversTo: '2024-04-09', pledge: { versionNumber: 1 } });
      const [m, w] = s.focusAreas[0]!.commitments[0]!.activities;
      expect(m).toMatchObject({ status: 'in_progress', outcome: { value: 4, unit: 'kontroller' }, progress: { kind: 'numeric', value: 4, target: 12 }, lastReportedOn: '2024-03-01', narrative: 'Kontroller i centrum.', counts: [{ label: 'Kontrollerade fordon', value: 31 }], noReport: false });
      expect(w).toMatchObject({ status: 'planned', outcome: null, progress: { kind: 'status', ratio: 0 }, noReport: true, updates: [] });
      expect(s.focusAreas[0]!.progress.ratio).toBeCloseTo(4 / 12 / 2);
      expect(s.changes.since).toEqual({ kind: 'start', date: '2023-12-31' });
      expect(s.changes.statusChanges).toEqual([{ activityId: moped, description: 'Mopedkontroller', from: 'planned', to: 'in_progress', reason: 'Första kontrollerna är gjorda' }]);
      expect(s.changes.newOutcomes).toEqual([{ activityId: moped, description: 'Mopedkontroller', from: null, to: 4, unit: 'kontroller', target: 12 }]);
      expect(s.meeting).toEqual({
        title: 'Brå-möte 9 april 2024',
        heldOn: '2024-04-09',
        location: 'Stadshuset',
        attendees: [
          { organisation: 'Polisen', name: 'Pia Polis', roleTitle: 'Kommunpolis' },
          { organisation: 'Kommunen', name: 'Kim Samordnare', roleTitle: null },
        ],
        decisions: [{ text: 'Fler kontroller före sommaren.', activityId: moped, activityDescription: 'Mopedkontroller' }],
        minutes: 'Genomgång av läget.\nPolisen redovisade mopedkontrollerna.',
      });
      expect(s.tally).toEqual({ activities: 2, withReport: 1, noReport: 1, updates: 1 });
      expect((await findMeetingWithParts(t.db, meeting.id))!.state).toBe('closed');

      // A late report about a day before the meeting, and one after: the frozen report does not move.
      const before = (await findReportOfMeeting(t.db, meeting.id))!.snapshotJson;
      now = new Date('2024-04-20T09:00:00Z');
      await report(moped, { reportedOn: '2024-04-05', status: 'in_progress', outcomeValue: '6' });
      await report(walk, { reportedOn: '2024-04-19', status: 'done', statusReason: 'Vandringen är gjord' });
      expect((await findReportOfMeeting(t.db, meeting.id))!.snapshotJson).toBe(before);
      const history = await historyOf(t.db, 'follow_up_meeting', meeting.id);
      expect(history.map((h) => h.action)).toEqual(expect.arrayContaining(['meeting.schedule', 'meeting.attendee.add', 'meeting.attendee.remove', 'meeting.decision.add', 'meeting.minutes', 'meeting.close']));
    });

    it('refuses every change to a closed meeting with a clear Swedish message, and the database refuses to change a report', async () => {
      const [closed] = (await listReportsOfPledge(t.db, built.pledge.id)).filter((r) => r.kind === 'meeting');
      const meetingId = closed!.meetingId!;
      const message = 'Mötet är stängt och dess rapport är fastställd. Ett stängt möte kan inte ändras.';
      for (const attempt of [
        () => editMeeting(deps(), by, meetingId, { version: '3', heldOn: '2024-04-10', title: 'Nytt namn' }),
        () => saveMinutes(deps(), by, meetingId, { version: '3', minutes: 'Ändrat i efterhand' }),
        () => addAttendee(deps(), by, meetingId, { organisation: 'Polisen', name: 'Sen gäst' }),
        () => addDecision(deps(), by, meetingId, { text: 'Ett beslut i efterhand' }),
        () => cancelMeeting(deps(), by, meetingId, { version: '3' }),
        () => closeMeeting(deps(), by, meetingId, { version: '3' }),
      ]) {
        const err = await refusal(attempt());
        expect(err.code).toBe('invalid_state');
        expect(err.message).toBe(message);
      }
      await expect(sql`update follow_up_report set snapshot_json = '{}' where id = ${closed!.id}`.execute(t.db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from follow_up_report where id = ${closed!.id}`.execute(t.db)).rejects.toThrow(/append-only/);
    });

    it('compares the next report with the previous one, and refuses closing out of order or ahead of the day', async () => {
      now = new Date('2024-05-01T09:00:00Z');
      const planned = await scheduleYear(deps(), by, built.pledge.id, { planYear: '2024', month1: '4', month2: '9', month3: '12' });
      expect(planned.map((m) => m.heldOn)).toEqual(['2024-04-09', '2024-09-10', '2024-12-10'].filter((d) => d !== '2024-04-09'));
      const again = await scheduleYear(deps(), by, built.pledge.id, { planYear: '2024', month1: '4', month2: '9', month3: '12' });
      expect(again).toEqual([]);
      const september = planned.find((m) => m.heldOn === '2024-09-10')!;
      expect((await refusal(closeMeeting(deps(), by, september.id, { version: '1' }))).message).toBe('Mötet kan stängas först den dag det hålls.');

      // A stale form is a conflict, not an overwrite.
      await editMeeting(deps(), by, september.id, { version: '1', heldOn: '2024-09-10', title: 'Brå-möte i september', location: 'Polishuset' });
      expect(await refusal(editMeeting(deps(), by, september.id, { version: '1', heldOn: '2024-09-11', title: 'Annan' }))).toBeInstanceOf(EditConflictError);

      now = new Date('2024-09-10T16:00:00Z');
      const second = (await closeMeeting(deps(), by, september.id, { version: '2' })).snapshot;
      expect(second.coversFrom).toBe('2024-04-10');
      expect(second.changes.since).toEqual({ kind: 'report', reportKind: 'meeting', date: '2024-04-09' });
      // The late report about 5 April shows as the change since the last report, though it was dated before it.
      expect(second.changes.newOutcomes).toEqual([{ activityId: moped, description: 'Mopedkontroller', from: 4, to: 6, unit: 'kontroller', target: 12 }]);
      expect(second.changes.statusChanges).toEqual([{ activityId: walk, description: 'Trygghetsvandring', from: 'planned', to: 'done', reason: 'Vandringen är gjord' }]);
      const [m, w] = second.focusAreas[0]!.commitments[0]!.activities;
      expect(m!.noReport).toBe(true);
      expect(w!.noReport).toBe(false);

      // An earlier planned meeting cannot be closed after a later one.
      const june = await scheduleMeeting(deps(), by, built.pledge.id, { heldOn: '2024-06-11' });
      const err = await refusal(closeMeeting(deps(), by, june.id, { version: '1' }));
      expect(err.message).toContain('Ett senare möte (2024-09-10) är redan stängt');
      await cancelMeeting(deps(), by, june.id, { version: '1' });
      expect((await refusal(editMeeting(deps(), by, june.id, { version: '2', heldOn: '2024-06-12' }))).message).toBe('Mötet är inställt och kan inte ändras.');
    });

    it('makes one year-end report covering the whole year, dated today when the year has not ended', async () => {
      now = new Date('2024-11-01T09:00:00Z');
      const y = await createYearEndReport(deps(), by, built.pledge.id, 2024);
      expect(y).toMatchObject({ kind: 'year_end', year: 2024, reportDate: '2024-11-01', meetingId: null });
      expect(y.snapshot).toMatchObject({ coversFrom: '2024-01-01', coversTo: '2024-11-01', changes: { since: { kind: 'start', date: '2023-12-31' } } });
      expect(y.snapshot.tally.updates).toBe(3);
      const [m] = y.snapshot.focusAreas[0]!.commitments[0]!.activities;
      expect(m!.updates.map((u) => u.reportedOn)).toEqual(['2024-03-01', '2024-04-05']);
      expect((await refusal(createYearEndReport(deps(), by, built.pledge.id, 2024))).message).toBe('Årsrapporten för 2024 är redan fastställd och kan inte göras om.');
      expect((await refusal(createYearEndReport(deps(), by, built.pledge.id, 2025))).fields[0]).toEqual({ field: 'reportYear', message: 'År 2025 har inte börjat än.' });
      expect((await findYearEndReport(t.db, built.pledge.id, 2024))!.snapshotJson).toBe(y.snapshotJson);
    });

    it('freezes only the signed version: activities added in an amendment and unsigned pledges never reach a report', async () => {
      now = new Date('2024-11-20T09:00:00Z');
      await startAmendment(deps(), operator, built.pledge.id);
      const doc = await loadPledgeDocument(t.db, built.pledge.id);
      await insertActivity(t.db, { id: randomUUID(), commitmentId: doc!.focusAreas[0]!.commitments[0]!.id, ownerPartyId: built.municipality.id, description: 'Utkastets nya aktivitet' });
      const meeting = await scheduleMeeting(deps(), by, built.pledge.id, { heldOn: '2024-11-20' });
      const s = (await closeMeeting(deps(), by, meeting.id, { version: '1' })).snapshot;
      expect(JSON.stringify(s)).not.toContain('Utkastets nya aktivitet');
      expect(s.tally.activities).toBe(2);

      const draft = await buildPledge(t.db, { state: 'draft' });
      const dm = await scheduleMeeting(deps(), by, draft.pledge.id, { heldOn: '2024-03-12' });
      now = new Date('2024-03-12T12:00:00Z');
      expect((await refusal(closeMeeting(deps(), by, dm.id, { version: '1' }))).message).toContain('ingen undertecknad version');
      expect((await findMeetingWithParts(t.db, dm.id))!.state).toBe('planned');
      expect(await listReportsOfPledge(t.db, draft.pledge.id)).toEqual([]);
      expect((await refusal(createYearEndReport(deps(), by, draft.pledge.id, 2024))).code).toBe('invalid_state');
    });

    it('refuses bad input next to the field', async () => {
      const err = await refusal(scheduleMeeting(deps(), by, built.pledge.id, { heldOn: '2024-02-30', title: 'x'.repeat(201) }));
      expect(err.fields).toEqual(expect.arrayContaining([{ field: 'heldOn', message: 'Datumet finns inte i kalendern.' }, { field: 'title', message: 'Högst 200 tecken.' }]));
      expect((await refusal(scheduleMeeting(deps(), by, built.pledge.id, { heldOn: '2031-01-01' }))).fields[0]!.field).toBe('heldOn');
      const m = await scheduleMeeting(deps(), by, built.pledge.id, { heldOn: '2024-12-10' });
      expect((await refusal(addAttendee(deps(), by, m.id, { organisation: '', name: '' }))).fields.map((f) => f.field)).toEqual(['organisation', 'name']);
      expect((await refusal(addDecision(deps(), by, m.id, { text: 'Beslut', activityId: randomUUID() }))).fields[0]).toEqual({ field: 'activityId', message: 'Välj en aktivitet i det undertecknade löftet, eller ingen.' });
      const viewer: Actor = { userId: randomUUID(), name: 'V', email: 'v@example.se', partyId: built.municipality.id, role: 'viewer', isSuperadmin: false };
      expect((await refusal(scheduleMeeting(deps(), { actor: viewer }, built.pledge.id, { heldOn: '2024-12-10' }))).code).toBe('forbidden');
    });
  });
}
