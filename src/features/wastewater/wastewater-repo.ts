import type { Selectable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { WastewaterSiteTable } from '../../db/schema.js';
import type { MeasurementRow } from './series.js';
import type { SubstanceCode } from './substances.js';

/** SQL for sites, settings and reading measurements. Imports have their own repository. */

export interface Site {
  id: string;
  partyId: string;
  code: string;
  name: string;
  district: string;
  population: number;
  isPublished: boolean;
  isDemo: boolean;
  version: number;
}

export function toSite(r: Selectable<WastewaterSiteTable>): Site {
  return {
    id: r.id,
    partyId: r.party_id,
    code: r.code,
    name: r.name,
    district: r.district,
    population: r.population,
    isPublished: r.is_published === 1,
    isDemo: r.is_demo === 1,
    version: r.version,
  };
}

export interface SettingsRow {
  publicationThreshold: number;
  correctionSet: string;
  /** 0 when nothing is stored yet (the defaults apply). */
  version: number;
}

export async function findSettings(db: Executor, partyId: string): Promise<SettingsRow | null> {
  const r = await db.selectFrom('wastewater_settings').select(['publication_threshold', 'correction_set', 'version']).where('party_id', '=', partyId).executeTakeFirst();
  return r ? { publicationThreshold: r.publication_threshold, correctionSet: r.correction_set, version: r.version } : null;
}

export async function insertSettings(db: Executor, partyId: string, v: { publicationThreshold: number; correctionSet: string }, now: string): Promise<void> {
  await db
    .insertInto('wastewater_settings')
    .values({ party_id: partyId, publication_threshold: v.publicationThreshold, correction_set: v.correctionSet, updated_at: now })
    .execute();
}

export async function updateSettings(db: Executor, partyId: string, version: number, v: { publicationThreshold: number; correctionSet: string }, now: string): Promise<boolean> {
  const r = await db
    .updateTable('wastewater_settings')
    .set((eb) => ({ publication_threshold: v.publicationThreshold, correction_set: v.correctionSet, updated_at: now, version: eb('version', '+', 1) }))
    .where('party_id', '=', partyId)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function listSites(db: Executor, partyId: string): Promise<Site[]> {
  const rows = await db.selectFrom('wastewater_site').selectAll().where('party_id', '=', partyId).orderBy('code').execute();
  return rows.map(toSite);
}

export async function findSite(db: Executor, id: string): Promise<Site | null> {
  const r = await db.selectFrom('wastewater_site').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toSite(r) : null;
}

export async function insertSite(
  db: Executor,
  s: { id: string; partyId: string; code: string; name: string; district: string; population: number; isDemo: boolean },
  now: string,
): Promise<void> {
  await db
    .insertInto('wastewater_site')
    .values({
      id: s.id,
      party_id: s.partyId,
      code: s.code,
      name: s.name,
      district: s.district,
      population: s.population,
      is_published: 1,
      is_demo: s.isDemo ? 1 : 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

export async function updateSite(db: Executor, id: string, version: number, v: { name: string; district: string; isPublished: boolean }, now: string): Promise<boolean> {
  const r = await db
    .updateTable('wastewater_site')
    .set((eb) => ({ name: v.name, district: v.district, is_published: v.isPublished ? 1 : 0, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Every measurement of a municipality's sites in a date range, joined with its sample and site. */
export async function loadMeasurements(db: Executor, partyId: string, f: { from?: string; to?: string; substances?: readonly SubstanceCode[] } = {}): Promise<MeasurementRow[]> {
  let q = db
    .selectFrom('wastewater_measurement as m')
    .innerJoin('wastewater_sample as x', (j) => j.onRef('x.site_id', '=', 'm.site_id').onRef('x.sample_date', '=', 'm.sample_date'))
    .innerJoin('wastewater_site as w', 'w.id', 'm.site_id')
    .where('w.party_id', '=', partyId)
    .select([
      'm.site_id',
      'w.district',
      'w.is_published',
      'm.sample_date',
      'x.flow_m3_per_day',
      'x.population',
      'm.substance',
      'm.concentration_ng_per_l',
      'm.loq_ng_per_l',
      'm.below_loq',
    ]);
  if (f.from) q = q.where('m.sample_date', '>=', f.from);
  if (f.to) q = q.where('m.sample_date', '<=', f.to);
  if (f.substances && f.substances.length > 0) q = q.where('m.substance', 'in', [...f.substances]);
  const rows = await q.execute();
  return rows.map((r) => ({
    siteId: r.site_id,
    district: r.district,
    sitePublished: r.is_published === 1,
    date: r.sample_date,
    flow: r.flow_m3_per_day,
    population: r.population,
    substance: r.substance as SubstanceCode,
    concentration: r.concentration_ng_per_l,
    loq: r.loq_ng_per_l,
    belowLoq: r.below_loq === 1,
  }));
}

/** Which substances a municipality has any data for, and the span of dates. */
export async function dataSpan(db: Executor, partyId: string): Promise<{ substances: SubstanceCode[]; first: string | null; last: string | null; samples: number }> {
  const subs = await db
    .selectFrom('wastewater_measurement as m')
    .innerJoin('wastewater_site as w', 'w.id', 'm.site_id')
    .where('w.party_id', '=', partyId)
    .select('m.substance')
    .distinct()
    .execute();
  const span = await db
    .selectFrom('wastewater_sample as x')
    .innerJoin('wastewater_site as w', 'w.id', 'x.site_id')
    .where('w.party_id', '=', partyId)
    .select((eb) => [eb.fn.min('x.sample_date').as('first'), eb.fn.max('x.sample_date').as('last'), eb.fn.countAll().as('n')])
    .executeTakeFirst();
  return {
    substances: subs.map((s) => s.substance as SubstanceCode),
    first: (span?.first as string | null) ?? null,
    last: (span?.last as string | null) ?? null,
    samples: Number(span?.n ?? 0),
  };
}

/** Municipalities with at least one sampling site, for the staff overview. */
export async function listPartiesWithSites(db: Executor): Promise<{ partyId: string; sites: number }[]> {
  const rows = await db.selectFrom('wastewater_site').select((eb) => ['party_id', eb.fn.countAll().as('n')]).groupBy('party_id').execute();
  return rows.map((r) => ({ partyId: r.party_id, sites: Number(r.n) }));
}
