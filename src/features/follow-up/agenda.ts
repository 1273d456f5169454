import type { ActivityStatus } from '../pledges/pledge.js';
import type { VersionDocument } from '../signing/version-content.js';
import { countingUpdates, newestFirst, type ActivityUpdate } from './activity-update.js';
import { activityAsOf, dayAfter } from './report.js';

/**
 * The agenda of a Brå meeting, built from the signed version's activities: first those with news
 * (counting updates reported after the previous closed meeting, or from the period's start, up to
 * the meeting's day), then those without. An open activity without news is flagged "Ingen
 * rapport"; a done or cancelled one needs no more reports and is listed as finished instead.
 * Pure: the page, the tests and the reminders' wording all agree on the same window.
 */

export interface AgendaItem {
  activityId: string;
  description: string;
  ownerName: string;
  focusArea: string;
  commitment: string;
  status: ActivityStatus;
  lastReportedOn: string | null;
  /** Counting updates in the window, oldest first. */
  news: ActivityUpdate[];
}

export interface Agenda {
  /** First day whose reports count as news. */
  from: string;
  to: string;
  /** The previous closed meeting, when there is one. */
  previousMeeting: { heldOn: string; title: string } | null;
  withNews: AgendaItem[];
  /** Open activities without a report in the window: "Ingen rapport". */
  noReport: AgendaItem[];
  /** Done or cancelled activities without news. */
  finished: AgendaItem[];
}

export function buildAgenda(input: {
  document: VersionDocument;
  updates: readonly ActivityUpdate[];
  /** The meeting's day: the last day whose reports it reads. */
  heldOn: string;
  /** The period's first day, when there is no previous closed meeting. */
  periodStart: string;
  previousMeeting: { heldOn: string; title: string } | null;
  liveStatus: ReadonlyMap<string, ActivityStatus>;
}): Agenda {
  const from = input.previousMeeting ? dayAfter(input.previousMeeting.heldOn) : input.periodStart;
  const partyName = new Map(input.document.parties.map((p) => [p.id, p.name]));
  const agenda: Agenda = { from, to: input.heldOn, previousMeeting: input.previousMeeting, withNews: [], noReport: [], finished: [] };
  for (const fa of input.document.focusAreas)
    for (const c of fa.commitments)
      for (const a of c.activities) {
        const mine = input.updates.filter((u) => u.activityId === a.id);
        const now = activityAsOf(mine, input.heldOn, input.liveStatus.get(a.id) ?? 'planned');
        const known = mine.filter((u) => u.reportedOn <= input.heldOn);
        const news = newestFirst(countingUpdates(known).filter((u) => u.reportedOn >= from)).reverse();
        const item: AgendaItem = {
          activityId: a.id,
          description: a.description,
          ownerName: partyName.get(a.ownerPartyId) ?? '',
          focusArea: fa.title,
          commitment: c.title,
          status: now.status,
          lastReportedOn: now.latest?.reportedOn ?? null,
          news,
        };
        if (news.length > 0) agenda.withNews.push(item);
        else if (now.status === 'done' || now.status === 'cancelled') agenda.finished.push(item);
        else agenda.noReport.push(item);
      }
  return agenda;
}

