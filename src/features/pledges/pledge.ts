import { z } from 'zod';

/** The pledge register's domain: types, input schema and the rules that hold whatever stores them. */

export const PARTY_KINDS = ['municipality', 'police_area', 'partner'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

export const PLEDGE_STATES = ['draft', 'signed', 'archived'] as const;
export type PledgeState = (typeof PLEDGE_STATES)[number];

/**
 * The state of the working copy as editing sees it. A draft with a version awaiting signatures is
 * frozen: nobody edits it until the version is signed or withdrawn. Derived, not stored (see
 * docs/decisions/signing.md).
 */
export type WorkingState = PledgeState | 'awaiting_signatures';

export const ACTIVITY_STATUSES = ['planned', 'in_progress', 'done', 'delayed', 'cancelled'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

export interface Party {
  id: string;
  kind: PartyKind;
  name: string;
  slug: string;
  municipalityCode: string | null;
  county: string | null;
  websiteUrl: string | null;
  isDemo: boolean;
}

export type Target = { kind: 'numeric'; value: number; unit: string } | { kind: 'text'; text: string };

export interface Schedule {
  startsOn: string | null;
  endsOn: string | null;
  /** Recurrence or free text, e.g. "Varje år vecka 47–48". */
  text: string | null;
}

export interface Activity {
  id: string;
  ownerPartyId: string;
  description: string;
  target: Target | null;
  schedule: Schedule | null;
  status: ActivityStatus;
}

export interface Commitment {
  id: string;
  title: string;
  description: string;
  activities: Activity[];
}

export interface FocusArea {
  id: string;
  title: string;
  description: string;
  commitments: Commitment[];
}

export interface Signatory {
  id: string;
  partyId: string;
  name: string;
  roleTitle: string;
}

export interface PledgeSummary {
  id: string;
  title: string;
  startsOn: string;
  endsOn: string;
  periodSlug: string;
  state: PledgeState;
  isDemo: boolean;
}

/** Who signed the version a public page shows, and how to check it. */
export interface SigningInfo {
  versionId: string;
  versionNumber: number;
  contentHash: string;
  signedAt: string;
  meeting: { on: string; kind: 'digital' | 'physical'; note: string | null } | null;
  signatures: { name: string; roleTitle: string; partyId: string; signedAt: string; method: string }[];
  /** Signed versions before this one, which stay public. */
  earlierVersions: number;
}

/** A whole pledge as the public pages, the API and exports see it. */
export interface PledgeDocument extends PledgeSummary {
  background: string;
  updatedAt: string;
  version: number;
  parties: Party[];
  signatories: Signatory[];
  focusAreas: FocusArea[];
  /** Set on public documents, which are always a signed version. */
  signing?: SigningInfo;
}

// ---------------------------------------------------------------------------------------------
// Input

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Ange datum som ÅÅÅÅ-MM-DD.')
  .refine(isRealDate, 'Datumet finns inte i kalendern.');

const text = (max: number) => z.string().trim().min(1, 'Fältet får inte vara tomt.').max(max, `Högst ${max} tecken.`);

export const PartyInput = z
  .object({
    kind: z.enum(PARTY_KINDS),
    name: text(200),
    slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Bara a–z, 0–9 och bindestreck.').max(100),
    municipalityCode: z
      .string()
      .regex(/^\d{4}$/, 'En kommunkod är fyra siffror, t.ex. 0486.')
      .nullable()
      .default(null),
    county: z.string().trim().max(100).nullable().default(null),
    websiteUrl: z.url('Ange en fullständig webbadress.').nullable().default(null),
    isDemo: z.boolean().default(false),
  })
  .superRefine((p, ctx) => {
    if (p.kind === 'municipality' && !p.municipalityCode)
      ctx.addIssue({ code: 'custom', path: ['municipalityCode'], message: 'En kommun måste ha en kommunkod.' });
    if (p.kind !== 'municipality' && p.municipalityCode)
      ctx.addIssue({ code: 'custom', path: ['municipalityCode'], message: 'Bara kommuner har kommunkod.' });
  });
export type PartyInput = z.input<typeof PartyInput>;

const TargetInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('numeric'), value: z.number().finite().nonnegative(), unit: text(50) }),
  z.object({ kind: z.literal('text'), text: text(500) }),
]);

const ScheduleInput = z
  .object({
    startsOn: isoDate.nullable().default(null),
    endsOn: isoDate.nullable().default(null),
    text: z.string().trim().max(200).nullable().default(null),
  })
  .refine((s) => !(s.startsOn && s.endsOn) || s.startsOn <= s.endsOn, {
    path: ['endsOn'],
    message: 'Slutdatum kan inte ligga före startdatum.',
  })
  .refine((s) => s.startsOn || s.endsOn || s.text, { message: 'Ange datum eller en beskrivning av när.' });

export const ActivityInput = z.object({
  ownerPartyId: z.uuid(),
  description: text(2000),
  target: TargetInput.nullable().default(null),
  schedule: ScheduleInput.nullable().default(null),
  status: z.enum(ACTIVITY_STATUSES).default('planned'),
});

export const CommitmentInput = z.object({
  title: text(300),
  description: z.string().trim().max(5000).default(''),
  activities: z.array(ActivityInput).default([]),
});

export const FocusAreaInput = z.object({
  title: text(200),
  description: z.string().trim().max(5000).default(''),
  commitments: z.array(CommitmentInput).default([]),
});

export const SignatoryInput = z.object({ partyId: z.uuid(), name: text(200), roleTitle: text(200) });

export const PledgeInput = z
  .object({
    title: text(300),
    startsOn: isoDate,
    endsOn: isoDate,
    background: z.string().trim().max(20000).default(''),
    state: z.enum(PLEDGE_STATES).default('draft'),
    /**
     * For a pledge entered as already signed (state signed or archived): when and how it was signed
     * outside the app, e.g. on paper before the register existed. Recorded as such, never as an
     * in-app signature.
     */
    signedOn: isoDate.nullable().default(null),
    signingMeetingKind: z.enum(['digital', 'physical']).nullable().default(null),
    isDemo: z.boolean().default(false),
    partyIds: z.array(z.uuid()).min(2, 'Ett löfte har minst en kommun och ett lokalpolisområde.'),
    signatories: z.array(SignatoryInput).default([]),
    focusAreas: z.array(FocusAreaInput).default([]),
  })
  .superRefine((p, ctx) => {
    const problem = periodProblem(p.startsOn, p.endsOn);
    if (problem) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: problem });
    if (new Set(p.partyIds).size !== p.partyIds.length)
      ctx.addIssue({ code: 'custom', path: ['partyIds'], message: 'Samma part kan bara finnas med en gång.' });
    const parties = new Set(p.partyIds);
    p.signatories.forEach((s, i) => {
      if (!parties.has(s.partyId))
        ctx.addIssue({ code: 'custom', path: ['signatories', i, 'partyId'], message: 'Undertecknaren måste höra till en part i löftet.' });
    });
    p.focusAreas.forEach((fa, f) =>
      fa.commitments.forEach((c, ci) =>
        c.activities.forEach((a, ai) => {
          if (!parties.has(a.ownerPartyId))
            ctx.addIssue({
              code: 'custom',
              path: ['focusAreas', f, 'commitments', ci, 'activities', ai, 'ownerPartyId'],
              message: 'Ansvarig part måste vara en part i löftet.',
            });
        }),
      ),
    );
  });
export type PledgeInput = z.input<typeof PledgeInput>;
export type ValidPledgeInput = z.output<typeof PledgeInput>;

// ---------------------------------------------------------------------------------------------
// Rules

export const MAX_PERIOD_YEARS = 4;

function isRealDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Why a period is unacceptable, or null. Multi-year pledges are normal; longer than four years is a typo. */
export function periodProblem(startsOn: string, endsOn: string): string | null {
  if (!isRealDate(startsOn) || !isRealDate(endsOn)) return 'Perioden har ett ogiltigt datum.';
  if (endsOn < startsOn) return 'Perioden kan inte sluta innan den börjar.';
  const years = Number(endsOn.slice(0, 4)) - Number(startsOn.slice(0, 4)) + 1;
  if (years > MAX_PERIOD_YEARS) return `En period kan vara högst ${MAX_PERIOD_YEARS} kalenderår.`;
  return null;
}

/** The period as it appears in URLs and headings: "2022" or "2022-2023". */
export function periodSlug(startsOn: string, endsOn: string): string {
  const from = startsOn.slice(0, 4);
  const to = endsOn.slice(0, 4);
  return from === to ? from : `${from}-${to}`;
}

export function periodLabel(p: Pick<PledgeSummary, 'startsOn' | 'endsOn'>): string {
  return periodSlug(p.startsOn, p.endsOn).replace('-', '–');
}

export const PERIOD_SLUG = /^\d{4}(-\d{4})?$/;

/** Only signed pledges are in force; a draft or an archived pledge never is. */
export function isInForce(p: Pick<PledgeSummary, 'state' | 'startsOn' | 'endsOn'>, date: string): boolean {
  return p.state === 'signed' && p.startsOn <= date && date <= p.endsOn;
}

export type PledgeTiming = 'in_force' | 'ended' | 'upcoming' | 'archived';

/** Where a public pledge stands on a date, for the notice a reader sees above it. */
export function pledgeTiming(p: Pick<PledgeSummary, 'state' | 'startsOn' | 'endsOn'>, date: string): PledgeTiming {
  if (p.state === 'archived') return 'archived';
  if (date < p.startsOn) return 'upcoming';
  if (date > p.endsOn) return 'ended';
  return 'in_force';
}

export function isPublic(p: Pick<PledgeSummary, 'state'>): boolean {
  return p.state !== 'draft';
}

export function periodsOverlap(
  a: Pick<PledgeSummary, 'startsOn' | 'endsOn'>,
  b: Pick<PledgeSummary, 'startsOn' | 'endsOn'>,
): boolean {
  return a.startsOn <= b.endsOn && b.startsOn <= a.endsOn;
}

/**
 * A municipality has at most one pledge in force per date, so two signed pledges of the same
 * municipality may not overlap. Returns the first signed pledge that the candidate would collide with.
 */
export function inForceConflict<T extends Pick<PledgeSummary, 'id' | 'state' | 'startsOn' | 'endsOn'>>(
  candidate: Pick<PledgeSummary, 'id' | 'state' | 'startsOn' | 'endsOn'>,
  sameMunicipality: readonly T[],
): T | null {
  if (candidate.state !== 'signed') return null;
  return sameMunicipality.find((o) => o.id !== candidate.id && o.state === 'signed' && periodsOverlap(candidate, o)) ?? null;
}

/**
 * What /kommun/{slug} shows: the pledge in force, else the latest public one (so a municipality
 * between periods still shows its most recent promises, clearly labelled as not in force).
 */
export function pledgeToShow<T extends PledgeSummary>(pledges: readonly T[], date: string): { pledge: T; inForce: boolean } | null {
  const visible = pledges.filter(isPublic);
  const current = visible.find((p) => isInForce(p, date));
  if (current) return { pledge: current, inForce: true };
  const latestStarted = [...visible]
    .filter((p) => p.startsOn <= date)
    .sort((a, b) => (a.startsOn < b.startsOn ? 1 : -1))[0];
  const fallback = latestStarted ?? [...visible].sort((a, b) => (a.startsOn < b.startsOn ? -1 : 1))[0];
  return fallback ? { pledge: fallback, inForce: false } : null;
}

export function activityCount(p: Pick<PledgeDocument, 'focusAreas'>): number {
  return p.focusAreas.reduce((n, fa) => n + fa.commitments.reduce((m, c) => m + c.activities.length, 0), 0);
}

/** Built once: constructing an Intl formatter costs ~60 µs, using one ~1 µs. sv-SE formats as YYYY-MM-DD. */
const stockholmDate = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' });
/** Since 1900 Stockholm's UTC offset is whole hours, so its date can only change on a whole minute. */
const WHOLE_HOUR_OFFSETS_SINCE = Date.UTC(1900, 0, 1);
let lastMinute = Number.NaN;
let lastDate = '';

/** Today's date in Sweden, which is what "in force today" means to a Swedish reader. */
export function swedishDate(now: Date): string {
  // Asked on every public request: remember the answer for the rest of the minute.
  const t = now.getTime();
  const minute = Math.floor(t / 60_000);
  if (minute === lastMinute) return lastDate;
  const date = stockholmDate.format(now);
  if (t >= WHOLE_HOUR_OFFSETS_SINCE) {
    lastMinute = minute;
    lastDate = date;
  }
  return date;
}
