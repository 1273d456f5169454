import { z } from 'zod';
import type { Executor } from '../../db/executor.js';
import { parseOrThrow } from '../../platform/validation.js';
import { authorize, can, type Actor } from '../access/policy.js';
import { periodProblem, type PledgeDocument } from './pledge.js';
import { createPledge } from './pledge-service.js';

/**
 * Starting a new pledge from the admin form: always a draft. The parties are checked by
 * `createPledge` (they exist, at least one municipality and one police area); who may start one is
 * the policy's 'pledge.create' over the chosen parties, so a party member can only start pledges
 * their own organisation takes part in.
 */

export interface DraftDeps {
  db: Executor;
  clock: () => Date;
}

function isRealDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const date = (missing: string) =>
  z
    .string()
    .trim()
    .min(1, { error: missing, abort: true })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'Ange datum som ÅÅÅÅ-MM-DD.', abort: true })
    .refine(isRealDate, 'Datumet finns inte i kalendern.');

/** Title and period, shared by the "new" and the "copy" forms. */
export const PeriodFields = {
  title: z.string().trim().min(1, 'Ange en rubrik.').max(300, 'Högst 300 tecken.'),
  startsOn: date('Ange startdatum.'),
  endsOn: date('Ange slutdatum.'),
};

/** The period rule, once both dates are real dates (otherwise the fields already say what is wrong). */
export function checkPeriod(p: { startsOn: string; endsOn: string }, ctx: z.RefinementCtx): void {
  if (!isRealDate(p.startsOn) || !isRealDate(p.endsOn)) return;
  const problem = periodProblem(p.startsOn, p.endsOn);
  if (problem) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: problem });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const NewPledgeForm = z
  .object({
    ...PeriodFields,
    background: z.string().trim().max(20000, 'Högst 20000 tecken.').default(''),
    // A checkbox group: absent, one value or several.
    partyIds: z.preprocess(
      (v) => (v === undefined || v === '' ? [] : [...new Set([v].flat())]),
      z
        .array(z.string())
        .refine((ids) => ids.every((id) => UUID.test(id)), 'Välj parter i listan.')
        .refine((ids) => ids.length >= 2 || !ids.every((id) => UUID.test(id)), 'Välj minst en kommun och ett lokalpolisområde.'),
    ),
  })
  .superRefine(checkPeriod);

/** Whether the actor may start a pledge at all: for their own party, or any for the operator. */
export function canStartPledge(actor: Actor | null): boolean {
  return can(actor, { action: 'pledge.create', partyIds: actor?.partyId ? [actor.partyId] : [] });
}

export async function createDraftPledge(deps: DraftDeps, actor: Actor | null, form: unknown): Promise<PledgeDocument> {
  authorize(actor, { action: 'pledge.create', partyIds: actor?.partyId ? [actor.partyId] : [] });
  const f = parseOrThrow(NewPledgeForm, form);
  // The form always includes the actor's own party; a body without it is not one the form sent.
  authorize(actor, { action: 'pledge.create', partyIds: f.partyIds });
  return createPledge(
    deps.db,
    { title: f.title, startsOn: f.startsOn, endsOn: f.endsOn, background: f.background, state: 'draft', partyIds: f.partyIds },
    { actor },
    deps.clock(),
  );
}
