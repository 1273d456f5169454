import type { Selectable } from 'kysely';
import { isPostgres, type Executor } from '../../db/executor.js';
import type { IndicatorLinkTable, IndicatorTable, IndicatorValueTable } from '../../db/schema.js';
import type { PledgeState } from '../pledges/pledge.js';
import type { Indicator, IndicatorLink, IndicatorValue, ValueStatus } from './indicator.js';
import type { StoredValue } from './indicator-import.js';

// Row mappers: the only place where column names meet domain names.

export function toIndicator(r: Selectable<IndicatorTable>): Indicator {
  return {
    id: r.id,
    partyId: r.party_id,
    code: r.code,
    name: r.name,
    definition: r.definition,
    unit: r.unit,
    direction: r.direction,
    source: r.source,
    koladaKpi: r.kolada_kpi,
    sourceDetail: r.source_detail,
    level: r.level,
    areaName: r.area_name,
    reportingLagMonths: Number(r.reporting_lag_months),
    isDemo: r.is_demo === 1,
    version: r.version,
  };
}

function toValue(r: Selectable<IndicatorValueTable>): IndicatorValue {
  return {
    period: r.period,
    gender: r.gender,
    value: r.value === null ? null : Number(r.value),
    status: r.status,
    previous: r.corrected_at ? { value: r.previous_value === null ? null : Number(r.previous_value), status: r.previous_status as ValueStatus, correctedAt: r.corrected_at } : null,
  };
}

export function toLink(r: Selectable<IndicatorLinkTable>): IndicatorLink {
  return {
    id: r.id,
    indicatorId: r.indicator_id,
    focusAreaId: r.focus_area_id,
    commitmentId: r.commitment_id,
    baseline: r.baseline_value !== null && r.baseline_year !== null ? { value: Number(r.baseline_value), year: Number(r.baseline_year) } : null,
    target: r.target_value !== null && r.target_year !== null ? { value: Number(r.target_value), year: Number(r.target_year) } : null,
    version: r.version,
  };
}

// ---------------------------------------------------------------------------------------------
// Indicators

export type IndicatorValues = Omit<IndicatorTable, 'id' | 'party_id' | 'created_at' | 'updated_at' | 'version' | 'is_demo'>;

export async function insertIndicator(db: Executor, row: IndicatorValues & { id: string; party_id: string; is_demo: number }, now: string): Promise<void> {
  await db.insertInto('indicator').values({ ...row, created_at: now, updated_at: now }).execute();
}

/** Optimistic update: false when someone else saved first. */
export async function updateIndicatorRow(db: Executor, id: string, version: number, values: Partial<IndicatorValues>, now: string): Promise<boolean> {
  const r = await db
    .updateTable('indicator')
    .set({ ...values, updated_at: now, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function findIndicator(db: Executor, id: string): Promise<Indicator | null> {
  const r = await db.selectFrom('indicator').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toIndicator(r) : null;
}

export async function findIndicatorRow(db: Executor, id: string) {
  return db.selectFrom('indicator').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listIndicatorsOfParty(db: Executor, partyId: string): Promise<Indicator[]> {
  const rows = await db.selectFrom('indicator').selectAll().where('party_id', '=', partyId).execute();
  return rows.map(toIndicator);
}

/** The admin list: a party's indicators with the party's name, or every indicator (operator). */
export async function listIndicatorsForAdmin(db: Executor, partyId: string | null): Promise<(Indicator & { partyName: string; values: number })[]> {
  let q = db
    .selectFrom('indicator')
    .innerJoin('party', 'party.id', 'indicator.party_id')
    .selectAll('indicator')
    .select('party.name as party_name')
    .select((eb) => eb.selectFrom('indicator_value').whereRef('indicator_value.indicator_id', '=', 'indicator.id').select(eb.fn.countAll().as('n')).as('value_count'));
  if (partyId !== null) q = q.where('indicator.party_id', '=', partyId);
  const rows = await q.limit(1000).execute();
  return rows.map((r) => ({ ...toIndicator(r), partyName: r.party_name, values: Number(r.value_count ?? 0) }));
}

/** On PostgreSQL, imports into the same indicators wait for each other; SQLite writes one at a time anyway. */
export async function lockIndicators(db: Executor, ids: readonly string[]): Promise<void> {
  if (!isPostgres(db) || ids.length === 0) return;
  await db.selectFrom('indicator').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute();
}

// ---------------------------------------------------------------------------------------------
// Values

export async function listValues(db: Executor, indicatorId: string): Promise<IndicatorValue[]> {
  const rows = await db.selectFrom('indicator_value').selectAll().where('indicator_id', '=', indicatorId).orderBy('period').orderBy('gender').execute();
  return rows.map(toValue);
}

export async function listValuesOf(db: Executor, indicatorIds: readonly string[]): Promise<Map<string, IndicatorValue[]>> {
  const out = new Map<string, IndicatorValue[]>();
  if (indicatorIds.length === 0) return out;
  const rows = await db.selectFrom('indicator_value').selectAll().where('indicator_id', 'in', indicatorIds).orderBy('period').orderBy('gender').execute();
  for (const r of rows) {
    const list = out.get(r.indicator_id) ?? [];
    list.push(toValue(r));
    out.set(r.indicator_id, list);
  }
  return out;
}

/** What is stored, keyed by indicator and then "period|gender": the import plan compares against this. */
export async function storedValues(db: Executor, indicatorIds: readonly string[]): Promise<Map<string, Map<string, StoredValue>>> {
  const out = new Map<string, Map<string, StoredValue>>();
  if (indicatorIds.length === 0) return out;
  const rows = await db
    .selectFrom('indicator_value')
    .select(['indicator_id', 'period', 'gender', 'value', 'status'])
    .where('indicator_id', 'in', indicatorIds)
    .execute();
  for (const r of rows) {
    const m = out.get(r.indicator_id) ?? new Map<string, StoredValue>();
    m.set(`${r.period}|${r.gender}`, { value: r.value === null ? null : Number(r.value), status: r.status });
    out.set(r.indicator_id, m);
  }
  return out;
}

export interface NewValueRow {
  id: string;
  indicator_id: string;
  period: string;
  gender: 'T' | 'K' | 'M';
  value: number | null;
  status: ValueStatus;
}

/** Inserts in batches: SQLite allows at most 32 766 bound parameters per statement. */
export async function insertValues(db: Executor, rows: readonly NewValueRow[], now: string): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('indicator_value')
      .values(rows.slice(i, i + 500).map((r) => ({ ...r, created_at: now, updated_at: now })))
      .execute();
  }
}

/** A new status (and, for a figure that had none, its number). */
export async function updateValueStatus(db: Executor, indicatorId: string, period: string, gender: string, after: StoredValue, now: string): Promise<void> {
  await db
    .updateTable('indicator_value')
    .set({ value: after.value, status: after.status, updated_at: now })
    .where('indicator_id', '=', indicatorId)
    .where('period', '=', period)
    .where('gender', '=', gender as 'T')
    .execute();
}

/** A correction keeps what the figure said before, so the public table can show both. */
export async function correctValue(db: Executor, indicatorId: string, period: string, gender: string, before: StoredValue, after: StoredValue, now: string): Promise<void> {
  await db
    .updateTable('indicator_value')
    .set({ value: after.value, status: after.status, previous_value: before.value, previous_status: before.status, corrected_at: now, updated_at: now })
    .where('indicator_id', '=', indicatorId)
    .where('period', '=', period)
    .where('gender', '=', gender as 'T')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Links to focus areas and commitments

export interface LinkPlace {
  pledgeId: string;
  pledgeTitle: string;
  pledgeState: PledgeState;
  pledgePartyIds: string[];
  focusAreaId: string;
  focusAreaTitle: string;
  commitmentId: string | null;
  commitmentTitle: string | null;
}

export type LinkWithPlace = IndicatorLink & { place: LinkPlace };

/** Where a link points: the focus area (directly or through its commitment) and its pledge. */
function placeQuery(db: Executor) {
  return db
    .selectFrom('indicator_link')
    .leftJoin('commitment', 'commitment.id', 'indicator_link.commitment_id')
    .innerJoin('focus_area', (j) =>
      j.on((eb) => eb.or([eb('focus_area.id', '=', eb.ref('indicator_link.focus_area_id')), eb('focus_area.id', '=', eb.ref('commitment.focus_area_id'))])),
    )
    .innerJoin('pledge', 'pledge.id', 'focus_area.pledge_id')
    .selectAll('indicator_link')
    .select([
      'pledge.id as p_id',
      'pledge.title as p_title',
      'pledge.state as p_state',
      'pledge.starts_on as p_starts_on',
      'focus_area.id as fa_id',
      'focus_area.title as fa_title',
      'focus_area.position as fa_position',
      'commitment.title as c_title',
      'commitment.position as c_position',
    ])
    .where('indicator_link.removed_at', 'is', null);
}

async function withPlaces(db: Executor, rows: Awaited<ReturnType<ReturnType<typeof placeQuery>['execute']>>): Promise<LinkWithPlace[]> {
  const pledgeIds = [...new Set(rows.map((r) => r.p_id))];
  const parties = pledgeIds.length === 0 ? [] : await db.selectFrom('pledge_party').select(['pledge_id', 'party_id']).where('pledge_id', 'in', pledgeIds).execute();
  return rows.map((r) => ({
    ...toLink(r),
    place: {
      pledgeId: r.p_id,
      pledgeTitle: r.p_title,
      pledgeState: r.p_state,
      pledgePartyIds: parties.filter((p) => p.pledge_id === r.p_id).map((p) => p.party_id),
      focusAreaId: r.fa_id,
      focusAreaTitle: r.fa_title,
      commitmentId: r.commitment_id,
      commitmentTitle: r.c_title,
    },
  }));
}

export async function listLinksOfIndicator(db: Executor, indicatorId: string): Promise<LinkWithPlace[]> {
  const rows = await placeQuery(db).where('indicator_link.indicator_id', '=', indicatorId).orderBy('pledge.starts_on', 'desc').orderBy('focus_area.position').execute();
  return withPlaces(db, rows);
}

export async function findLinkWithPlace(db: Executor, linkId: string): Promise<LinkWithPlace | null> {
  const rows = await placeQuery(db).where('indicator_link.id', '=', linkId).execute();
  return (await withPlaces(db, rows))[0] ?? null;
}

/**
 * The links shown on a public pledge page: to its focus areas or their commitments, never of a draft.
 * Ordered as the pledge reads: focus area, then the focus area's own links before its commitments'.
 */
export async function listPublicLinksOfPledge(db: Executor, pledgeId: string, focusAreaIds: readonly string[]): Promise<(LinkWithPlace & { indicator: Indicator })[]> {
  if (focusAreaIds.length === 0) return [];
  const rows = await placeQuery(db)
    .where('pledge.id', '=', pledgeId)
    .where('pledge.state', '<>', 'draft')
    .where('focus_area.id', 'in', focusAreaIds)
    .orderBy('focus_area.position')
    .orderBy('commitment.position')
    .orderBy('indicator_link.created_at')
    .execute();
  if (rows.length === 0) return [];
  const indicators = await db.selectFrom('indicator').selectAll().where('id', 'in', [...new Set(rows.map((r) => r.indicator_id))]).execute();
  const byId = new Map(indicators.map((i) => [i.id, toIndicator(i)]));
  const links = await withPlaces(db, rows);
  // A focus area's own links first (no commitment), then its commitments' in their order.
  return links
    .map((l, i) => ({ l, i, fa: rows[i]!.fa_position, c: rows[i]!.c_position ?? -1 }))
    .sort((a, b) => a.fa - b.fa || a.c - b.c || a.i - b.i)
    .map(({ l }) => ({ ...l, indicator: byId.get(l.indicatorId)! }));
}

/** The indicator's links that the public may see: to focus areas or commitments of a pledge that is not a draft. */
export async function listPublicLinksOfIndicator(db: Executor, indicatorId: string): Promise<LinkWithPlace[]> {
  const rows = await placeQuery(db)
    .where('indicator_link.indicator_id', '=', indicatorId)
    .where('pledge.state', '<>', 'draft')
    .orderBy('pledge.starts_on', 'desc')
    .orderBy('focus_area.position')
    .execute();
  return withPlaces(db, rows);
}

export interface LinkTarget {
  pledgeId: string;
  pledgeTitle: string;
  pledgeState: PledgeState;
  focusAreaId: string;
  focusAreaTitle: string;
  commitments: { id: string; title: string }[];
}

/** Focus areas and commitments an indicator of this party may be linked to: pledges the party is in, not archived. */
export async function listLinkTargets(db: Executor, partyId: string): Promise<LinkTarget[]> {
  const areas = await db
    .selectFrom('focus_area')
    .innerJoin('pledge', 'pledge.id', 'focus_area.pledge_id')
    .innerJoin('pledge_party', 'pledge_party.pledge_id', 'pledge.id')
    .select(['pledge.id as pledge_id', 'pledge.title as pledge_title', 'pledge.state as pledge_state', 'focus_area.id', 'focus_area.title'])
    .where('pledge_party.party_id', '=', partyId)
    .where('pledge.state', '<>', 'archived')
    .orderBy('pledge.starts_on', 'desc')
    .orderBy('focus_area.position')
    .execute();
  if (areas.length === 0) return [];
  const commitments = await db
    .selectFrom('commitment')
    .select(['id', 'title', 'focus_area_id'])
    .where('focus_area_id', 'in', areas.map((a) => a.id))
    .orderBy('position')
    .execute();
  return areas.map((a) => ({
    pledgeId: a.pledge_id,
    pledgeTitle: a.pledge_title,
    pledgeState: a.pledge_state,
    focusAreaId: a.id,
    focusAreaTitle: a.title,
    commitments: commitments.filter((c) => c.focus_area_id === a.id).map((c) => ({ id: c.id, title: c.title })),
  }));
}

/** The pledge a focus area or commitment belongs to, with its parties: what the policy needs. */
export async function findPlaceOf(db: Executor, target: { focusAreaId: string } | { commitmentId: string }): Promise<{ pledgeId: string; state: PledgeState; partyIds: string[] } | null> {
  const q =
    'focusAreaId' in target
      ? db.selectFrom('focus_area').innerJoin('pledge', 'pledge.id', 'focus_area.pledge_id').select(['pledge.id', 'pledge.state']).where('focus_area.id', '=', target.focusAreaId)
      : db
          .selectFrom('commitment')
          .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
          .innerJoin('pledge', 'pledge.id', 'focus_area.pledge_id')
          .select(['pledge.id', 'pledge.state'])
          .where('commitment.id', '=', target.commitmentId);
  const r = await q.executeTakeFirst();
  if (!r) return null;
  const parties = await db.selectFrom('pledge_party').select('party_id').where('pledge_id', '=', r.id).execute();
  return { pledgeId: r.id, state: r.state, partyIds: parties.map((p) => p.party_id) };
}

export type LinkRowValues = Pick<IndicatorLinkTable, 'baseline_value' | 'baseline_year' | 'target_value' | 'target_year'>;

export async function insertLink(
  db: Executor,
  row: LinkRowValues & { id: string; indicator_id: string; focus_area_id: string | null; commitment_id: string | null },
  now: string,
): Promise<void> {
  await db.insertInto('indicator_link').values({ ...row, created_at: now, updated_at: now }).execute();
}

export async function findActiveLinkTo(db: Executor, indicatorId: string, target: { focusAreaId: string | null; commitmentId: string | null }) {
  let q = db.selectFrom('indicator_link').select('id').where('indicator_id', '=', indicatorId).where('removed_at', 'is', null);
  q = target.focusAreaId ? q.where('focus_area_id', '=', target.focusAreaId) : q.where('commitment_id', '=', target.commitmentId!);
  return q.executeTakeFirst();
}

export async function findLinkRow(db: Executor, id: string) {
  return db.selectFrom('indicator_link').selectAll().where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();
}

export async function updateLinkRow(db: Executor, id: string, version: number, values: Partial<LinkRowValues> & { removed_at?: string }, now: string): Promise<boolean> {
  const r = await db
    .updateTable('indicator_link')
    .set({ ...values, updated_at: now, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** "/kommun/{slug}/{period}" of each pledge, through its first municipality, for links back from an indicator. */
export async function pledgePublicPaths(db: Executor, pledgeIds: readonly string[]): Promise<Map<string, string>> {
  if (pledgeIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('pledge')
    .innerJoin('pledge_party', 'pledge_party.pledge_id', 'pledge.id')
    .innerJoin('party', 'party.id', 'pledge_party.party_id')
    .select(['pledge.id', 'pledge.period_slug', 'party.slug', 'pledge_party.position'])
    .where('pledge.id', 'in', pledgeIds)
    .where('party.kind', '=', 'municipality')
    .orderBy('pledge_party.position')
    .execute();
  const out = new Map<string, string>();
  for (const r of rows) if (!out.has(r.id)) out.set(r.id, `/kommun/${r.slug}/${r.period_slug}`);
  return out;
}

/** Every link an indicator ever had, removed ones too: its history page shows them all. */
export async function listAllLinkIdsOfIndicator(db: Executor, indicatorId: string): Promise<string[]> {
  const rows = await db.selectFrom('indicator_link').select('id').where('indicator_id', '=', indicatorId).execute();
  return rows.map((r) => r.id);
}
