import type { Selectable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { ActivityTable } from '../../db/schema.js';
import type { PledgeRef } from '../access/policy.js';

/** SQL for editing. Every update names the version it was based on and bumps it: 0 rows means stale. */

export interface PledgeRefRow extends PledgeRef {
  id: string;
}

export async function loadPledgeRef(db: Executor, pledgeId: string): Promise<PledgeRefRow | null> {
  const p = await db.selectFrom('pledge').select(['id', 'state']).where('id', '=', pledgeId).executeTakeFirst();
  if (!p) return null;
  const [parties, open] = await Promise.all([
    db.selectFrom('pledge_party').select('party_id').where('pledge_id', '=', pledgeId).orderBy('position').execute(),
    db.selectFrom('pledge_version').select('id').where('pledge_id', '=', pledgeId).where('state', '=', 'awaiting_signatures').executeTakeFirst(),
  ]);
  const state = p.state === 'draft' && open ? 'awaiting_signatures' : p.state;
  return { id: p.id, state, partyIds: parties.map((r) => r.party_id) };
}

export async function findPledgeRow(db: Executor, id: string) {
  return db.selectFrom('pledge').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updatePledgeRow(
  db: Executor,
  id: string,
  version: number,
  values: { title: string; starts_on: string; ends_on: string; period_slug: string; background: string },
  now: string,
): Promise<boolean> {
  const r = await db
    .updateTable('pledge')
    .set((eb) => ({ ...values, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function touchPledge(db: Executor, id: string, now: string): Promise<void> {
  await db.updateTable('pledge').set({ updated_at: now }).where('id', '=', id).execute();
}

export async function findActivityWithPledge(db: Executor, activityId: string) {
  return db
    .selectFrom('activity')
    .innerJoin('commitment', 'commitment.id', 'activity.commitment_id')
    .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
    .selectAll('activity')
    .select(['focus_area.pledge_id as pledge_id', 'commitment.title as commitment_title'])
    .where('activity.id', '=', activityId)
    .executeTakeFirst();
}

export type ActivityRow = Selectable<ActivityTable>;

export async function updateActivityRow(
  db: Executor,
  id: string,
  version: number,
  values: Partial<Omit<ActivityRow, 'id' | 'version' | 'commitment_id'>>,
): Promise<boolean> {
  const r = await db
    .updateTable('activity')
    .set((eb) => ({ ...values, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
