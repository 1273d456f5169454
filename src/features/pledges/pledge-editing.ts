import { z } from 'zod';
import type { Executor } from '../../db/executor.js';
import { AppError, EditConflictError } from '../../platform/errors.js';
import { parseOrThrow } from '../../platform/validation.js';
import { authorize, type Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import * as repo from './editing-repo.js';
import { periodProblem, periodSlug } from './pledge.js';

/**
 * Editing use-cases: authorise, validate, then write with optimistic locking and an audit row in
 * one transaction. Inputs are what a form posts (strings), so routes pass bodies straight through.
 */

export interface EditDeps {
  db: Executor;
  clock: () => Date;
}

const version = z.coerce.number().int().positive();
const optionalText = (max: number) => z.string().trim().max(max, `Högst ${max} tecken.`).default('');
const date = z
  .string()
  .trim()
  .regex(/^(\d{4}-\d{2}-\d{2})?$/, 'Ange datum som ÅÅÅÅ-MM-DD.')
  .default('');

export const PledgeDetailsForm = z
  .object({
    version,
    title: z.string().trim().min(1, 'Ange en rubrik.').max(300, 'Högst 300 tecken.'),
    startsOn: date.refine((s) => s !== '', 'Ange startdatum.'),
    endsOn: date.refine((s) => s !== '', 'Ange slutdatum.'),
    background: optionalText(20000),
  })
  .superRefine((p, ctx) => {
    if (!p.startsOn || !p.endsOn) return;
    const problem = periodProblem(p.startsOn, p.endsOn);
    if (problem) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: problem });
  });

function pledgeFields(r: { title: string; starts_on: string; ends_on: string; background: string }) {
  return { title: r.title, startsOn: r.starts_on, endsOn: r.ends_on, background: r.background };
}

async function pledgeRefOrThrow(db: Executor, pledgeId: string) {
  const ref = await repo.loadPledgeRef(db, pledgeId);
  if (!ref) throw new AppError('not_found', 'Löftet finns inte.');
  return ref;
}

export async function updatePledgeDetails(deps: EditDeps, actor: Actor | null, pledgeId: string, form: unknown): Promise<void> {
  const pledge = await pledgeRefOrThrow(deps.db, pledgeId);
  authorize(actor, { action: 'pledge.edit', pledge });
  const f = parseOrThrow(PledgeDetailsForm, form);
  const now = deps.clock().toISOString();
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findPledgeRow(trx, pledgeId);
    if (!row) throw new AppError('not_found', 'Löftet finns inte.');
    const before = pledgeFields(row);
    const ok =
      row.version === f.version &&
      (await repo.updatePledgeRow(trx, pledgeId, f.version, { title: f.title, starts_on: f.startsOn, ends_on: f.endsOn, period_slug: periodSlug(f.startsOn, f.endsOn), background: f.background }, now));
    if (!ok) throw new EditConflictError(before, row.version);
    await recordAudit(trx, { actor, action: 'pledge.update', entityType: 'pledge', entityId: pledgeId, pledgeId, before, after: { title: f.title, startsOn: f.startsOn, endsOn: f.endsOn, background: f.background } }, deps.clock());
  });
}

export const ActivityForm = z
  .object({
    version,
    description: z.string().trim().min(1, 'Beskriv aktiviteten.').max(2000, 'Högst 2000 tecken.'),
    targetKind: z.enum(['none', 'numeric', 'text']).default('none'),
    targetValue: z.string().trim().default(''),
    targetUnit: optionalText(50),
    targetText: optionalText(500),
    scheduleStartsOn: date,
    scheduleEndsOn: date,
    scheduleText: optionalText(200),
  })
  .superRefine((a, ctx) => {
    if (a.targetKind === 'numeric') {
      const n = Number(a.targetValue.replace(',', '.'));
      if (a.targetValue === '' || !Number.isFinite(n) || n < 0) ctx.addIssue({ code: 'custom', path: ['targetValue'], message: 'Ange målet som ett tal, t.ex. 4.' });
      if (!a.targetUnit) ctx.addIssue({ code: 'custom', path: ['targetUnit'], message: 'Ange en enhet, t.ex. trygghetsvandringar.' });
    }
    if (a.targetKind === 'text' && !a.targetText) ctx.addIssue({ code: 'custom', path: ['targetText'], message: 'Beskriv målet.' });
    if (a.scheduleStartsOn && a.scheduleEndsOn && a.scheduleEndsOn < a.scheduleStartsOn)
      ctx.addIssue({ code: 'custom', path: ['scheduleEndsOn'], message: 'Slutdatum kan inte ligga före startdatum.' });
  });

function activityFields(r: repo.ActivityRow) {
  return {
    description: r.description,
    targetValue: r.target_value,
    targetUnit: r.target_unit,
    targetText: r.target_text,
    scheduleStartsOn: r.schedule_starts_on,
    scheduleEndsOn: r.schedule_ends_on,
    scheduleText: r.schedule_text,
    status: r.status,
  };
}

async function activityOrThrow(db: Executor, activityId: string) {
  const row = await repo.findActivityWithPledge(db, activityId);
  if (!row) throw new AppError('not_found', 'Aktiviteten finns inte.');
  const pledge = await pledgeRefOrThrow(db, row.pledge_id);
  return { row, pledge };
}

export async function updateActivity(deps: EditDeps, actor: Actor | null, activityId: string, form: unknown): Promise<void> {
  const { row: found, pledge } = await activityOrThrow(deps.db, activityId);
  authorize(actor, { action: 'activity.edit', pledge, ownerPartyId: found.owner_party_id });
  const f = parseOrThrow(ActivityForm, form);
  const values = {
    description: f.description,
    target_value: f.targetKind === 'numeric' ? Number(f.targetValue.replace(',', '.')) : null,
    target_unit: f.targetKind === 'numeric' ? f.targetUnit : null,
    target_text: f.targetKind === 'text' ? f.targetText : null,
    schedule_starts_on: f.scheduleStartsOn || null,
    schedule_ends_on: f.scheduleEndsOn || null,
    schedule_text: f.scheduleText || null,
  };
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findActivityWithPledge(trx, activityId);
    if (!row) throw new AppError('not_found', 'Aktiviteten finns inte.');
    const ok = row.version === f.version && (await repo.updateActivityRow(trx, activityId, f.version, values));
    if (!ok) throw new EditConflictError(activityFields(row), row.version);
    await repo.touchPledge(trx, pledge.id, deps.clock().toISOString());
    await recordAudit(
      trx,
      { actor, action: 'activity.update', entityType: 'activity', entityId: activityId, pledgeId: pledge.id, before: activityFields(row), after: activityFields({ ...row, ...values }) },
      deps.clock(),
    );
  });
}
