import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Executor } from '../../db/executor.js';
import { AppError } from '../../platform/errors.js';
import { parseOrThrow } from '../../platform/validation.js';
import { authorize, type Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import * as repo from './copy-repo.js';
import { loadPledgeRef } from './editing-repo.js';
import { periodSlug, type PledgeDocument } from './pledge.js';
import { checkPeriod, PeriodFields } from './pledge-drafts.js';
import { loadPledgeDocument } from './pledge-repo.js';

/**
 * Copying a pledge into a new period: the usual way a municipality and the police start their next
 * pledge. The copy is a new draft with the same parties, signatories, focus areas, commitments and
 * activities; every activity starts again as 'planned' and points at the activity it came from, and
 * the pledge points at its source, so follow-up can be compared period to period. The source is only
 * read: it may be a draft, signed or archived. A draft may overlap anything, so copying into a
 * period that overlaps the source is allowed; the one-in-force rule applies when the copy is signed.
 */

export interface CopyDeps {
  db: Executor;
  clock: () => Date;
}

export interface Period {
  startsOn: string;
  endsOn: string;
}

export const CopyPledgeForm = z.object(PeriodFields).superRefine(checkPeriod);

// ---------------------------------------------------------------------------------------------
// Date rules

function parts(d: string): [number, number, number] {
  return [Number(d.slice(0, 4)), Number(d.slice(5, 7)), Number(d.slice(8, 10))];
}

function iso(y: number, m: number, d: number): string {
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function addDays(date: string, n: number): string {
  const [y, m, d] = parts(date);
  return iso(y, m, d + n);
}

/** Calendar months, keeping the day of month where it exists (2024-02-29 + 12 months = 2025-02-28). */
export function addMonths(date: string, n: number): string {
  const [y, m, d] = parts(date);
  const total = y * 12 + (m - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  return iso(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/**
 * The period right after this one, of the same length: whole months when the period is whole
 * months (2024-01-01–2025-12-31 → 2026-01-01–2027-12-31), otherwise the same number of days.
 */
export function followingPeriod(p: Period): Period {
  const [sy, sm, sd] = parts(p.startsOn);
  const [ey, em, ed] = parts(p.endsOn);
  const startsOn = addDays(p.endsOn, 1);
  if (sd === 1 && ed === daysInMonth(ey, em)) {
    const months = ey * 12 + em - (sy * 12 + sm) + 1;
    return { startsOn, endsOn: addDays(addMonths(startsOn, months), -1) };
  }
  return { startsOn, endsOn: addDays(startsOn, daysBetween(p.startsOn, p.endsOn)) };
}

/**
 * Moves a date by as much as the period moved: in calendar months when both periods start on the
 * same day of the month (the usual case), otherwise in days. Used for activity schedules, so
 * "2024-04-01–2024-09-30" in a 2024–2025 pledge becomes "2026-04-01–2026-09-30" in its 2026–2027 copy.
 */
export function dateShift(fromStart: string, toStart: string): (d: string) => string {
  const [fy, fm, fd] = parts(fromStart);
  const [ty, tm, td] = parts(toStart);
  if (fd === td) {
    const months = ty * 12 + tm - (fy * 12 + fm);
    return (d) => addMonths(d, months);
  }
  const days = daysBetween(fromStart, toStart);
  return (d) => addDays(d, days);
}

/** The source title with its period replaced by the new one, when the title names its period. */
export function retitle(title: string, from: Period, to: Period): string {
  const [fa, fb] = [from.startsOn.slice(0, 4), from.endsOn.slice(0, 4)];
  const [ta, tb] = [to.startsOn.slice(0, 4), to.endsOn.slice(0, 4)];
  if (fa !== fb) return title.replace(new RegExp(`(?<!\\d)${fa}(\\s*[–-]\\s*)${fb}(?!\\d)`, 'g'), (_, sep: string) => (ta === tb ? ta : `${ta}${sep}${tb}`));
  return title.replace(new RegExp(`(?<!\\d)${fa}(?!\\d)`, 'g'), ta === tb ? ta : `${ta}–${tb}`);
}

// ---------------------------------------------------------------------------------------------
// Use-cases

/** The pledge to copy and the form's starting values, for an actor who may copy it. */
export async function copySource(db: Executor, actor: Actor | null, sourceId: string): Promise<{ source: PledgeDocument; defaults: { title: string } & Period }> {
  const source = await loadPledgeDocument(db, sourceId);
  if (!source) throw new AppError('not_found', 'Löftet finns inte.');
  authorize(actor, { action: 'pledge.create', partyIds: source.parties.map((p) => p.id) });
  const next = followingPeriod(source);
  return { source, defaults: { title: retitle(source.title, source, next), ...next } };
}

/** Copies the pledge into a new draft in one transaction, with one audit row. Returns the new id. */
export async function copyPledge(deps: CopyDeps, actor: Actor | null, sourceId: string, form: unknown): Promise<{ id: string }> {
  const ref = await loadPledgeRef(deps.db, sourceId);
  if (!ref) throw new AppError('not_found', 'Löftet finns inte.');
  authorize(actor, { action: 'pledge.create', partyIds: ref.partyIds });
  const f = parseOrThrow(CopyPledgeForm, form);
  const id = randomUUID();
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    const src = await repo.loadPledgeTreeRows(trx, sourceId);
    if (!src) throw new AppError('not_found', 'Löftet finns inte.');
    const shift = dateShift(src.pledge.starts_on, f.startsOn);
    const focusAreaIds = new Map(src.focusAreas.map((fa) => [fa.id, randomUUID()]));
    const commitmentIds = new Map(src.commitments.map((c) => [c.id, randomUUID()]));
    const mapped = (ids: Map<string, string>, old: string) => {
      const next = ids.get(old);
      if (!next) throw new AppError('internal', `Kopieringen hittade ingen förälder för ${old}.`);
      return next;
    };
    await repo.insertPledgeTreeRows(trx, {
      pledge: {
        id,
        title: f.title,
        starts_on: f.startsOn,
        ends_on: f.endsOn,
        period_slug: periodSlug(f.startsOn, f.endsOn),
        background: src.pledge.background,
        state: 'draft',
        // A copy of example data is example data; it stays labelled as such if it is ever published.
        is_demo: src.pledge.is_demo,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        predecessor_id: src.pledge.id,
      },
      parties: src.parties.map((p) => ({ pledge_id: id, party_id: p.party_id, position: p.position })),
      signatories: src.signatories.map((s) => ({ id: randomUUID(), pledge_id: id, party_id: s.party_id, name: s.name, role_title: s.role_title, position: s.position })),
      focusAreas: src.focusAreas.map((fa) => ({ id: mapped(focusAreaIds, fa.id), pledge_id: id, title: fa.title, description: fa.description, position: fa.position })),
      commitments: src.commitments.map((c) => ({
        id: mapped(commitmentIds, c.id),
        focus_area_id: mapped(focusAreaIds, c.focus_area_id),
        title: c.title,
        description: c.description,
        position: c.position,
      })),
      activities: src.activities.map((a) => ({
        id: randomUUID(),
        commitment_id: mapped(commitmentIds, a.commitment_id),
        owner_party_id: a.owner_party_id,
        description: a.description,
        target_value: a.target_value,
        target_unit: a.target_unit,
        target_text: a.target_text,
        schedule_starts_on: a.schedule_starts_on === null ? null : shift(a.schedule_starts_on),
        schedule_ends_on: a.schedule_ends_on === null ? null : shift(a.schedule_ends_on),
        schedule_text: a.schedule_text,
        status: 'planned',
        position: a.position,
        predecessor_id: a.id,
      })),
    });
    await recordAudit(
      trx,
      {
        actor,
        action: 'pledge.copy',
        entityType: 'pledge',
        entityId: id,
        pledgeId: id,
        after: { sourceId: src.pledge.id, title: f.title, startsOn: f.startsOn, endsOn: f.endsOn, state: 'draft' },
      },
      now,
    );
  });
  return { id };
}
