import { z } from 'zod';
import { messages } from '../../platform/i18n/index.js';
import { formatDate } from '../../platform/views/format.js';

/**
 * FollowUpMeeting (the Brå meeting): domain types and the rules of its forms. Pure; meetings.ts
 * runs them. A meeting is planned, then closed (which freezes its FollowUpReport) or cancelled;
 * a closed or cancelled meeting never changes again. See docs/decisions/follow-up-meetings.md.
 */

export type MeetingState = 'planned' | 'closed' | 'cancelled';

export interface Meeting {
  id: string;
  pledgeId: string;
  heldOn: string;
  title: string;
  location: string | null;
  state: MeetingState;
  minutes: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  version: number;
}

export interface Attendee {
  id: string;
  meetingId: string;
  organisation: string;
  name: string;
  roleTitle: string | null;
  position: number;
}

export interface Decision {
  id: string;
  meetingId: string;
  activityId: string | null;
  text: string;
  position: number;
}

export interface MeetingWithParts extends Meeting {
  attendees: Attendee[];
  decisions: Decision[];
}

const sv = messages('sv');

/** "Brå-möte 12 april 2022": the title when none is given. */
export function defaultTitle(heldOn: string): string {
  return `Brå-möte ${formatDate(heldOn, sv)}`;
}

/** The refusal for any change to a meeting that is no longer planned. */
export function notEditableMessage(state: MeetingState): string {
  return state === 'closed'
    ? 'Mötet är stängt och dess rapport är fastställd. Ett stängt möte kan inte ändras.'
    : 'Mötet är inställt och kan inte ändras.';
}

function isRealDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const date = z
  .string('Ange datum som ÅÅÅÅ-MM-DD.')
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Ange datum som ÅÅÅÅ-MM-DD.')
  .refine(isRealDate, 'Datumet finns inte i kalendern.');

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Högst ${max} tecken.`)
    .default('')
    .transform((v) => v || null);

const version = z.coerce.number('Formuläret saknar version. Ladda om sidan.').int().positive('Formuläret saknar version. Ladda om sidan.');

export const MeetingForm = z
  .object({
    heldOn: date,
    title: z.string().trim().max(200, 'Högst 200 tecken.').default(''),
    location: optionalText(200),
  })
  .transform((f) => ({ ...f, title: f.title || defaultTitle(f.heldOn) }));
export type MeetingInput = z.output<typeof MeetingForm>;

export const MeetingEditForm = z.intersection(MeetingForm, z.object({ version }));

export const MinutesForm = z.object({ version, minutes: z.string().max(50000, 'Högst 50 000 tecken.').default('') });

export const VersionForm = z.object({ version });

export const AttendeeForm = z.object({
  organisation: z.string('Ange organisation.').trim().min(1, 'Ange vilken organisation personen företräder.').max(200, 'Högst 200 tecken.'),
  name: z.string('Ange namn.').trim().min(1, 'Ange namnet.').max(200, 'Högst 200 tecken.'),
  roleTitle: optionalText(200),
});

export const DecisionForm = z.object({
  text: z.string('Skriv beslutet.').trim().min(1, 'Skriv beslutet.').max(5000, 'Högst 5000 tecken.'),
  activityId: z
    .string()
    .trim()
    .default('')
    .transform((v) => v || null),
});

export const MONTHS_DEFAULT = [4, 9, 12] as const;

const month = z.coerce.number('Välj en månad.').int('Välj en månad.').min(1, 'Välj en månad.').max(12, 'Välj en månad.');

export const YearPlanForm = z
  .object({
    planYear: z.coerce.number('Ange året med fyra siffror.').int('Ange året med fyra siffror.').min(2000, 'Ange året med fyra siffror.').max(2100, 'Ange året med fyra siffror.'),
    month1: month,
    month2: month,
    month3: month,
    planLocation: optionalText(200),
  })
  .superRefine((f, issue) => {
    if (f.month2 <= f.month1) issue.addIssue({ code: 'custom', path: ['month2'], message: 'Välj en månad efter det första mötets.' });
    if (f.month3 <= f.month2) issue.addIssue({ code: 'custom', path: ['month3'], message: 'Välj en månad efter det andra mötets.' });
  });

/** The second Tuesday of a month: a day that leaves the first week for the reports the meeting reads. */
export function secondTuesday(year: number, month: number): string {
  const first = new Date(Date.UTC(year, month - 1, 1));
  const toTuesday = (2 - first.getUTCDay() + 7) % 7;
  return new Date(Date.UTC(year, month - 1, 1 + toTuesday + 7)).toISOString().slice(0, 10);
}

/**
 * "Three a year": one meeting on the second Tuesday of each chosen month (by default April,
 * September and December, Strängnäs' rhythm), inside the pledge's period. Days that already have
 * a meeting, and days outside the period, are skipped, so running it twice adds nothing.
 */
export function meetingsOfYear(year: number, months: readonly number[], period: { startsOn: string; endsOn: string }, taken: ReadonlySet<string>): string[] {
  return months.map((mo) => secondTuesday(year, mo)).filter((d) => d >= period.startsOn && d <= period.endsOn && !taken.has(d));
}
