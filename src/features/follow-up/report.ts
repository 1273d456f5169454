import type { ActivityStatus, Target } from '../pledges/pledge.js';
import type { VersionDocument } from '../signing/version-content.js';
import { countingUpdates, latestOutcome, newestFirst, type ActivityUpdate, type UpdateCount } from './activity-update.js';
import { activityProgress, rollUp, type ActivityProgress, type Outcome, type RolledUp } from './progress.js';

/**
 * FollowUpReport: what a Brå meeting (or a year) froze. Pure functions from the signed version,
 * the activity updates and the meeting to a snapshot; report-repo.ts stores it as JSON in a table
 * that refuses UPDATE and DELETE, and the public pages and the PDF draw only from the stored JSON.
 * So a later update, correction or amendment can never change a report.
 *
 * "At that date": an activity's status and outcome are those of its counting updates reported on
 * or before the report date (part A's rules: corrections replace what they correct, the outcome is
 * the total so far). Progress and the roll-up are part A's (progress.ts).
 */

export const SNAPSHOT_FORMAT = 'loften.follow-up-report/1';

export type ReportKind = 'meeting' | 'year_end';

export interface SnapshotUpdate {
  reportedOn: string;
  status: ActivityStatus;
  previousStatus: ActivityStatus;
  statusReason: string | null;
  outcome: Outcome | null;
  counts: UpdateCount[];
  narrative: string;
  authorName: string;
  /** It corrects an earlier report. */
  correction: boolean;
}

export interface SnapshotActivity {
  id: string;
  description: string;
  ownerPartyId: string;
  ownerName: string;
  target: Target | null;
  status: ActivityStatus;
  outcome: Outcome | null;
  progress: ActivityProgress;
  /** The day the newest counting update up to the report date describes. */
  lastReportedOn: string | null;
  /** That update's narrative and counts. */
  narrative: string | null;
  counts: UpdateCount[];
  /** Counting updates reported inside the period the report covers, oldest first. */
  updates: SnapshotUpdate[];
  /** No update in the period, and still open (not done or cancelled): "Ingen rapport". */
  noReport: boolean;
}

export interface SnapshotCommitment {
  id: string;
  title: string;
  progress: RolledUp;
  activities: SnapshotActivity[];
}

export interface SnapshotFocusArea {
  id: string;
  title: string;
  progress: RolledUp;
  commitments: SnapshotCommitment[];
}

export interface ReportChanges {
  /** What the report is compared with: the previous report, or the state on a day (the period's or the year's start). */
  since: { kind: 'report'; reportKind: ReportKind; date: string } | { kind: 'start'; date: string };
  statusChanges: { activityId: string; description: string; from: ActivityStatus; to: ActivityStatus; reason: string | null }[];
  newOutcomes: { activityId: string; description: string; from: number | null; to: number; unit: string; target: number | null }[];
  added: { activityId: string; description: string }[];
  removed: { activityId: string; description: string }[];
}

export interface SnapshotMeeting {
  title: string;
  heldOn: string;
  location: string | null;
  attendees: { organisation: string; name: string; roleTitle: string | null }[];
  decisions: { text: string; activityId: string | null; activityDescription: string | null }[];
  minutes: string;
}

export interface ReportSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  kind: ReportKind;
  reportDate: string;
  year: number | null;
  /** The first and last day whose updates the report covers. */
  coversFrom: string;
  coversTo: string;
  pledge: { id: string; title: string; startsOn: string; endsOn: string; periodSlug: string; isDemo: boolean; versionNumber: number; contentHash: string };
  parties: { id: string; name: string; kind: string }[];
  meeting: SnapshotMeeting | null;
  focusAreas: SnapshotFocusArea[];
  total: RolledUp;
  changes: ReportChanges;
  tally: { activities: number; withReport: number; noReport: number; updates: number };
}

/** What an activity looked like at some earlier moment, for "what changed". */
export interface BaselineActivity {
  description: string;
  status: ActivityStatus;
  outcome: Outcome | null;
}

export interface Baseline {
  since: ReportChanges['since'];
  activities: Map<string, BaselineActivity>;
}

/** The status, outcome and newest counting update of one activity as known on `date`. */
export function activityAsOf(updates: readonly ActivityUpdate[], date: string, liveStatus: ActivityStatus): { status: ActivityStatus; outcome: Outcome | null; latest: ActivityUpdate | null } {
  const known = updates.filter((u) => u.reportedOn <= date);
  const latest = newestFirst(countingUpdates(known))[0] ?? null;
  let status: ActivityStatus;
  if (latest) status = latest.status;
  else if (updates.length > 0) status = newestFirst(updates).at(-1)!.previousStatus; // before its first report
  else status = liveStatus;
  return { status, outcome: latestOutcome(known)?.outcome ?? null, latest };
}

function allActivities(doc: VersionDocument) {
  return doc.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities));
}

function byActivity(updates: readonly ActivityUpdate[]): Map<string, ActivityUpdate[]> {
  const map = new Map<string, ActivityUpdate[]>();
  for (const u of updates) map.set(u.activityId, [...(map.get(u.activityId) ?? []), u]);
  return map;
}

/** The state on a day, computed from the updates: the comparison for a first report and for a year. */
export function baselineAsOf(doc: VersionDocument, updates: readonly ActivityUpdate[], date: string, live: ReadonlyMap<string, ActivityStatus>): Baseline {
  const grouped = byActivity(updates);
  const activities = new Map<string, BaselineActivity>();
  for (const a of allActivities(doc)) {
    const s = activityAsOf(grouped.get(a.id) ?? [], date, live.get(a.id) ?? 'planned');
    activities.set(a.id, { description: a.description, status: s.status, outcome: s.outcome });
  }
  return { since: { kind: 'start', date }, activities };
}

/** A stored report as the comparison for the next one. */
export function baselineOfSnapshot(s: ReportSnapshot): Baseline {
  const activities = new Map<string, BaselineActivity>();
  for (const fa of s.focusAreas) for (const c of fa.commitments) for (const a of c.activities) activities.set(a.id, { description: a.description, status: a.status, outcome: a.outcome });
  return { since: { kind: 'report', reportKind: s.kind, date: s.reportDate }, activities };
}

export interface SnapshotInput {
  kind: ReportKind;
  reportDate: string;
  year: number | null;
  coversFrom: string;
  pledge: { id: string; periodSlug: string };
  version: { number: number; contentHash: string; document: VersionDocument };
  /** The live status of each activity: used only for an activity that has never been reported on. */
  liveStatus: ReadonlyMap<string, ActivityStatus>;
  /** Every update of the version's activities (others are ignored). */
  updates: readonly ActivityUpdate[];
  meeting: Omit<SnapshotMeeting, 'decisions'> & { decisions: { text: string; activityId: string | null }[] } | null;
  baseline: Baseline;
}

const CLOSED: readonly ActivityStatus[] = ['done', 'cancelled'];

function toSnapshotUpdate(u: ActivityUpdate): SnapshotUpdate {
  return {
    reportedOn: u.reportedOn,
    status: u.status,
    previousStatus: u.previousStatus,
    statusReason: u.statusReason,
    outcome: u.outcome,
    counts: u.counts,
    narrative: u.narrative,
    authorName: u.authorName,
    correction: u.correctsUpdateId !== null,
  };
}

export function buildSnapshot(input: SnapshotInput): ReportSnapshot {
  const doc = input.version.document;
  const partyName = new Map(doc.parties.map((p) => [p.id, p.name]));
  const grouped = byActivity(input.updates);
  const { reportDate, coversFrom } = input;
  let updatesInPeriod = 0;

  const focusAreas: SnapshotFocusArea[] = doc.focusAreas.map((fa) => {
    const commitments: SnapshotCommitment[] = fa.commitments.map((c) => {
      const activities: SnapshotActivity[] = c.activities.map((a) => {
        const mine = grouped.get(a.id) ?? [];
        const s = activityAsOf(mine, reportDate, input.liveStatus.get(a.id) ?? 'planned');
        const known = mine.filter((u) => u.reportedOn <= reportDate);
        const inPeriod = newestFirst(countingUpdates(known).filter((u) => u.reportedOn >= coversFrom)).reverse();
        updatesInPeriod += inPeriod.length;
        return {
          id: a.id,
          description: a.description,
          ownerPartyId: a.ownerPartyId,
          ownerName: partyName.get(a.ownerPartyId) ?? '',
          target: a.target,
          status: s.status,
          outcome: s.outcome,
          progress: activityProgress({ status: s.status, target: a.target }, s.outcome),
          lastReportedOn: s.latest?.reportedOn ?? null,
          narrative: s.latest?.narrative || null,
          counts: s.latest?.counts ?? [],
          updates: inPeriod.map(toSnapshotUpdate),
          noReport: inPeriod.length === 0 && !CLOSED.includes(s.status),
        };
      });
      return { id: c.id, title: c.title, progress: rollUp(activities.map((a) => a.progress)), activities };
    });
    return { id: fa.id, title: fa.title, progress: rollUp(commitments.flatMap((c) => c.activities.map((a) => a.progress))), commitments };
  });

  const activities = focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities));
  const description = new Map(activities.map((a) => [a.id, a.description]));
  return {
    format: SNAPSHOT_FORMAT,
    kind: input.kind,
    reportDate,
    year: input.year,
    coversFrom,
    coversTo: reportDate,
    pledge: {
      id: input.pledge.id,
      title: doc.title,
      startsOn: doc.startsOn,
      endsOn: doc.endsOn,
      periodSlug: input.pledge.periodSlug,
      isDemo: doc.isDemo,
      versionNumber: input.version.number,
      contentHash: input.version.contentHash,
    },
    parties: doc.parties.map((p) => ({ id: p.id, name: p.name, kind: p.kind })),
    meeting: input.meeting
      ? { ...input.meeting, decisions: input.meeting.decisions.map((d) => ({ ...d, activityDescription: d.activityId ? (description.get(d.activityId) ?? null) : null })) }
      : null,
    focusAreas,
    total: rollUp(activities.map((a) => a.progress)),
    changes: changesSince(input.baseline, activities),
    tally: {
      activities: activities.length,
      withReport: activities.filter((a) => a.updates.length > 0).length,
      noReport: activities.filter((a) => a.noReport).length,
      updates: updatesInPeriod,
    },
  };
}

/** Status changes, new outcomes, and activities added or removed (by an amendment) since the baseline. */
export function changesSince(baseline: Baseline, activities: readonly SnapshotActivity[]): ReportChanges {
  const changes: ReportChanges = { since: baseline.since, statusChanges: [], newOutcomes: [], added: [], removed: [] };
  const now = new Set(activities.map((a) => a.id));
  for (const a of activities) {
    const before = baseline.activities.get(a.id);
    if (!before) {
      changes.added.push({ activityId: a.id, description: a.description });
      continue;
    }
    if (before.status !== a.status) {
      const why = [...a.updates].reverse().find((u) => u.status === a.status && u.statusReason);
      changes.statusChanges.push({ activityId: a.id, description: a.description, from: before.status, to: a.status, reason: why?.statusReason ?? null });
    }
    if (a.outcome && (before.outcome?.value !== a.outcome.value || before.outcome.unit !== a.outcome.unit)) {
      changes.newOutcomes.push({
        activityId: a.id,
        description: a.description,
        from: before.outcome && before.outcome.unit === a.outcome.unit ? before.outcome.value : null,
        to: a.outcome.value,
        unit: a.outcome.unit,
        target: a.target?.kind === 'numeric' ? a.target.value : null,
      });
    }
  }
  for (const [id, before] of baseline.activities) if (!now.has(id)) changes.removed.push({ activityId: id, description: before.description });
  return changes;
}

/** The day before a date, for "the state at the start of". */
export function dayBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

/** The day after a date: a report covers the days after the previous one. */
export function dayAfter(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Parses stored JSON, refusing anything that is not a report snapshot of this format. */
export function parseSnapshot(json: string): ReportSnapshot {
  const s = JSON.parse(json) as ReportSnapshot;
  if (s?.format !== SNAPSHOT_FORMAT) throw new Error(`Unknown follow-up report format: ${String(s?.format)}`);
  return s;
}
