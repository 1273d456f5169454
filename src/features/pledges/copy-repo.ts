import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { ActivityTable, CommitmentTable, FocusAreaTable, PledgePartyTable, PledgeTable, SignatoryTable } from '../../db/schema.js';

/**
 * SQL for copying a pledge into a new period: read a whole pledge as rows, write a whole pledge as
 * rows. What changes between the two (ids, state, statuses, dates, predecessor links) is decided by
 * the use-case in pledge-copy.ts, not here.
 */

export interface PledgeTreeRows {
  pledge: Selectable<PledgeTable>;
  parties: Selectable<PledgePartyTable>[];
  signatories: Selectable<SignatoryTable>[];
  focusAreas: Selectable<FocusAreaTable>[];
  commitments: Selectable<CommitmentTable>[];
  activities: Selectable<ActivityTable>[];
}

export interface NewPledgeTreeRows {
  pledge: Insertable<PledgeTable>;
  parties: Insertable<PledgePartyTable>[];
  signatories: Insertable<SignatoryTable>[];
  focusAreas: Insertable<FocusAreaTable>[];
  commitments: Insertable<CommitmentTable>[];
  activities: Insertable<ActivityTable>[];
}

/** The whole pledge as stored, each level in its display order. Call inside the copying transaction. */
export async function loadPledgeTreeRows(db: Executor, pledgeId: string): Promise<PledgeTreeRows | null> {
  const pledge = await db.selectFrom('pledge').selectAll().where('id', '=', pledgeId).executeTakeFirst();
  if (!pledge) return null;
  const parties = await db.selectFrom('pledge_party').selectAll().where('pledge_id', '=', pledgeId).orderBy('position').execute();
  const signatories = await db.selectFrom('signatory').selectAll().where('pledge_id', '=', pledgeId).orderBy('position').execute();
  const focusAreas = await db.selectFrom('focus_area').selectAll().where('pledge_id', '=', pledgeId).orderBy('position').execute();
  const commitments = await db
    .selectFrom('commitment')
    .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
    .selectAll('commitment')
    .where('focus_area.pledge_id', '=', pledgeId)
    .orderBy('focus_area.position')
    .orderBy('commitment.position')
    .execute();
  const activities = await db
    .selectFrom('activity')
    .innerJoin('commitment', 'commitment.id', 'activity.commitment_id')
    .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
    .selectAll('activity')
    .where('focus_area.pledge_id', '=', pledgeId)
    .orderBy('focus_area.position')
    .orderBy('commitment.position')
    .orderBy('activity.position')
    .execute();
  return { pledge, parties, signatories, focusAreas, commitments, activities };
}

// Well below SQLite's limit on bound parameters, whatever the number of columns.
const CHUNK = 100;

async function insertChunked<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

/** Writes a whole new pledge, parents before children. Call inside a transaction. */
export async function insertPledgeTreeRows(db: Executor, rows: NewPledgeTreeRows): Promise<void> {
  await db.insertInto('pledge').values(rows.pledge).execute();
  await insertChunked(rows.parties, (c) => db.insertInto('pledge_party').values(c).execute());
  await insertChunked(rows.signatories, (c) => db.insertInto('signatory').values(c).execute());
  await insertChunked(rows.focusAreas, (c) => db.insertInto('focus_area').values(c).execute());
  await insertChunked(rows.commitments, (c) => db.insertInto('commitment').values(c).execute());
  await insertChunked(rows.activities, (c) => db.insertInto('activity').values(c).execute());
}
