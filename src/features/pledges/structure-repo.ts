import { sql } from 'kysely';
import type { Executor } from '../../db/executor.js';

/**
 * SQL for a pledge's ordered parts. Focus areas (under a pledge) and commitments (under a focus
 * area) have the same shape, title + description + position + version, so they share these functions.
 */

export type Section = 'focus_area' | 'commitment';
const parentColumn = { focus_area: 'pledge_id', commitment: 'focus_area_id' } as const;

export interface SectionRow {
  id: string;
  parentId: string;
  pledgeId: string;
  title: string;
  description: string;
  position: number;
  version: number;
}

export async function findSection(db: Executor, kind: Section, id: string): Promise<SectionRow | null> {
  if (kind === 'focus_area') {
    const r = await db.selectFrom('focus_area').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? { id: r.id, parentId: r.pledge_id, pledgeId: r.pledge_id, title: r.title, description: r.description, position: r.position, version: r.version } : null;
  }
  const r = await db
    .selectFrom('commitment')
    .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
    .selectAll('commitment')
    .select('focus_area.pledge_id')
    .where('commitment.id', '=', id)
    .executeTakeFirst();
  return r ? { id: r.id, parentId: r.focus_area_id, pledgeId: r.pledge_id, title: r.title, description: r.description, position: r.position, version: r.version } : null;
}

async function nextPosition(db: Executor, table: Section | 'activity' | 'signatory', column: string, parentId: string): Promise<number> {
  const r = await sql<{ n: number | string | null }>`select max(position) as n from ${sql.table(table)} where ${sql.ref(column)} = ${parentId}`.execute(db);
  const n = r.rows[0]?.n;
  return n === null || n === undefined ? 0 : Number(n) + 1;
}

export async function insertSection(db: Executor, kind: Section, row: { id: string; parentId: string; title: string; description: string }): Promise<void> {
  const position = await nextPosition(db, kind, parentColumn[kind], row.parentId);
  if (kind === 'focus_area') {
    await db.insertInto('focus_area').values({ id: row.id, pledge_id: row.parentId, title: row.title, description: row.description, position }).execute();
  } else {
    await db.insertInto('commitment').values({ id: row.id, focus_area_id: row.parentId, title: row.title, description: row.description, position }).execute();
  }
}

export async function updateSection(db: Executor, kind: Section, id: string, version: number, values: { title: string; description: string }): Promise<boolean> {
  const r = await db
    .updateTable(kind)
    .set((eb) => ({ ...values, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function countChildren(db: Executor, kind: Section, id: string): Promise<number> {
  const r =
    kind === 'focus_area'
      ? await db.selectFrom('commitment').select((eb) => eb.fn.countAll().as('n')).where('focus_area_id', '=', id).executeTakeFirstOrThrow()
      : await db.selectFrom('activity').select((eb) => eb.fn.countAll().as('n')).where('commitment_id', '=', id).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function deleteSection(db: Executor, kind: Section, id: string): Promise<void> {
  await db.deleteFrom(kind).where('id', '=', id).execute();
}

/** Swaps a row with its neighbour above or below; returns false at either end. */
export async function moveSection(db: Executor, kind: Section, row: SectionRow, direction: 'up' | 'down'): Promise<boolean> {
  const column = parentColumn[kind];
  const neighbour = await sql<{ id: string; position: number }>`
    select id, position from ${sql.table(kind)}
    where ${sql.ref(column)} = ${row.parentId} and position ${sql.raw(direction === 'up' ? '<' : '>')} ${row.position}
    order by position ${sql.raw(direction === 'up' ? 'desc' : 'asc')} limit 1`.execute(db);
  const other = neighbour.rows[0];
  if (!other) return false;
  await db.updateTable(kind).set((eb) => ({ position: Number(other.position), version: eb('version', '+', 1) })).where('id', '=', row.id).execute();
  await db.updateTable(kind).set((eb) => ({ position: row.position, version: eb('version', '+', 1) })).where('id', '=', other.id).execute();
  return true;
}

export async function insertActivity(
  db: Executor,
  row: { id: string; commitmentId: string; ownerPartyId: string; description: string },
): Promise<void> {
  const position = await nextPosition(db, 'activity', 'commitment_id', row.commitmentId);
  await db
    .insertInto('activity')
    .values({ id: row.id, commitment_id: row.commitmentId, owner_party_id: row.ownerPartyId, description: row.description, status: 'planned', position })
    .execute();
}

/**
 * What still points at an activity: follow-up updates (append-only), Brå decisions and the
 * activities copied from it. Any of these makes a delete fail on the foreign key.
 */
export async function activityReferences(db: Executor, id: string): Promise<{ updates: number; decisions: number; successors: number }> {
  const count = async (table: 'activity_update' | 'follow_up_decision' | 'activity', column: 'activity_id' | 'predecessor_id') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where(column, '=', id).executeTakeFirstOrThrow()).n);
  return { updates: await count('activity_update', 'activity_id'), decisions: await count('follow_up_decision', 'activity_id'), successors: await count('activity', 'predecessor_id') };
}

export async function deleteActivity(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('activity').where('id', '=', id).execute();
}

export async function findSignatory(db: Executor, id: string) {
  return db.selectFrom('signatory').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertSignatory(db: Executor, row: { id: string; pledgeId: string; partyId: string; name: string; roleTitle: string; userId: string | null }): Promise<void> {
  const position = await nextPosition(db, 'signatory', 'pledge_id', row.pledgeId);
  await db
    .insertInto('signatory')
    .values({ id: row.id, pledge_id: row.pledgeId, party_id: row.partyId, name: row.name, role_title: row.roleTitle, user_id: row.userId, position })
    .execute();
}

export async function updateSignatory(db: Executor, id: string, version: number, values: { party_id: string; name: string; role_title: string; user_id: string | null }): Promise<boolean> {
  const r = await db
    .updateTable('signatory')
    .set((eb) => ({ ...values, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Active accounts of the given parties: who can be chosen to sign for a signatory. */
export async function listSigningCandidates(db: Executor, partyIds: readonly string[]) {
  if (partyIds.length === 0) return [];
  return db
    .selectFrom('app_user')
    .select(['id', 'name', 'email', 'party_id'])
    .where('party_id', 'in', partyIds)
    .where('disabled_at', 'is', null)
    .execute();
}

export async function deleteSignatory(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('signatory').where('id', '=', id).execute();
}
