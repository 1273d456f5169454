import type { Executor } from '../../db/executor.js';
import type { ActivityStatus, Party } from '../pledges/pledge.js';
import { toParty } from '../pledges/pledge-repo.js';

/** SQL behind the national overview: a handful of grouped queries, whatever the number of municipalities. */

/** In-lists are cut into pieces well below SQLite's limit on bound parameters. */
const CHUNK = 500;

async function chunked<T>(ids: readonly string[], run: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await run(ids.slice(i, i + CHUNK))));
  return out;
}

export async function listMunicipalities(db: Executor): Promise<Party[]> {
  const rows = await db.selectFrom('party').selectAll().where('kind', '=', 'municipality').execute();
  return rows.map(toParty);
}

export async function listCounties(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('party').select('county').distinct().where('kind', '=', 'municipality').where('county', 'is not', null).execute();
  return rows.map((r) => r.county!).filter((c) => c.trim() !== '');
}

/** Focus-area titles per pledge, in the pledge's order. */
export async function focusAreaTitles(db: Executor, pledgeIds: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await chunked(pledgeIds, (part) =>
    db.selectFrom('focus_area').select(['pledge_id', 'title', 'position']).where('pledge_id', 'in', part).orderBy('pledge_id').orderBy('position').execute(),
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.pledge_id, [...(out.get(r.pledge_id) ?? []), r.title]);
  return out;
}

/** How many activities of each pledge have each status. */
export async function activityStatusCounts(db: Executor, pledgeIds: readonly string[]): Promise<Map<string, Partial<Record<ActivityStatus, number>>>> {
  const rows = await chunked(pledgeIds, (part) =>
    db
      .selectFrom('activity')
      .innerJoin('commitment', 'commitment.id', 'activity.commitment_id')
      .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
      .select(['focus_area.pledge_id', 'activity.status', (eb) => eb.fn.countAll().as('n')])
      .where('focus_area.pledge_id', 'in', part)
      .groupBy(['focus_area.pledge_id', 'activity.status'])
      .execute(),
  );
  const out = new Map<string, Partial<Record<ActivityStatus, number>>>();
  for (const r of rows) out.set(r.pledge_id, { ...(out.get(r.pledge_id) ?? {}), [r.status]: Number(r.n) });
  return out;
}

/**
 * When each pledge was last followed up: the latest activity update (ActivityUpdate) entered on any
 * of its activities. This is the one place that decides it. See docs/decisions/indicators.md.
 */
export async function lastFollowUps(db: Executor, pledgeIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await chunked(pledgeIds, (part) =>
    db
      .selectFrom('activity_update')
      .select(['pledge_id', (eb) => eb.fn.max('created_at').as('latest')])
      .where('pledge_id', 'in', part)
      .groupBy('pledge_id')
      .execute(),
  );
  const out = new Map<string, string>();
  // pg hands a max() of timestamptz back through the type parser (ISO); SQLite stores ISO text already.
  for (const r of rows) if (r.pledge_id && r.latest) out.set(r.pledge_id, new Date(String(r.latest)).toISOString());
  return out;
}
