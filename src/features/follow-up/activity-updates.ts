import { randomUUID } from 'node:crypto';
import type { Executor } from '../../db/executor.js';
import { AppError, EditConflictError } from '../../platform/errors.js';
import { parseOrThrow } from '../../platform/validation.js';
import { authorize, type Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import { findActivityWithPledge, loadPledgeRef, touchPledge, updateActivityRow } from '../pledges/editing-repo.js';
import { swedishDate, type ActivityStatus, type Target } from '../pledges/pledge.js';
import { messages } from '../../platform/i18n/index.js';
import { formatDate } from '../../platform/views/format.js';
import {
  countingUpdates,
  latestCounting,
  newestFirst,
  ResponseForm,
  updateFormSchema,
  type ActivityUpdate,
  type UpdateResponse,
} from './activity-update.js';
import * as repo from './activity-update-repo.js';

/**
 * Use-cases for activity updates and responses: authorise, validate, then write in one
 * transaction with the activity's live status, its version (optimistic locking) and an audit row.
 */

export interface FollowUpDeps {
  db: Executor;
  clock: () => Date;
}

const sv = messages('sv');

type ActivityRow = NonNullable<Awaited<ReturnType<typeof findActivityWithPledge>>>;

export function targetOf(r: Pick<ActivityRow, 'target_value' | 'target_unit' | 'target_text'>): Target | null {
  if (r.target_value !== null && r.target_unit !== null) return { kind: 'numeric', value: Number(r.target_value), unit: r.target_unit };
  if (r.target_text !== null) return { kind: 'text', text: r.target_text };
  return null;
}

async function activityOrThrow(db: Executor, activityId: string) {
  const row = await findActivityWithPledge(db, activityId);
  if (!row) throw new AppError('not_found', 'Aktiviteten finns inte.');
  const pledge = await loadPledgeRef(db, row.pledge_id);
  if (!pledge) throw new AppError('not_found', 'Löftet finns inte.');
  return { row, pledge };
}

function fieldError(field: string, message: string): AppError {
  return new AppError('validation_failed', `${field}: ${message}`, [{ field, message }]);
}

/** What is stored now, shown beside the reporter's kept input after a conflict. */
function currentState(row: ActivityRow, updates: readonly ActivityUpdate[]): Record<string, unknown> {
  const latest = newestFirst(updates)[0];
  return {
    status: sv.status[row.status],
    lastReport: latest ? `${formatDate(latest.reportedOn, sv)}: ${sv.status[latest.status]}, av ${latest.authorName}${latest.narrative ? `. ${latest.narrative}` : ''}` : null,
  };
}

/** The corrected update, checked: it must be this activity's and not corrected already. */
async function correctedUpdate(db: Executor, activityId: string, id: string): Promise<ActivityUpdate> {
  const all = await repo.listUpdatesOfActivity(db, activityId);
  const u = all.find((x) => x.id === id);
  if (!u) throw fieldError('correctsUpdateId', 'Rapporten som ska rättas finns inte för den här aktiviteten.');
  if (all.some((x) => x.correctsUpdateId === id)) throw fieldError('correctsUpdateId', 'Rapporten är redan rättad. Rätta den senaste rättelsen i stället.');
  return u;
}

/**
 * Reporters of the owning party add a dated update; a correction names the update it corrects.
 * The activity's status becomes that of the newest counting update (by the day reported on), so
 * a late report about an earlier day, or a correction of an old one, does not move it backwards.
 */
export async function reportActivityUpdate(deps: FollowUpDeps, actor: Actor | null, activityId: string, form: unknown): Promise<ActivityUpdate> {
  const { row, pledge } = await activityOrThrow(deps.db, activityId);
  authorize(actor, { action: 'activity.report', pledge, ownerPartyId: row.owner_party_id });
  return appendUpdate(deps, { actor, authorName: actor!.name }, row, form);
}

/**
 * The same report without a signed-in user, recorded under a label: for the demo seed and for
 * imports of earlier follow-ups. Validation, the status, the version and the audit row are as above.
 */
export async function recordActivityUpdateAs(deps: FollowUpDeps, by: { label: string; authorName: string }, activityId: string, form: unknown): Promise<ActivityUpdate> {
  const { row } = await activityOrThrow(deps.db, activityId);
  return appendUpdate(deps, { actor: null, label: by.label, authorName: by.authorName }, row, form);
}

async function appendUpdate(deps: FollowUpDeps, by: { actor: Actor | null; label?: string; authorName: string }, found: ActivityRow, form: unknown): Promise<ActivityUpdate> {
  const activityId = found.id;
  const body = (form ?? {}) as Record<string, unknown>;
  const correctsId = typeof body.correctsUpdateId === 'string' ? body.correctsUpdateId.trim() : '';
  const corrected = /^[0-9a-f-]{36}$/.test(correctsId) ? await correctedUpdate(deps.db, activityId, correctsId) : null;
  const now = deps.clock();
  const f = parseOrThrow(updateFormSchema({ today: swedishDate(now), previousStatus: corrected?.status ?? found.status, target: targetOf(found) }), form);

  return deps.db.transaction().execute(async (trx) => {
    const row = await findActivityWithPledge(trx, activityId);
    if (!row) throw new AppError('not_found', 'Aktiviteten finns inte.');
    const existing = await repo.listUpdatesOfActivity(trx, activityId);
    if (row.version !== f.version) throw new EditConflictError(currentState(row, existing), row.version);
    // Entry order must be strict per activity, even when two instances' clocks disagree by a little:
    // a report is never entered "before" one that already exists.
    const previous = Math.max(...existing.map((u) => Date.parse(u.createdAt)));
    const createdAt = new Date(Math.max(now.getTime(), previous + 1)).toISOString();
    const update: ActivityUpdate = {
      id: randomUUID(),
      activityId,
      pledgeId: row.pledge_id,
      partyId: row.owner_party_id,
      authorUserId: by.actor?.userId ?? null,
      authorName: by.authorName,
      reportedOn: f.reportedOn,
      createdAt,
      status: f.status,
      previousStatus: corrected?.status ?? row.status,
      statusReason: f.statusReason,
      outcome: f.outcome,
      counts: f.counts,
      narrative: f.narrative,
      evidence: f.evidence,
      correctsUpdateId: corrected?.id ?? null,
    };
    const live: ActivityStatus = latestCounting([...existing, update])!.status;
    // Claims the version first: a concurrent report waits on the row lock, then finds it stale.
    if (!(await updateActivityRow(trx, activityId, f.version, { status: live }))) throw new EditConflictError(currentState(row, existing), row.version);
    await repo.insertUpdate(trx, update);
    await touchPledge(trx, row.pledge_id, now.toISOString());
    await recordAudit(
      trx,
      {
        actor: by.actor,
        actorLabel: by.label,
        action: corrected ? 'activity.correct' : 'activity.report',
        entityType: 'activity',
        entityId: activityId,
        pledgeId: row.pledge_id,
        // The description on both sides: unchanged, so not listed, but it names the history page.
        before: { description: row.description, status: row.status },
        after: { description: row.description, status: live, reportedOn: update.reportedOn, reported: update.status, outcome: update.outcome ? `${update.outcome.value} ${update.outcome.unit}` : null, corrects: corrected ? corrected.reportedOn : null },
      },
      now,
    );
    return update;
  });
}

/** The other parties of the pledge acknowledge ("Kvitterad") or comment on an update. Append-only. */
export async function respondToUpdate(deps: FollowUpDeps, actor: Actor | null, updateId: string, form: unknown): Promise<UpdateResponse & { activityId: string }> {
  const update = await repo.findUpdate(deps.db, updateId);
  if (!update) throw new AppError('not_found', 'Rapporten finns inte.');
  const { row, pledge } = await activityOrThrow(deps.db, update.activityId);
  authorize(actor, { action: 'activity.respond', pledge, ownerPartyId: row.owner_party_id });
  const f = parseOrThrow(ResponseForm, form);
  const now = deps.clock();
  const response: UpdateResponse = {
    id: randomUUID(),
    updateId,
    partyId: actor!.partyId!,
    authorUserId: actor!.userId,
    authorName: actor!.name,
    kind: f.kind,
    comment: f.comment,
    createdAt: now.toISOString(),
  };
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertResponse(trx, response);
    await recordAudit(
      trx,
      {
        actor,
        action: `activity.${f.kind}`,
        entityType: 'activity',
        entityId: update.activityId,
        pledgeId: update.pledgeId,
        before: { description: row.description },
        after: { description: row.description, report: update.reportedOn, comment: f.comment || null },
      },
      now,
    );
  });
  return { ...response, activityId: update.activityId };
}

export interface UpdateEntry extends ActivityUpdate {
  /** The update that corrects this one: it no longer counts. */
  correctedBy: ActivityUpdate | null;
  /** The update this one corrects. */
  corrects: ActivityUpdate | null;
  responses: UpdateResponse[];
}

/** An activity's updates newest first, with corrections linked both ways and the responses to each. */
export async function activityFollowUp(db: Executor, activityId: string): Promise<UpdateEntry[]> {
  const updates = await repo.listUpdatesOfActivity(db, activityId);
  return withLinks(db, updates);
}

async function withLinks(db: Executor, updates: ActivityUpdate[]): Promise<UpdateEntry[]> {
  const responses = await repo.listResponses(db, updates.map((u) => u.id));
  const byId = new Map(updates.map((u) => [u.id, u]));
  const counting = new Set(countingUpdates(updates).map((u) => u.id));
  return newestFirst(updates).map((u) => ({
    ...u,
    correctedBy: counting.has(u.id) ? null : (updates.find((x) => x.correctsUpdateId === u.id) ?? null),
    corrects: u.correctsUpdateId ? (byId.get(u.correctsUpdateId) ?? null) : null,
    responses: responses.filter((r) => r.updateId === u.id),
  }));
}

/** One update with its links, for its own page. */
export async function updateWithContext(db: Executor, updateId: string): Promise<UpdateEntry | null> {
  const u = await repo.findUpdate(db, updateId);
  if (!u) return null;
  const all = await repo.listUpdatesOfActivity(db, u.activityId);
  return (await withLinks(db, all)).find((x) => x.id === updateId) ?? null;
}
