import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError, EditConflictError } from '../../platform/errors.js';
import { parseOrThrow } from '../../platform/validation.js';
import { authorize, type Actor } from '../access/policy.js';
import { isInAnyVersion } from '../signing/version-repo.js';
import { recordAudit } from '../audit/audit.js';
import { findActivityWithPledge, loadPledgeRef, touchPledge } from './editing-repo.js';
import type { EditDeps } from './pledge-editing.js';
import * as repo from './structure-repo.js';

/**
 * Building a draft: focus areas, commitments, activities and signatories, added, edited, moved
 * and removed. Shared text belongs to every party of the pledge ('pledge.edit'); an activity
 * belongs to its owner ('activity.edit'). Removal is only possible in a draft, which is not yet a
 * public record, and the audit row keeps what was removed.
 */

const version = z.coerce.number().int().positive();

export const SectionForm = z.object({
  title: z.string().trim().min(1, 'Ange en rubrik.').max(300, 'Högst 300 tecken.'),
  description: z.string().trim().max(5000, 'Högst 5000 tecken.').default(''),
});

async function pledgeRef(deps: EditDeps, pledgeId: string) {
  const ref = await loadPledgeRef(deps.db, pledgeId);
  if (!ref) throw new AppError('not_found', 'Löftet finns inte.');
  return ref;
}

async function sectionOrThrow(deps: EditDeps, kind: repo.Section, id: string) {
  const row = await repo.findSection(deps.db, kind, id);
  if (!row) throw new AppError('not_found');
  return row;
}

/** Adds a focus area to a pledge, or a commitment to a focus area. Returns the new id. */
export async function addSection(deps: EditDeps, actor: Actor | null, kind: repo.Section, parentId: string, form: unknown): Promise<string> {
  const pledgeId = kind === 'focus_area' ? parentId : (await sectionOrThrow(deps, 'focus_area', parentId)).pledgeId;
  authorize(actor, { action: 'pledge.edit', pledge: await pledgeRef(deps, pledgeId) });
  const f = parseOrThrow(SectionForm, form);
  const id = randomUUID();
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertSection(trx, kind, { id, parentId, ...f });
    await touchPledge(trx, pledgeId, deps.clock().toISOString());
    await recordAudit(trx, { actor, action: `${kind}.create`, entityType: kind, entityId: id, pledgeId, after: f }, deps.clock());
  });
  return id;
}

export async function updateSection(deps: EditDeps, actor: Actor | null, kind: repo.Section, id: string, form: unknown): Promise<string> {
  const found = await sectionOrThrow(deps, kind, id);
  authorize(actor, { action: 'pledge.edit', pledge: await pledgeRef(deps, found.pledgeId) });
  const f = parseOrThrow(SectionForm.extend({ version }), form);
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findSection(trx, kind, id);
    if (!row) throw new AppError('not_found');
    const before = { title: row.title, description: row.description };
    const ok = row.version === f.version && (await repo.updateSection(trx, kind, id, f.version, { title: f.title, description: f.description }));
    if (!ok) throw new EditConflictError(before, row.version);
    await touchPledge(trx, row.pledgeId, deps.clock().toISOString());
    await recordAudit(trx, { actor, action: `${kind}.update`, entityType: kind, entityId: id, pledgeId: row.pledgeId, before, after: { title: f.title, description: f.description } }, deps.clock());
  });
  return found.pledgeId;
}

export async function moveSection(deps: EditDeps, actor: Actor | null, kind: repo.Section, id: string, direction: unknown): Promise<string> {
  const found = await sectionOrThrow(deps, kind, id);
  authorize(actor, { action: 'pledge.edit', pledge: await pledgeRef(deps, found.pledgeId) });
  const dir = parseOrThrow(z.enum(['up', 'down'], 'Ange upp eller ned.'), direction);
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findSection(trx, kind, id);
    if (!row) throw new AppError('not_found');
    if (!(await repo.moveSection(trx, kind, row, dir))) return;
    await touchPledge(trx, row.pledgeId, deps.clock().toISOString());
    await recordAudit(trx, { actor, action: `${kind}.move`, entityType: kind, entityId: id, pledgeId: row.pledgeId, before: { position: row.position }, after: { direction: dir } }, deps.clock());
  });
  return found.pledgeId;
}

/**
 * In an amendment, what an earlier version contains stays: follow-ups and the public history point
 * at it. The way to drop an activity from a signed pledge is the status "inställd".
 */
async function refuseIfSigned(trx: EditDeps['db'], pledgeId: string, partId: string): Promise<void> {
  if (await isInAnyVersion(trx, pledgeId, partId))
    throw new AppError('invalid_state', 'Delen finns i en låst eller undertecknad version och kan inte tas bort. Ändra texten, eller sätt aktivitetens status till inställd.');
}

/**
 * Follow-up updates and Brå decisions are public records of what was done: an activity that has
 * them stays (it can be cancelled instead). Without this check the delete failed on the foreign
 * key as a 500 (found by test/integration/route-walk.test.ts).
 */
async function refuseIfFollowedUp(trx: EditDeps['db'], activityId: string): Promise<void> {
  const refs = await repo.activityReferences(trx, activityId);
  if (refs.updates > 0 || refs.decisions > 0)
    throw new AppError('invalid_state', 'Aktiviteten har uppföljningsrapporter eller beslut från Brå-möten och kan inte tas bort. Sätt aktivitetens status till inställd i stället.');
  if (refs.successors > 0) throw new AppError('invalid_state', 'Aktiviteten har kopierats till ett senare medborgarlöfte och kan inte tas bort. Sätt aktivitetens status till inställd i stället.');
}

export async function removeSection(deps: EditDeps, actor: Actor | null, kind: repo.Section, id: string): Promise<string> {
  const found = await sectionOrThrow(deps, kind, id);
  authorize(actor, { action: 'pledge.edit', pledge: await pledgeRef(deps, found.pledgeId) });
  await deps.db.transaction().execute(async (trx) => {
    if ((await repo.countChildren(trx, kind, id)) > 0)
      throw new AppError('validation_failed', kind === 'focus_area' ? 'Ta bort fokusområdets löften först.' : 'Ta bort löftets aktiviteter först.');
    await refuseIfSigned(trx, found.pledgeId, id);
    await repo.deleteSection(trx, kind, id);
    await touchPledge(trx, found.pledgeId, deps.clock().toISOString());
    await recordAudit(trx, { actor, action: `${kind}.delete`, entityType: kind, entityId: id, pledgeId: found.pledgeId, before: { title: found.title, description: found.description } }, deps.clock());
  });
  return found.pledgeId;
}

export const NewActivityForm = z.object({
  ownerPartyId: z.uuid('Välj ansvarig part.'),
  description: z.string().trim().min(1, 'Beskriv aktiviteten.').max(2000, 'Högst 2000 tecken.'),
});

/** A new activity starts with a description and an owner; target and schedule are edited after. */
export async function addActivity(deps: EditDeps, actor: Actor | null, commitmentId: string, form: unknown): Promise<string> {
  const commitment = await sectionOrThrow(deps, 'commitment', commitmentId);
  const pledge = await pledgeRef(deps, commitment.pledgeId);
  const f = parseOrThrow(NewActivityForm, form);
  if (!pledge.partyIds.includes(f.ownerPartyId))
    throw new AppError('validation_failed', 'Ansvarig part måste vara en part i löftet.', [{ field: 'ownerPartyId', message: 'Välj en av löftets parter.' }]);
  authorize(actor, { action: 'activity.edit', pledge, ownerPartyId: f.ownerPartyId });
  const id = randomUUID();
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertActivity(trx, { id, commitmentId, ownerPartyId: f.ownerPartyId, description: f.description });
    await touchPledge(trx, pledge.id, deps.clock().toISOString());
    await recordAudit(trx, { actor, action: 'activity.create', entityType: 'activity', entityId: id, pledgeId: pledge.id, after: f }, deps.clock());
  });
  return id;
}

export async function removeActivity(deps: EditDeps, actor: Actor | null, activityId: string): Promise<string> {
  const row = await findActivityWithPledge(deps.db, activityId);
  if (!row) throw new AppError('not_found');
  const pledge = await pledgeRef(deps, row.pledge_id);
  authorize(actor, { action: 'activity.edit', pledge, ownerPartyId: row.owner_party_id });
  await deps.db.transaction().execute(async (trx) => {
    await refuseIfSigned(trx, pledge.id, activityId);
    await refuseIfFollowedUp(trx, activityId);
    await repo.deleteActivity(trx, activityId);
    await touchPledge(trx, pledge.id, deps.clock().toISOString());
    await recordAudit(trx, { actor, action: 'activity.delete', entityType: 'activity', entityId: activityId, pledgeId: pledge.id, before: { description: row.description, ownerPartyId: row.owner_party_id } }, deps.clock());
  });
  return pledge.id;
}

export const SignatoryForm = z.object({
  partyId: z.uuid('Välj vilken part personen undertecknar för.'),
  name: z.string().trim().min(1, 'Ange namnet.').max(200, 'Högst 200 tecken.'),
  roleTitle: z.string().trim().min(1, 'Ange befattningen, t.ex. kommundirektör.').max(200, 'Högst 200 tecken.'),
  /** The account that signs in the app; may be chosen later, but must be set before freezing. */
  userId: z
    .union([z.literal(''), z.uuid('Välj ett konto i listan.')])
    .optional()
    .transform((v) => v || null),
});

/** The signing account must be an active account of the party the person signs for. */
async function checkSigningAccount(db: EditDeps['db'], f: { partyId: string; userId: string | null }): Promise<void> {
  if (!f.userId) return;
  const candidates = await repo.listSigningCandidates(db, [f.partyId]);
  if (!candidates.some((u) => u.id === f.userId))
    throw new AppError('validation_failed', 'Kontot hör inte till parten.', [{ field: 'userId', message: 'Välj ett aktivt konto hos den part personen undertecknar för.' }]);
}

export async function addSignatory(deps: EditDeps, actor: Actor | null, pledgeId: string, form: unknown): Promise<string> {
  const pledge = await pledgeRef(deps, pledgeId);
  authorize(actor, { action: 'pledge.edit', pledge });
  const f = parseOrThrow(SignatoryForm, form);
  if (!pledge.partyIds.includes(f.partyId)) throw new AppError('validation_failed', 'Parten är inte med i löftet.', [{ field: 'partyId', message: 'Välj en av löftets parter.' }]);
  await checkSigningAccount(deps.db, f);
  const id = randomUUID();
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertSignatory(trx, { id, pledgeId, ...f });
    await touchPledge(trx, pledgeId, deps.clock().toISOString());
    await recordAudit(trx, { actor, action: 'signatory.create', entityType: 'signatory', entityId: id, pledgeId, after: f }, deps.clock());
  });
  return id;
}

export async function updateSignatory(deps: EditDeps, actor: Actor | null, id: string, form: unknown): Promise<string> {
  const found = await repo.findSignatory(deps.db, id);
  if (!found) throw new AppError('not_found');
  const pledge = await pledgeRef(deps, found.pledge_id);
  authorize(actor, { action: 'pledge.edit', pledge });
  const f = parseOrThrow(SignatoryForm.extend({ version }), form);
  if (!pledge.partyIds.includes(f.partyId)) throw new AppError('validation_failed', 'Parten är inte med i löftet.', [{ field: 'partyId', message: 'Välj en av löftets parter.' }]);
  await checkSigningAccount(deps.db, f);
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findSignatory(trx, id);
    if (!row) throw new AppError('not_found');
    const before = { partyId: row.party_id, name: row.name, roleTitle: row.role_title, userId: row.user_id };
    const ok = row.version === f.version && (await repo.updateSignatory(trx, id, f.version, { party_id: f.partyId, name: f.name, role_title: f.roleTitle, user_id: f.userId }));
    if (!ok) throw new EditConflictError(before, row.version);
    await touchPledge(trx, pledge.id, deps.clock().toISOString());
    await recordAudit(trx, { actor, action: 'signatory.update', entityType: 'signatory', entityId: id, pledgeId: pledge.id, before, after: { partyId: f.partyId, name: f.name, roleTitle: f.roleTitle, userId: f.userId } }, deps.clock());
  });
  return pledge.id;
}

export async function removeSignatory(deps: EditDeps, actor: Actor | null, id: string): Promise<string> {
  const found = await repo.findSignatory(deps.db, id);
  if (!found) throw new AppError('not_found');
  const pledge = await pledgeRef(deps, found.pledge_id);
  authorize(actor, { action: 'pledge.edit', pledge });
  await deps.db.transaction().execute(async (trx) => {
    await refuseIfSigned(trx, pledge.id, id);
    await repo.deleteSignatory(trx, id);
    await touchPledge(trx, pledge.id, deps.clock().toISOString());
    await recordAudit(trx, { actor, action: 'signatory.delete', entityType: 'signatory', entityId: id, pledgeId: pledge.id, before: { partyId: found.party_id, name: found.name, roleTitle: found.role_title } }, deps.clock());
  });
  return pledge.id;
}
