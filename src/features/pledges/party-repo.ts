import type { Selectable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { PartyTable } from '../../db/schema.js';
import type { Party } from './pledge.js';
import { toParty } from './pledge-repo.js';

/** SQL for administering parties. Updates name the version they were based on and bump it: 0 rows means stale. */

export type PartyRow = Selectable<PartyTable>;


/** Every party (at most a few hundred: 290 municipalities, their police areas and partners). */
export async function listParties(db: Executor): Promise<Party[]> {
  const rows = await db.selectFrom('party').selectAll().orderBy('name').execute();
  return rows.map(toParty);
}

export async function findPartyRow(db: Executor, id: string): Promise<PartyRow | undefined> {
  return db.selectFrom('party').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updatePartyRow(
  db: Executor,
  id: string,
  version: number,
  values: { name: string; county: string | null; website_url: string | null },
  now: string,
): Promise<boolean> {
  const r = await db
    .updateTable('party')
    .set((eb) => ({ ...values, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
