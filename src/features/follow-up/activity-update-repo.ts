import type { Selectable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { ActivityUpdateResponseTable, ActivityUpdateTable } from '../../db/schema.js';
import type { ActivityUpdate, UpdateCount, UpdateResponse } from './activity-update.js';

/** SQL for activity updates and the responses to them. Both tables refuse UPDATE and DELETE (migration 0006). */

function toUpdate(r: Selectable<ActivityUpdateTable>): ActivityUpdate {
  return {
    id: r.id,
    activityId: r.activity_id,
    pledgeId: r.pledge_id,
    partyId: r.party_id,
    authorUserId: r.author_user_id,
    authorName: r.author_name,
    reportedOn: r.reported_on,
    createdAt: r.created_at,
    status: r.status,
    previousStatus: r.previous_status,
    statusReason: r.status_reason,
    outcome: r.outcome_value !== null && r.outcome_unit !== null ? { value: Number(r.outcome_value), unit: r.outcome_unit } : null,
    counts: r.counts_json ? (JSON.parse(r.counts_json) as UpdateCount[]) : [],
    narrative: r.narrative,
    evidence: r.evidence_url ? { url: r.evidence_url, label: r.evidence_label } : null,
    correctsUpdateId: r.corrects_update_id,
  };
}

function toResponse(r: Selectable<ActivityUpdateResponseTable>): UpdateResponse {
  return {
    id: r.id,
    updateId: r.update_id,
    partyId: r.party_id,
    authorUserId: r.author_user_id,
    authorName: r.author_name,
    kind: r.kind,
    comment: r.comment,
    createdAt: r.created_at,
  };
}

export async function insertUpdate(db: Executor, u: ActivityUpdate): Promise<void> {
  await db
    .insertInto('activity_update')
    .values({
      id: u.id,
      activity_id: u.activityId,
      pledge_id: u.pledgeId,
      party_id: u.partyId,
      author_user_id: u.authorUserId,
      author_name: u.authorName,
      reported_on: u.reportedOn,
      created_at: u.createdAt,
      status: u.status,
      previous_status: u.previousStatus,
      status_reason: u.statusReason,
      outcome_value: u.outcome?.value ?? null,
      outcome_unit: u.outcome?.unit ?? null,
      counts_json: u.counts.length > 0 ? JSON.stringify(u.counts) : null,
      narrative: u.narrative,
      evidence_url: u.evidence?.url ?? null,
      evidence_label: u.evidence?.label ?? null,
      corrects_update_id: u.correctsUpdateId,
    })
    .execute();
}

export async function findUpdate(db: Executor, id: string): Promise<ActivityUpdate | null> {
  const r = await db.selectFrom('activity_update').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toUpdate(r) : null;
}

/** Every update of one activity, in no particular order (callers sort with newestFirst). */
export async function listUpdatesOfActivity(db: Executor, activityId: string): Promise<ActivityUpdate[]> {
  const rows = await db.selectFrom('activity_update').selectAll().where('activity_id', '=', activityId).execute();
  return rows.map(toUpdate);
}

/** Every update of these activities: the public page's and the reminders' input. */
export async function listUpdatesOfActivities(db: Executor, activityIds: readonly string[]): Promise<ActivityUpdate[]> {
  if (activityIds.length === 0) return [];
  const rows = await db.selectFrom('activity_update').selectAll().where('activity_id', 'in', activityIds).execute();
  return rows.map(toUpdate);
}

export async function insertResponse(db: Executor, r: UpdateResponse): Promise<void> {
  await db
    .insertInto('activity_update_response')
    .values({
      id: r.id,
      update_id: r.updateId,
      party_id: r.partyId,
      author_user_id: r.authorUserId,
      author_name: r.authorName,
      kind: r.kind,
      comment: r.comment,
      created_at: r.createdAt,
    })
    .execute();
}

/** Responses to these updates, oldest first (a conversation reads downwards). */
export async function listResponses(db: Executor, updateIds: readonly string[]): Promise<UpdateResponse[]> {
  if (updateIds.length === 0) return [];
  const rows = await db.selectFrom('activity_update_response').selectAll().where('update_id', 'in', updateIds).orderBy('created_at').orderBy('id').execute();
  return rows.map(toResponse);
}

export interface AwaitingResponse {
  updateId: string;
  activityId: string;
  pledgeId: string;
  ownerPartyId: string;
  description: string;
  reportedOn: string;
  partyName: string;
}

/**
 * Other parties' counting reports, entered since `since`, in the non-archived pledges `partyId`
 * takes part in, that `partyId` has not responded to: the dashboard's "to acknowledge".
 */
export async function listAwaitingResponse(db: Executor, partyId: string, since: string, limit = 20): Promise<AwaitingResponse[]> {
  const rows = await db
    .selectFrom('activity_update as u')
    .innerJoin('activity', 'activity.id', 'u.activity_id')
    .innerJoin('party', 'party.id', 'u.party_id')
    .innerJoin('pledge', 'pledge.id', 'u.pledge_id')
    .innerJoin('pledge_party', (j) => j.onRef('pledge_party.pledge_id', '=', 'u.pledge_id').on('pledge_party.party_id', '=', partyId))
    .select(['u.id', 'u.activity_id', 'u.pledge_id', 'activity.owner_party_id', 'u.reported_on', 'activity.description', 'party.name'])
    .where('u.party_id', '<>', partyId)
    .where('u.created_at', '>=', since)
    .where('pledge.state', '<>', 'archived')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('activity_update_response as r').select('r.id').whereRef('r.update_id', '=', 'u.id').where('r.party_id', '=', partyId))))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('activity_update as c').select('c.id').whereRef('c.corrects_update_id', '=', 'u.id'))))
    .orderBy('u.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ updateId: r.id, activityId: r.activity_id, pledgeId: r.pledge_id, ownerPartyId: r.owner_party_id, description: r.description, reportedOn: r.reported_on, partyName: r.name }));
}

/** The day of the newest counting report per activity. */
export async function latestReportDates(db: Executor, activityIds: readonly string[]): Promise<Map<string, string>> {
  const updates = await listUpdatesOfActivities(db, activityIds);
  const corrected = new Set(updates.map((u) => u.correctsUpdateId).filter((id): id is string => id !== null));
  const out = new Map<string, string>();
  for (const u of updates) if (!corrected.has(u.id) && (out.get(u.activityId) ?? '') < u.reportedOn) out.set(u.activityId, u.reportedOn);
  return out;
}
