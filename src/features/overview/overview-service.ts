import type { Executor } from '../../db/executor.js';
import { matchesSv, sortSv } from '../../platform/text.js';
import { listPublicPledgesByMunicipality } from '../pledges/pledge-repo.js';
import { ACTIVITY_STATUSES, pledgeToShow, type ActivityStatus, type Party, type PledgeSummary } from '../pledges/pledge.js';
import { freshness, type Freshness } from './overview.js';
import * as repo from './overview-repo.js';

/** The national overview: every municipality, its pledge's focus areas, how its activities stand, how fresh its follow-up is. */

export interface OverviewFilter {
  /** Exact county name, e.g. "Södermanlands län". */
  county?: string;
  /** Part of a focus area's title, matched the Swedish way (case, å/ä/ö). */
  focus?: string;
  onlyInForce?: boolean;
}

export interface OverviewRow {
  municipality: Party;
  /** The pledge in force, else the latest public one (as on /kommun/{slug}); null when there is none. */
  pledge: PledgeSummary | null;
  inForce: boolean;
  focusAreas: string[];
  activities: Record<ActivityStatus, number> & { total: number };
  lastFollowUp: string | null;
  freshness: Freshness;
}

export interface Overview {
  rows: OverviewRow[];
  /** Municipalities in the register, before filtering. */
  total: number;
  counties: string[];
}

const noActivities = () => Object.fromEntries([...ACTIVITY_STATUSES.map((s) => [s, 0]), ['total', 0]]) as OverviewRow['activities'];

export async function nationalOverview(db: Executor, filter: OverviewFilter, today: string): Promise<Overview> {
  const [municipalities, pledgeRows, counties] = await Promise.all([repo.listMunicipalities(db), listPublicPledgesByMunicipality(db), repo.listCounties(db)]);
  const pledgesOf = new Map<string, PledgeSummary[]>();
  for (const r of pledgeRows) pledgesOf.set(r.municipality.id, [...(pledgesOf.get(r.municipality.id) ?? []), r.pledge]);
  const shown = new Map(municipalities.map((m) => [m.id, pledgeToShow(pledgesOf.get(m.id) ?? [], today)]));
  const pledgeIds = [...new Set([...shown.values()].filter((s) => s !== null).map((s) => s!.pledge.id))];
  const [titles, counts, followUps] = await Promise.all([repo.focusAreaTitles(db, pledgeIds), repo.activityStatusCounts(db, pledgeIds), repo.lastFollowUps(db, pledgeIds)]);

  const rows: OverviewRow[] = [];
  for (const municipality of municipalities) {
    if (filter.county && municipality.county !== filter.county) continue;
    const s = shown.get(municipality.id) ?? null;
    if (filter.onlyInForce && !s?.inForce) continue;
    const focusAreas = s ? (titles.get(s.pledge.id) ?? []) : [];
    if (filter.focus && !focusAreas.some((t) => matchesSv(t, filter.focus!))) continue;
    const activities = noActivities();
    for (const [status, n] of Object.entries(s ? (counts.get(s.pledge.id) ?? {}) : {})) {
      activities[status as ActivityStatus] = n;
      activities.total += n;
    }
    const lastFollowUp = s ? (followUps.get(s.pledge.id) ?? null) : null;
    rows.push({ municipality, pledge: s?.pledge ?? null, inForce: s?.inForce ?? false, focusAreas, activities, lastFollowUp, freshness: freshness(lastFollowUp, today) });
  }
  return { rows: sortSv(rows, (r) => r.municipality.name), total: municipalities.length, counties: sortSv(counties, (c) => c) };
}
