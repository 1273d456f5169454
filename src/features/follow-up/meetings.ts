import { createHash, randomUUID } from 'node:crypto';
import type { Executor } from '../../db/executor.js';
import { isUniqueViolation } from '../../db/executor.js';
import { AppError, EditConflictError } from '../../platform/errors.js';
import { parseOrThrow } from '../../platform/validation.js';
import { authorize, type Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import { loadPledgeRef } from '../pledges/editing-repo.js';
import { activityStatuses, findPledgeSummary } from '../pledges/pledge-repo.js';
import { swedishDate, type ActivityStatus, type PledgeSummary } from '../pledges/pledge.js';
import { findSignedVersion, type PledgeVersion } from '../signing/version-repo.js';
import { listUpdatesOfActivities } from './activity-update-repo.js';
import { buildAgenda, type Agenda } from './agenda.js';
import {
  AttendeeForm,
  DecisionForm,
  MeetingEditForm,
  MeetingForm,
  meetingsOfYear,
  MinutesForm,
  notEditableMessage,
  VersionForm,
  YearPlanForm,
  defaultTitle,
  type Meeting,
  type MeetingWithParts,
} from './meeting.js';
import * as repo from './meeting-repo.js';
import * as reports from './report-repo.js';
import { baselineAsOf, baselineOfSnapshot, buildSnapshot, dayAfter, dayBefore, type ReportSnapshot } from './report.js';

/**
 * Use-cases for Brå meetings and follow-up reports: authorise (`meeting.manage`), validate, then
 * write in one transaction with an audit row. Closing a meeting and making a year-end report
 * freeze a FollowUpReport from the pledge's SIGNED version only. See
 * docs/decisions/follow-up-meetings.md.
 */

export interface MeetingDeps {
  db: Executor;
  clock: () => Date;
}

/** Who does it: a signed-in user, or (demo, imports) a label with no user. */
export interface By {
  actor: Actor | null;
  label?: string;
}

function byName(by: By): string {
  return by.actor?.name ?? by.label ?? 'system';
}

async function pledgeOrThrow(db: Executor, pledgeId: string) {
  const [ref, summary] = await Promise.all([loadPledgeRef(db, pledgeId), findPledgeSummary(db, pledgeId)]);
  if (!ref || !summary) throw new AppError('not_found', 'Löftet finns inte.');
  return { ref, summary };
}

export async function meetingOrThrow(db: Executor, meetingId: string) {
  const meeting = await repo.findMeeting(db, meetingId);
  if (!meeting) throw new AppError('not_found', 'Mötet finns inte.');
  const { ref, summary } = await pledgeOrThrow(db, meeting.pledgeId);
  return { meeting, ref, summary };
}

function authorizeManage(by: By, ref: Awaited<ReturnType<typeof loadPledgeRef>>): void {
  // The demo seed and imports act without a user; every HTTP route passes its actor.
  if (by.actor === null && by.label) return;
  authorize(by.actor, { action: 'meeting.manage', pledge: ref! });
}

function refuseUnlessPlanned(m: Pick<Meeting, 'state'>): void {
  if (m.state !== 'planned') throw new AppError('invalid_state', notEditableMessage(m.state));
}

function fieldError(field: string, message: string): AppError {
  return new AppError('validation_failed', `${field}: ${message}`, [{ field, message }]);
}

/** What is stored now, beside the user's kept input after a conflict. */
function currentFields(m: Meeting): Record<string, unknown> {
  return { heldOn: m.heldOn, title: m.title, location: m.location, minutes: m.minutes };
}

/** A date outside the period is allowed (a meeting may follow up after the end) but not years away. */
function checkDate(heldOn: string, p: PledgeSummary): void {
  const from = `${Number(p.startsOn.slice(0, 4)) - 1}${p.startsOn.slice(4)}`;
  const to = `${Number(p.endsOn.slice(0, 4)) + 1}${p.endsOn.slice(4)}`;
  if (heldOn < from || heldOn > to) throw fieldError('heldOn', `Välj ett datum under löftets period (${p.startsOn} – ${p.endsOn}), eller högst ett år före eller efter.`);
}

// ---------------------------------------------------------------------------------------------
// Scheduling and editing

export async function scheduleMeeting(deps: MeetingDeps, by: By, pledgeId: string, form: unknown): Promise<Meeting> {
  const { ref, summary } = await pledgeOrThrow(deps.db, pledgeId);
  authorizeManage(by, ref);
  if (ref.state === 'archived') throw new AppError('invalid_state', 'Löftet är arkiverat. Nya möten kan inte planeras.');
  const f = parseOrThrow(MeetingForm, form);
  checkDate(f.heldOn, summary);
  const now = deps.clock().toISOString();
  const meeting: Meeting = { id: randomUUID(), pledgeId, heldOn: f.heldOn, title: f.title, location: f.location, state: 'planned', minutes: '', createdAt: now, updatedAt: now, closedAt: null, version: 1 };
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertMeeting(trx, meeting);
    await recordAudit(trx, { actor: by.actor, actorLabel: by.label, action: 'meeting.schedule', entityType: 'follow_up_meeting', entityId: meeting.id, pledgeId, after: { heldOn: f.heldOn, title: f.title, location: f.location } }, deps.clock());
  });
  return meeting;
}

/** "Three a year": the second Tuesday of three months, skipping days that already have a meeting. */
export async function scheduleYear(deps: MeetingDeps, by: By, pledgeId: string, form: unknown): Promise<Meeting[]> {
  const { ref, summary } = await pledgeOrThrow(deps.db, pledgeId);
  authorizeManage(by, ref);
  if (ref.state === 'archived') throw new AppError('invalid_state', 'Löftet är arkiverat. Nya möten kan inte planeras.');
  const f = parseOrThrow(YearPlanForm, form);
  const firstYear = Number(summary.startsOn.slice(0, 4));
  const lastYear = Number(summary.endsOn.slice(0, 4));
  if (f.planYear < firstYear || f.planYear > lastYear) throw fieldError('planYear', `Välj ett år under löftets period, ${firstYear === lastYear ? firstYear : `${firstYear}–${lastYear}`}.`);
  const now = deps.clock().toISOString();
  return deps.db.transaction().execute(async (trx) => {
    const taken = new Set((await repo.listMeetingsOfPledge(trx, pledgeId)).filter((m) => m.state !== 'cancelled').map((m) => m.heldOn));
    const days = meetingsOfYear(f.planYear, [f.month1, f.month2, f.month3], summary, taken);
    const created: Meeting[] = [];
    for (const heldOn of days) {
      const meeting: Meeting = { id: randomUUID(), pledgeId, heldOn, title: defaultTitle(heldOn), location: f.planLocation, state: 'planned', minutes: '', createdAt: now, updatedAt: now, closedAt: null, version: 1 };
      await repo.insertMeeting(trx, meeting);
      await recordAudit(trx, { actor: by.actor, actorLabel: by.label, action: 'meeting.schedule', entityType: 'follow_up_meeting', entityId: meeting.id, pledgeId, after: { heldOn, title: meeting.title, location: f.planLocation } }, deps.clock());
      created.push(meeting);
    }
    return created;
  });
}

/** Date, title and place of a planned meeting, at the version the form was based on. */
export async function editMeeting(deps: MeetingDeps, by: By, meetingId: string, form: unknown): Promise<void> {
  const { meeting, ref, summary } = await meetingOrThrow(deps.db, meetingId);
  authorizeManage(by, ref);
  refuseUnlessPlanned(meeting);
  const f = parseOrThrow(MeetingEditForm, form);
  checkDate(f.heldOn, summary);
  await writePlanned(deps, by, meeting, f.version, { held_on: f.heldOn, title: f.title, location: f.location }, 'meeting.edit', {
    before: { heldOn: meeting.heldOn, title: meeting.title, location: meeting.location },
    after: { heldOn: f.heldOn, title: f.title, location: f.location },
  });
}

export async function saveMinutes(deps: MeetingDeps, by: By, meetingId: string, form: unknown): Promise<void> {
  const { meeting, ref } = await meetingOrThrow(deps.db, meetingId);
  authorizeManage(by, ref);
  refuseUnlessPlanned(meeting);
  const f = parseOrThrow(MinutesForm, form);
  const minutes = f.minutes.replace(/\r\n/g, '\n').trim();
  await writePlanned(deps, by, meeting, f.version, { minutes }, 'meeting.minutes', { before: { minutes: meeting.minutes }, after: { minutes } });
}

export async function cancelMeeting(deps: MeetingDeps, by: By, meetingId: string, form: unknown): Promise<void> {
  const { meeting, ref } = await meetingOrThrow(deps.db, meetingId);
  authorizeManage(by, ref);
  refuseUnlessPlanned(meeting);
  const f = parseOrThrow(VersionForm, form);
  await writePlanned(deps, by, meeting, f.version, { state: 'cancelled' }, 'meeting.cancel', { before: { state: 'planned' }, after: { state: 'cancelled' } });
}

async function writePlanned(
  deps: MeetingDeps,
  by: By,
  meeting: Meeting,
  version: number,
  values: Parameters<typeof repo.updatePlannedMeeting>[3],
  action: string,
  audit: { before: Record<string, unknown>; after: Record<string, unknown> },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const ok = await repo.updatePlannedMeeting(trx, meeting.id, version, values, deps.clock().toISOString());
    if (!ok) await refuseStale(trx, meeting.id);
    await recordAudit(trx, { actor: by.actor, actorLabel: by.label, action, entityType: 'follow_up_meeting', entityId: meeting.id, pledgeId: meeting.pledgeId, ...audit }, deps.clock());
  });
}

/** Zero rows changed: either someone closed or cancelled it (say so), or saved first (show both). */
async function refuseStale(db: Executor, meetingId: string): Promise<never> {
  const now = await repo.findMeeting(db, meetingId);
  if (!now) throw new AppError('not_found', 'Mötet finns inte.');
  refuseUnlessPlanned(now);
  throw new EditConflictError(currentFields(now), now.version);
}

// ---------------------------------------------------------------------------------------------
// Attendees and decisions: their own rows, so they do not bump the meeting's version, but each
// change locks the meeting row first and so waits for, and then sees, a concurrent close.

async function changeParts(deps: MeetingDeps, by: By, meetingId: string, write: (trx: Executor, meeting: Meeting) => Promise<{ action: string; after?: Record<string, unknown>; before?: Record<string, unknown> }>): Promise<void> {
  const { meeting, ref } = await meetingOrThrow(deps.db, meetingId);
  authorizeManage(by, ref);
  refuseUnlessPlanned(meeting);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.claimPlannedMeeting(trx, meetingId, deps.clock().toISOString()))) await refuseStale(trx, meetingId);
    const audit = await write(trx, meeting);
    await recordAudit(trx, { actor: by.actor, actorLabel: by.label, entityType: 'follow_up_meeting', entityId: meetingId, pledgeId: meeting.pledgeId, ...audit }, deps.clock());
  });
}

export async function addAttendee(deps: MeetingDeps, by: By, meetingId: string, form: unknown): Promise<void> {
  const f = parseOrThrow(AttendeeForm, form);
  await changeParts(deps, by, meetingId, async (trx) => {
    await repo.insertAttendee(trx, { id: randomUUID(), meetingId, organisation: f.organisation, name: f.name, roleTitle: f.roleTitle });
    return { action: 'meeting.attendee.add', after: f };
  });
}

export async function removeAttendee(deps: MeetingDeps, by: By, meetingId: string, attendeeId: string): Promise<void> {
  await changeParts(deps, by, meetingId, async (trx) => {
    const gone = await repo.deleteAttendee(trx, meetingId, attendeeId);
    if (!gone) throw new AppError('not_found', 'Deltagaren finns inte på mötet.');
    return { action: 'meeting.attendee.remove', before: { organisation: gone.organisation, name: gone.name, roleTitle: gone.roleTitle } };
  });
}

/** A decision, optionally linked to an activity of the pledge's signed version. */
export async function addDecision(deps: MeetingDeps, by: By, meetingId: string, form: unknown): Promise<void> {
  const f = parseOrThrow(DecisionForm, form);
  const { meeting } = await meetingOrThrow(deps.db, meetingId);
  if (f.activityId) {
    const signed = await findSignedVersion(deps.db, meeting.pledgeId);
    const ids = new Set(signed ? activityIdsOf(signed) : []);
    if (!ids.has(f.activityId)) throw fieldError('activityId', 'Välj en aktivitet i det undertecknade löftet, eller ingen.');
  }
  await changeParts(deps, by, meetingId, async (trx) => {
    await repo.insertDecision(trx, { id: randomUUID(), meetingId, activityId: f.activityId, text: f.text });
    return { action: 'meeting.decision.add', after: f };
  });
}

export async function removeDecision(deps: MeetingDeps, by: By, meetingId: string, decisionId: string): Promise<void> {
  await changeParts(deps, by, meetingId, async (trx) => {
    const gone = await repo.deleteDecision(trx, meetingId, decisionId);
    if (!gone) throw new AppError('not_found', 'Beslutet finns inte på mötet.');
    return { action: 'meeting.decision.remove', before: { text: gone.text, activityId: gone.activityId } };
  });
}

// ---------------------------------------------------------------------------------------------
// Agenda

function activityIdsOf(v: PledgeVersion): string[] {
  return v.document.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities.map((a) => a.id)));
}

async function versionInputs(db: Executor, v: PledgeVersion): Promise<{ updates: Awaited<ReturnType<typeof listUpdatesOfActivities>>; live: Map<string, ActivityStatus> }> {
  const ids = activityIdsOf(v);
  const [updates, live] = await Promise.all([listUpdatesOfActivities(db, ids), activityStatuses(db, ids)]);
  return { updates, live };
}

/** The agenda of a meeting, or null when the pledge has no signed version (nothing to follow up yet). */
export async function meetingAgenda(db: Executor, meeting: Meeting, summary: PledgeSummary): Promise<Agenda | null> {
  const signed = await findSignedVersion(db, meeting.pledgeId);
  if (!signed) return null;
  const previous = (await repo.listMeetingsOfPledge(db, meeting.pledgeId)).filter((m) => m.state === 'closed' && m.heldOn < meeting.heldOn).at(-1) ?? null;
  const { updates, live } = await versionInputs(db, signed);
  return buildAgenda({
    document: signed.document,
    updates,
    heldOn: meeting.heldOn,
    periodStart: summary.startsOn,
    previousMeeting: previous ? { heldOn: previous.heldOn, title: previous.title } : null,
    liveStatus: live,
  });
}

// ---------------------------------------------------------------------------------------------
// Closing and year-end

export function snapshotJson(s: ReportSnapshot): string {
  return JSON.stringify(s);
}

/** SHA-256 of the stored snapshot: the report's identity for caches and the PDF's validator. */
export function snapshotHash(json: string): string {
  return createHash('sha256').update(json).digest('hex');
}

/**
 * Closes a planned meeting and freezes its FollowUpReport, in one transaction: the meeting row is
 * claimed first (state planned, version as on the page), so a concurrent edit or second close
 * finds it closed; the report is built inside the same transaction from the signed version, the
 * updates reported up to the meeting's day, the attendees, decisions and minutes.
 */
export async function closeMeeting(deps: MeetingDeps, by: By, meetingId: string, form: unknown): Promise<reports.StoredReport> {
  const { meeting, ref, summary } = await meetingOrThrow(deps.db, meetingId);
  authorizeManage(by, ref);
  refuseUnlessPlanned(meeting);
  const f = parseOrThrow(VersionForm, form);
  const now = deps.clock();
  if (meeting.heldOn > swedishDate(now)) throw new AppError('invalid_state', 'Mötet kan stängas först den dag det hålls.');
  try {
    return await deps.db.transaction().execute(async (trx) => {
      if (!(await repo.updatePlannedMeeting(trx, meetingId, f.version, { state: 'closed', closed_at: now.toISOString() }, now.toISOString()))) await refuseStale(trx, meetingId);
      const signed = await findSignedVersion(trx, meeting.pledgeId);
      if (!signed) throw new AppError('invalid_state', 'Löftet har ingen undertecknad version, så det finns ingen uppföljning att fastställa. Ställ in mötet eller vänta tills löftet är undertecknat.');
      const later = await reports.findLatestReportBefore(trx, meeting.pledgeId, 'meeting', '9999-12-31');
      if (later && later.reportDate >= meeting.heldOn)
        throw new AppError('invalid_state', later.reportDate === meeting.heldOn ? 'Det finns redan en fastställd rapport från ett möte samma dag. Ställ in det här mötet i stället.' : `Ett senare möte (${later.reportDate}) är redan stängt. Ett tidigare möte kan inte stängas efteråt; ställ in det i stället.`);
      const parts = (await repo.findMeetingWithParts(trx, meetingId))!;
      const previous = later; // the newest meeting report, all of them earlier than this one
      const { updates, live } = await versionInputs(trx, signed);
      const coversFrom = previous ? dayAfter(previous.reportDate) : summary.startsOn;
      const snapshot = buildSnapshot({
        kind: 'meeting',
        reportDate: meeting.heldOn,
        year: null,
        coversFrom,
        pledge: { id: summary.id, periodSlug: signed.periodSlug },
        version: { number: signed.number, contentHash: signed.contentHash, document: signed.document },
        liveStatus: live,
        updates,
        meeting: meetingPart(parts),
        baseline: previous ? baselineOfSnapshot(previous.snapshot) : baselineAsOf(signed.document, updates, dayBefore(coversFrom), live),
      });
      return storeReport(trx, deps, by, { pledgeId: meeting.pledgeId, meetingId, kind: 'meeting', reportDate: meeting.heldOn, year: null, previousReportId: previous?.id ?? null, snapshot });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('invalid_state', 'Mötet är redan stängt och dess rapport är fastställd.');
    throw err;
  }
}

function meetingPart(m: MeetingWithParts) {
  return {
    title: m.title,
    heldOn: m.heldOn,
    location: m.location,
    attendees: m.attendees.map((a) => ({ organisation: a.organisation, name: a.name, roleTitle: a.roleTitle })),
    decisions: m.decisions.map((d) => ({ text: d.text, activityId: d.activityId })),
    minutes: m.minutes,
  };
}

async function storeReport(
  trx: Executor,
  deps: MeetingDeps,
  by: By,
  r: { pledgeId: string; meetingId: string | null; kind: 'meeting' | 'year_end'; reportDate: string; year: number | null; previousReportId: string | null; snapshot: ReportSnapshot },
): Promise<reports.StoredReport> {
  const json = snapshotJson(r.snapshot);
  const stored: reports.StoredReport = { id: randomUUID(), ...r, createdAt: deps.clock().toISOString(), createdBy: byName(by), snapshotJson: json };
  await reports.insertReport(trx, stored);
  await recordAudit(
    trx,
    {
      actor: by.actor,
      actorLabel: by.label,
      action: r.kind === 'meeting' ? 'meeting.close' : 'report.year_end',
      entityType: r.meetingId ? 'follow_up_meeting' : 'follow_up_report',
      entityId: r.meetingId ?? stored.id,
      pledgeId: r.pledgeId,
      after: { report: stored.id, reportDate: r.reportDate, year: r.year, sha256: snapshotHash(json), activities: r.snapshot.tally.activities, noReport: r.snapshot.tally.noReport },
    },
    deps.clock(),
  );
  return stored;
}

/**
 * "Årsrapport {år}": a report of the whole year, frozen the same way, dated the year's last day, or
 * today when the year has not ended. It covers every update reported that year and compares with
 * the state at the year's start (or the period's, if later). One per pledge and year.
 */
export async function createYearEndReport(deps: MeetingDeps, by: By, pledgeId: string, year: number): Promise<reports.StoredReport> {
  const { ref, summary } = await pledgeOrThrow(deps.db, pledgeId);
  authorizeManage(by, ref);
  const today = swedishDate(deps.clock());
  const firstYear = Number(summary.startsOn.slice(0, 4));
  const lastYear = Number(summary.endsOn.slice(0, 4));
  if (!Number.isInteger(year) || year < firstYear || year > lastYear) throw fieldError('reportYear', `Välj ett år under löftets period, ${firstYear === lastYear ? firstYear : `${firstYear}–${lastYear}`}.`);
  if (`${year}-01-01` > today) throw fieldError('reportYear', `År ${year} har inte börjat än.`);
  const reportDate = `${year}-12-31` < today ? `${year}-12-31` : today;
  const coversFrom = `${year}-01-01` > summary.startsOn ? `${year}-01-01` : summary.startsOn;
  try {
    return await deps.db.transaction().execute(async (trx) => {
      if (await reports.findYearEndReport(trx, pledgeId, year)) throw new AppError('invalid_state', `Årsrapporten för ${year} är redan fastställd och kan inte göras om.`);
      const signed = await findSignedVersion(trx, pledgeId);
      if (!signed) throw new AppError('invalid_state', 'Löftet har ingen undertecknad version, så det finns ingen uppföljning att sammanfatta.');
      const { updates, live } = await versionInputs(trx, signed);
      const previous = await reports.findLatestReportBefore(trx, pledgeId, null, reportDate, true);
      const snapshot = buildSnapshot({
        kind: 'year_end',
        reportDate,
        year,
        coversFrom,
        pledge: { id: summary.id, periodSlug: signed.periodSlug },
        version: { number: signed.number, contentHash: signed.contentHash, document: signed.document },
        liveStatus: live,
        updates,
        meeting: null,
        baseline: baselineAsOf(signed.document, updates, dayBefore(coversFrom), live),
      });
      return storeReport(trx, deps, by, { pledgeId, meetingId: null, kind: 'year_end', reportDate, year, previousReportId: previous?.id ?? null, snapshot });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('invalid_state', `Årsrapporten för ${year} är redan fastställd och kan inte göras om.`);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Reads for the staff pages

export async function meetingsOfPledge(db: Executor, pledgeId: string): Promise<{ meetings: Meeting[]; reports: reports.ReportListing[] }> {
  const [meetings, list] = await Promise.all([repo.listMeetingsOfPledge(db, pledgeId), reports.listReportsOfPledge(db, pledgeId)]);
  return { meetings, reports: list };
}
