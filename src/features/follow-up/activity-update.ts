import { z } from 'zod';
import { ACTIVITY_STATUSES, type ActivityStatus, type Target } from '../pledges/pledge.js';
import { sameUnit, type Outcome } from './progress.js';

/**
 * ActivityUpdate: a dated report on an activity by its owning party. Append-only: a correction is
 * a new update that names the one it corrects, and the corrected one stops counting (it stays
 * visible, marked as corrected). The rules here are pure; activity-updates.ts runs them.
 */

export interface UpdateCount {
  label: string;
  value: number;
}

export interface ActivityUpdate {
  id: string;
  activityId: string;
  pledgeId: string;
  partyId: string;
  authorUserId: string | null;
  authorName: string;
  reportedOn: string;
  createdAt: string;
  status: ActivityStatus;
  previousStatus: ActivityStatus;
  statusReason: string | null;
  outcome: Outcome | null;
  counts: UpdateCount[];
  narrative: string;
  evidence: { url: string; label: string | null } | null;
  correctsUpdateId: string | null;
}

export interface UpdateResponse {
  id: string;
  updateId: string;
  partyId: string;
  authorUserId: string | null;
  authorName: string;
  kind: 'acknowledge' | 'comment';
  comment: string;
  createdAt: string;
}

export const MAX_COUNTS = 3;

/** Newest first: by the day reported on, then by when it was entered. */
export function newestFirst<T extends Pick<ActivityUpdate, 'reportedOn' | 'createdAt' | 'id'>>(updates: readonly T[]): T[] {
  return [...updates].sort((a, b) => (a.reportedOn !== b.reportedOn ? (a.reportedOn < b.reportedOn ? 1 : -1) : a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : -1));
}

/** The updates that count: every update that no other update corrects. */
export function countingUpdates<T extends Pick<ActivityUpdate, 'id' | 'correctsUpdateId'>>(updates: readonly T[]): T[] {
  const corrected = new Set(updates.map((u) => u.correctsUpdateId).filter((id): id is string => id !== null));
  return updates.filter((u) => !corrected.has(u.id));
}

/** The newest counting update, which decides the activity's live status. */
export function latestCounting<T extends Pick<ActivityUpdate, 'id' | 'correctsUpdateId' | 'reportedOn' | 'createdAt'>>(updates: readonly T[]): T | null {
  return newestFirst(countingUpdates(updates))[0] ?? null;
}

/** The outcome to measure progress by: the newest counting update that reported one (outcomes are totals so far). */
export function latestOutcome(updates: readonly ActivityUpdate[]): { outcome: Outcome; reportedOn: string } | null {
  const u = newestFirst(countingUpdates(updates)).find((x) => x.outcome !== null);
  return u?.outcome ? { outcome: u.outcome, reportedOn: u.reportedOn } : null;
}

// ---------------------------------------------------------------------------------------------
// The form

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isRealDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** "4", "4,5", "1 200" → number; anything else → NaN. */
export function parseDecimal(s: string): number {
  const t = s.replace(/[\s\u00a0]/g, '').replace(',', '.');
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

const text = (max: number) => z.string().trim().max(max, `Högst ${max} tecken.`).default('');

const raw = z.object({
  version: z.coerce.number('Formuläret saknar version. Ladda om sidan.').int().positive(),
  correctsUpdateId: z.string().trim().default(''),
  reportedOn: z.string().trim().default(''),
  status: z.enum(ACTIVITY_STATUSES, 'Välj en status.'),
  statusReason: text(1000),
  outcomeValue: z.string().trim().default(''),
  outcomeUnit: text(50),
  countLabel1: text(100),
  countValue1: z.string().trim().default(''),
  countLabel2: text(100),
  countValue2: z.string().trim().default(''),
  countLabel3: text(100),
  countValue3: z.string().trim().default(''),
  narrative: text(5000),
  evidenceUrl: text(1000),
  evidenceLabel: text(200),
});

/** What the form needs to know about the activity and the moment to judge the input. */
export interface UpdateContext {
  /** Today in Sweden: the default date and the latest allowed. */
  today: string;
  /** The status before this report: the activity's live status, or for a correction the corrected report's. */
  previousStatus: ActivityStatus;
  /** The activity's target, for the outcome and its unit. */
  target: Target | null;
}

export interface ValidUpdate {
  version: number;
  correctsUpdateId: string | null;
  reportedOn: string;
  status: ActivityStatus;
  statusReason: string | null;
  outcome: Outcome | null;
  counts: UpdateCount[];
  narrative: string;
  evidence: { url: string; label: string | null } | null;
}

/** The report form's schema for one activity at one moment: field errors in Swedish, next to their fields. */
export function updateFormSchema(ctx: UpdateContext) {
  return raw
    .superRefine((f, issue) => {
      const add = (path: string, message: string) => issue.addIssue({ code: 'custom', path: [path], message });
      if (f.correctsUpdateId && !UUID.test(f.correctsUpdateId)) add('correctsUpdateId', 'Rapporten som ska rättas finns inte.');
      if (f.reportedOn) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(f.reportedOn)) add('reportedOn', 'Ange datum som ÅÅÅÅ-MM-DD.');
        else if (!isRealDate(f.reportedOn)) add('reportedOn', 'Datumet finns inte i kalendern.');
        else if (f.reportedOn > ctx.today) add('reportedOn', 'Datumet kan inte ligga i framtiden.');
      }
      if (f.status !== ctx.previousStatus && !f.statusReason) add('statusReason', 'Ange varför statusen ändras.');
      if (f.outcomeValue) {
        const n = parseDecimal(f.outcomeValue);
        if (ctx.target?.kind !== 'numeric') add('outcomeValue', 'Aktiviteten har inget mål i antal, så det finns inget utfall att rapportera. Lämna fältet tomt.');
        else if (Number.isNaN(n)) add('outcomeValue', 'Ange utfallet som ett tal, t.ex. 4.');
        else if (n < 0) add('outcomeValue', 'Utfallet kan inte vara negativt.');
        if (ctx.target?.kind === 'numeric' && f.outcomeUnit && !sameUnit(f.outcomeUnit, ctx.target.unit))
          add('outcomeUnit', `Ange utfallet i samma enhet som målet: ${ctx.target.unit}.`);
      }
      for (let i = 1; i <= MAX_COUNTS; i++) {
        const label = f[`countLabel${i}` as 'countLabel1'];
        const value = f[`countValue${i}` as 'countValue1'];
        if (value && !/^\d+$/.test(value.replace(/[\s\u00a0]/g, ''))) add(`countValue${i}`, /^-/.test(value) ? 'Ett antal kan inte vara negativt.' : 'Ange antalet som ett heltal, 0 eller större.');
        else if (label && !value) add(`countValue${i}`, 'Ange antalet.');
        if (value && !label) add(`countLabel${i}`, 'Ange vad som har räknats, t.ex. skolor som besökts.');
      }
      if (f.evidenceUrl) {
        let url: URL | null = null;
        try {
          url = new URL(f.evidenceUrl);
        } catch {
          url = null;
        }
        if (!url || url.protocol !== 'https:' || !url.hostname.includes('.')) add('evidenceUrl', 'Ange en fullständig webbadress som börjar med https://.');
      } else if (f.evidenceLabel) add('evidenceUrl', 'Ange adressen till underlaget, eller lämna båda fälten tomma.');
    })
    .transform(
      (f): ValidUpdate => ({
        version: f.version,
        correctsUpdateId: f.correctsUpdateId || null,
        reportedOn: f.reportedOn || ctx.today,
        status: f.status,
        statusReason: f.statusReason || null,
        outcome: f.outcomeValue && ctx.target?.kind === 'numeric' ? { value: parseDecimal(f.outcomeValue), unit: ctx.target.unit } : null,
        counts: [1, 2, 3]
          .map((i) => ({ label: f[`countLabel${i}` as 'countLabel1'], value: f[`countValue${i}` as 'countValue1'] }))
          .filter((c) => c.label && c.value)
          .map((c) => ({ label: c.label, value: Number(c.value.replace(/[\s\u00a0]/g, '')) })),
        narrative: f.narrative,
        evidence: f.evidenceUrl ? { url: f.evidenceUrl, label: f.evidenceLabel || null } : null,
      }),
    );
}

export const ResponseForm = z
  .object({
    kind: z.enum(['acknowledge', 'comment'], 'Välj om du kvitterar eller kommenterar.'),
    comment: z.string().trim().max(2000, 'Högst 2000 tecken.').default(''),
  })
  .superRefine((f, issue) => {
    if (f.kind === 'comment' && !f.comment) issue.addIssue({ code: 'custom', path: ['comment'], message: 'Skriv en kommentar.' });
  });
