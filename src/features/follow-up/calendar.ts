import ical, { ICalCalendarMethod, ICalEventTransparency } from 'ical-generator';
import type { Party, PledgeDocument, Schedule } from '../pledges/pledge.js';
import { periodLabel } from '../pledges/pledge.js';
import { addDays } from './public-progress.js';
import type { MeetingRow } from './schedule-repo.js';

/**
 * The public iCalendar feed of a signed pledge: its Brå meetings (planned and closed) and its
 * activities' dates as all-day events. Written by ical-generator, which escapes text and folds
 * lines at 75 octets (RFC 5545 §3.1, §3.3.11). UIDs are built from ids, so a calendar that
 * subscribes sees the same event move or change rather than a new one appear.
 */

export interface DateRange {
  startsOn: string;
  /** Inclusive. */
  endsOn: string;
  /** Part of the UID when one activity gives several events (one per year). */
  key: string | null;
}

/** Monday of ISO week `week` of `year`: week 1 is the one with 4 January in it. */
export function isoWeekMonday(year: number, week: number): string {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = addDays(`${year}-01-04`, -((jan4.getUTCDay() + 6) % 7));
  return addDays(monday, (week - 1) * 7);
}

const WEEKS = /\bvecka\s+(\d{1,2})(?:\s*[–-]\s*(\d{1,2}))?/i;
// \b is ASCII-only in JavaScript, so å needs Unicode letter look-arounds.
const EVERY_YEAR = /(?<!\p{L})(varje\s+år|per\s+år|årligen)(?!\p{L})/iu;

/**
 * When an activity takes place, as dates. Dates in the schedule win. Otherwise a text such as
 * "Varje år vecka 47–48" (the common way to write a national campaign week) gives those ISO weeks
 * in each year of the period; "vecka 12" without "varje år" only in a one-year period, where it
 * cannot be misread. Any other text gives no date: the calendar does not guess.
 */
export function scheduleDates(s: Schedule | null, period: { startsOn: string; endsOn: string }): DateRange[] {
  if (!s) return [];
  if (s.startsOn || s.endsOn) {
    const startsOn = s.startsOn ?? s.endsOn!;
    return [{ startsOn, endsOn: s.endsOn ?? startsOn, key: null }];
  }
  const m = s.text ? WEEKS.exec(s.text) : null;
  if (!m) return [];
  const from = Number(m[1]);
  const to = Number(m[2] ?? m[1]);
  if (from < 1 || to > 53 || to < from) return [];
  const first = Number(period.startsOn.slice(0, 4));
  const last = Number(period.endsOn.slice(0, 4));
  if (!EVERY_YEAR.test(s.text!) && first !== last) return [];
  const out: DateRange[] = [];
  for (let y = first; y <= last; y++) {
    const startsOn = isoWeekMonday(y, from);
    const endsOn = addDays(isoWeekMonday(y, to), 6);
    // Week 53 does not exist every year, and a week may fall outside the period.
    if (isoWeekMonday(y, to) !== isoWeekMonday(y + 1, 1) && startsOn >= period.startsOn && endsOn <= period.endsOn) out.push({ startsOn, endsOn, key: String(y) });
  }
  return out;
}

export interface CalendarInput {
  pledge: PledgeDocument;
  municipality: Pick<Party, 'name' | 'slug'>;
  meetings: MeetingRow[];
  /** meeting id → the date (address) of the report frozen when it closed. */
  reportDates: ReadonlyMap<string, string>;
  baseUrl: string;
}

const UID_DOMAIN = 'medborgarloften';
const utcDate = (d: string) => new Date(`${d}T00:00:00Z`);

export function buildCalendar(input: CalendarInput): string {
  const p = input.pledge;
  const base = input.baseUrl.replace(/\/+$/, '');
  const pledgeUrl = `${base}/kommun/${input.municipality.slug}/${p.periodSlug}`;
  // ical-generator does not escape the calendar's name; ours never needs to be.
  const name = `Medborgarlöften ${input.municipality.name} ${periodLabel(p)}`.replace(/[,;\\]/g, ' ');
  const cal = ical({ name, prodId: { company: 'Medborgarlöften', product: 'loften', language: 'SV' }, method: ICalCalendarMethod.PUBLISH, url: pledgeUrl });
  const parties = new Map(p.parties.map((x) => [x.id, x.name]));

  for (const m of input.meetings) {
    const report = input.reportDates.get(m.id);
    cal.createEvent({
      id: `meeting-${m.id}@${UID_DOMAIN}`,
      start: utcDate(m.heldOn),
      end: utcDate(addDays(m.heldOn, 1)),
      allDay: true,
      stamp: new Date(m.updatedAt),
      summary: `${m.title} (${input.municipality.name})`,
      description: report
        ? `Uppföljningsmöte för ${p.title}. Rapporten från mötet: ${pledgeUrl}/uppfoljning/${report}`
        : `Uppföljningsmöte (lokala Brå) för ${p.title}.`,
      location: m.location,
      url: report ? `${pledgeUrl}/uppfoljning/${report}` : pledgeUrl,
    });
  }

  const signedAt = new Date(p.signing?.signedAt ?? p.updatedAt);
  for (const fa of p.focusAreas)
    for (const c of fa.commitments)
      for (const a of c.activities)
        for (const range of scheduleDates(a.schedule, p)) {
          cal.createEvent({
            id: `activity-${a.id}${range.key ? `-${range.key}` : ''}@${UID_DOMAIN}`,
            start: utcDate(range.startsOn),
            end: utcDate(addDays(range.endsOn, 1)), // DTEND of an all-day event is the day after
            allDay: true,
            stamp: signedAt,
            summary: a.description,
            description: [`Ansvarig: ${parties.get(a.ownerPartyId) ?? ''}.`, a.schedule?.text ? `När: ${a.schedule.text}.` : '', `Ur ${p.title}.`].filter(Boolean).join(' '),
            url: pledgeUrl,
            // A campaign or a period of work, not an appointment: it does not make anyone busy.
            transparency: ICalEventTransparency.TRANSPARENT,
          });
        }
  return cal.toString();
}
