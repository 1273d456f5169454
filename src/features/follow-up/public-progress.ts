import type { Executor } from '../../db/executor.js';
import type { ActivityStatus, PledgeDocument } from '../pledges/pledge.js';
import { countingUpdates, latestOutcome, newestFirst, type ActivityUpdate } from './activity-update.js';
import { listUpdatesOfActivities } from './activity-update-repo.js';
import { activityProgress, rollUp, type ActivityProgress, type RolledUp } from './progress.js';

/**
 * Progress as the public sees it, for a published document (a signed version): only that
 * version's activities are looked up, so an activity that exists only in a draft never shows.
 * Depends on the data and the date only, so the page it is drawn on stays cacheable.
 */

export interface PublicActivityProgress {
  status: ActivityStatus;
  progress: ActivityProgress;
  /** The day the newest counting update describes; null when none. */
  lastReportedOn: string | null;
  /** Set when the activity has gone too long without an update: since when (the last update, or the period's start). */
  staleSince: string | null;
}

export interface PledgeProgress {
  activities: Map<string, PublicActivityProgress>;
  commitments: Map<string, RolledUp>;
  focusAreas: Map<string, RolledUp>;
  pledge: RolledUp;
  /** Whether any activity of the version has an update at all. */
  anyUpdates: boolean;
  staleAfterDays: number;
}

/** 'YYYY-MM-DD' plus n days (n may be negative), in the calendar, not in any time zone. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/**
 * When an activity counts as not followed up. Done and cancelled activities need no more updates;
 * before the period starts nothing is late; after it ends, lateness is judged at its last day, so an
 * old pledge does not look more neglected every year.
 */
export function staleSince(a: { status: ActivityStatus; lastReportedOn: string | null }, period: { startsOn: string; endsOn: string }, today: string, staleAfterDays: number): string | null {
  if (a.status === 'done' || a.status === 'cancelled' || today < period.startsOn) return null;
  const judgedOn = today < period.endsOn ? today : period.endsOn;
  const since = a.lastReportedOn ?? period.startsOn;
  return since < addDays(judgedOn, -staleAfterDays) ? since : null;
}

/** The pure part: progress for each activity, commitment, focus area and the whole pledge. */
export function computeProgress(doc: Pick<PledgeDocument, 'focusAreas' | 'startsOn' | 'endsOn'>, updates: readonly ActivityUpdate[], today: string, staleAfterDays: number): PledgeProgress {
  const byActivity = new Map<string, ActivityUpdate[]>();
  for (const u of updates) byActivity.set(u.activityId, [...(byActivity.get(u.activityId) ?? []), u]);
  const activities = new Map<string, PublicActivityProgress>();
  const commitments = new Map<string, RolledUp>();
  const focusAreas = new Map<string, RolledUp>();
  const all: ActivityProgress[] = [];
  for (const fa of doc.focusAreas) {
    const inArea: ActivityProgress[] = [];
    for (const c of fa.commitments) {
      const inCommitment: ActivityProgress[] = [];
      for (const a of c.activities) {
        const mine = byActivity.get(a.id) ?? [];
        const latest = newestFirst(countingUpdates(mine))[0] ?? null;
        const progress = activityProgress(a, latestOutcome(mine)?.outcome ?? null);
        const lastReportedOn = latest?.reportedOn ?? null;
        activities.set(a.id, { status: a.status, progress, lastReportedOn, staleSince: staleSince({ status: a.status, lastReportedOn }, doc, today, staleAfterDays) });
        inCommitment.push(progress);
      }
      commitments.set(c.id, rollUp(inCommitment));
      inArea.push(...inCommitment);
    }
    focusAreas.set(fa.id, rollUp(inArea));
    all.push(...inArea);
  }
  return { activities, commitments, focusAreas, pledge: rollUp(all), anyUpdates: updates.length > 0, staleAfterDays };
}

/** Progress of a published document on a date (today in Sweden). */
export async function loadPublicProgress(db: Executor, doc: PledgeDocument, today: string, staleAfterDays: number): Promise<PledgeProgress> {
  // Public documents come from signing/published.ts and always carry their signing; a working copy does not.
  if (!doc.signing) throw new Error('loadPublicProgress takes a published (signed) document');
  const ids = doc.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities.map((a) => a.id)));
  return computeProgress(doc, await listUpdatesOfActivities(db, ids), today, staleAfterDays);
}
