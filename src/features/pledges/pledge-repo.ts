import type { Selectable } from 'kysely';
import { isPostgres, toCount, type Executor } from '../../db/executor.js';
import type { ActivityTable, PartyTable, PledgeTable } from '../../db/schema.js';
import type {
  Activity,
  Party,
  PartyKind,
  PledgeDocument,
  PledgeSummary,
  ValidPledgeInput,
} from './pledge.js';
import type { z } from 'zod';
import type { PartyInput } from './pledge.js';

// Row mappers: the only place where column names meet domain names.

export function toParty(r: Pick<Selectable<PartyTable>, 'id' | 'kind' | 'name' | 'slug' | 'municipality_code' | 'county' | 'website_url' | 'is_demo'>): Party {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    slug: r.slug,
    municipalityCode: r.municipality_code,
    county: r.county,
    websiteUrl: r.website_url,
    isDemo: r.is_demo === 1,
  };
}

function toSummary(r: Pick<Selectable<PledgeTable>, 'id' | 'title' | 'starts_on' | 'ends_on' | 'period_slug' | 'state' | 'is_demo'>): PledgeSummary {
  return {
    id: r.id,
    title: r.title,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    periodSlug: r.period_slug,
    state: r.state,
    isDemo: r.is_demo === 1,
  };
}

function toActivity(r: Selectable<ActivityTable>): Activity {
  const target =
    r.target_value !== null && r.target_unit !== null
      ? ({ kind: 'numeric', value: Number(r.target_value), unit: r.target_unit } as const)
      : r.target_text !== null
        ? ({ kind: 'text', text: r.target_text } as const)
        : null;
  const hasSchedule = r.schedule_starts_on !== null || r.schedule_ends_on !== null || r.schedule_text !== null;
  return {
    id: r.id,
    ownerPartyId: r.owner_party_id,
    description: r.description,
    target,
    schedule: hasSchedule ? { startsOn: r.schedule_starts_on, endsOn: r.schedule_ends_on, text: r.schedule_text } : null,
    status: r.status,
  };
}

const summaryColumns = ['pledge.id', 'pledge.title', 'pledge.starts_on', 'pledge.ends_on', 'pledge.period_slug', 'pledge.state', 'pledge.is_demo'] as const;

// ---------------------------------------------------------------------------------------------
// Parties

export async function insertParty(db: Executor, id: string, p: z.output<typeof PartyInput>, now: string): Promise<Party> {
  const row = {
    id,
    kind: p.kind,
    name: p.name,
    slug: p.slug,
    municipality_code: p.municipalityCode,
    county: p.county,
    website_url: p.websiteUrl,
    is_demo: p.isDemo ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('party').values(row).execute();
  return toParty(row);
}

export async function findPartyBySlug(db: Executor, slug: string, kind?: PartyKind): Promise<Party | null> {
  let q = db.selectFrom('party').selectAll().where('slug', '=', slug);
  if (kind) q = q.where('kind', '=', kind);
  const r = await q.executeTakeFirst();
  return r ? toParty(r) : null;
}

export async function findPartiesByIds(db: Executor, ids: readonly string[]): Promise<Party[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('party').selectAll().where('id', 'in', ids).execute();
  return rows.map(toParty);
}

export async function findPartyByMunicipalityCode(db: Executor, code: string): Promise<Party | null> {
  const r = await db.selectFrom('party').selectAll().where('municipality_code', '=', code).executeTakeFirst();
  return r ? toParty(r) : null;
}

// ---------------------------------------------------------------------------------------------
// Pledges

export async function countPledges(db: Executor): Promise<number> {
  const r = await db.selectFrom('pledge').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return toCount(r.n);
}

/**
 * Serialises writers that check "one pledge in force per municipality": on PostgreSQL by locking
 * the municipality rows; SQLite already runs one write transaction at a time.
 */
export async function lockParties(db: Executor, partyIds: readonly string[]): Promise<void> {
  if (!isPostgres(db) || partyIds.length === 0) return;
  await db.selectFrom('party').select('id').where('id', 'in', partyIds).orderBy('id').forUpdate().execute();
}

export async function listPledgeSummariesOfParty(db: Executor, partyId: string): Promise<PledgeSummary[]> {
  const rows = await db
    .selectFrom('pledge')
    .innerJoin('pledge_party', 'pledge_party.pledge_id', 'pledge.id')
    .select(summaryColumns)
    .where('pledge_party.party_id', '=', partyId)
    .orderBy('pledge.starts_on', 'desc')
    .execute();
  return rows.map(toSummary);
}

export interface MunicipalityPledgeRow {
  municipality: Party;
  pledge: PledgeSummary;
}

/**
 * Every pledge with a signed version, with each of its municipalities: the national index and the
 * API are built from this. Title and period come from the signed version, not the working copy,
 * which may be a draft amendment.
 */
export async function listPublicPledgesByMunicipality(db: Executor, partyId?: string): Promise<MunicipalityPledgeRow[]> {
  let q = db
    .selectFrom('pledge_version')
    .innerJoin('pledge', 'pledge.id', 'pledge_version.pledge_id')
    .innerJoin('pledge_party', 'pledge_party.pledge_id', 'pledge.id')
    .innerJoin('party', 'party.id', 'pledge_party.party_id')
    .select([
      'pledge.id',
      'pledge_version.title',
      'pledge_version.starts_on',
      'pledge_version.ends_on',
      'pledge_version.period_slug',
      'pledge.state',
      'pledge.is_demo',
      'party.id as party_id',
      'party.kind as party_kind',
      'party.name as party_name',
      'party.slug as party_slug',
      'party.municipality_code as party_municipality_code',
      'party.county as party_county',
      'party.website_url as party_website_url',
      'party.is_demo as party_is_demo',
    ])
    .where('party.kind', '=', 'municipality')
    .where('pledge_version.state', '=', 'signed');
  if (partyId) q = q.where('party.id', '=', partyId);
  const rows = await q.orderBy('pledge_version.starts_on', 'desc').execute();
  return rows.map((r) => ({
    pledge: publishedSummary(r),
    municipality: {
      id: r.party_id,
      kind: r.party_kind,
      name: r.party_name,
      slug: r.party_slug,
      municipalityCode: r.party_municipality_code,
      county: r.party_county,
      websiteUrl: r.party_website_url,
      isDemo: r.party_is_demo === 1,
    },
  }));
}

/** A pledge being amended is a draft at work but signed in public: the public sees its signed version. */
export function publishedSummary(r: Pick<Selectable<PledgeTable>, 'id' | 'title' | 'starts_on' | 'ends_on' | 'period_slug' | 'state' | 'is_demo'>): PledgeSummary {
  return { ...toSummary(r), state: r.state === 'archived' ? 'archived' : 'signed' };
}

/** The live status of activities, by id: follow-up moves it after signing. */
export async function activityStatuses(db: Executor, ids: readonly string[]): Promise<Map<string, Activity['status']>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('activity').select(['id', 'status']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.status]));
}

export async function findPledgeSummary(db: Executor, id: string): Promise<PledgeSummary | null> {
  const r = await db.selectFrom('pledge').select(summaryColumns).where('pledge.id', '=', id).executeTakeFirst();
  return r ? toSummary(r) : null;
}

/** The whole nested pledge in six indexed queries, independent of its size. */
export async function loadPledgeDocument(db: Executor, id: string): Promise<PledgeDocument | null> {
  const pledge = await db.selectFrom('pledge').selectAll().where('id', '=', id).executeTakeFirst();
  if (!pledge) return null;
  const [parties, signatories, focusAreas, commitments, activities] = await Promise.all([
    db
      .selectFrom('party')
      .innerJoin('pledge_party', 'pledge_party.party_id', 'party.id')
      .selectAll('party')
      .where('pledge_party.pledge_id', '=', id)
      .orderBy('pledge_party.position')
      .execute(),
    db.selectFrom('signatory').selectAll().where('pledge_id', '=', id).orderBy('position').execute(),
    db.selectFrom('focus_area').selectAll().where('pledge_id', '=', id).orderBy('position').execute(),
    db
      .selectFrom('commitment')
      .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
      .selectAll('commitment')
      .where('focus_area.pledge_id', '=', id)
      .orderBy('commitment.position')
      .execute(),
    db
      .selectFrom('activity')
      .innerJoin('commitment', 'commitment.id', 'activity.commitment_id')
      .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
      .selectAll('activity')
      .where('focus_area.pledge_id', '=', id)
      .orderBy('activity.position')
      .execute(),
  ]);
  return {
    ...toSummary(pledge),
    background: pledge.background,
    updatedAt: pledge.updated_at,
    version: pledge.version,
    parties: parties.map(toParty),
    signatories: signatories.map((s) => ({ id: s.id, partyId: s.party_id, name: s.name, roleTitle: s.role_title })),
    focusAreas: focusAreas.map((fa) => ({
      id: fa.id,
      title: fa.title,
      description: fa.description,
      commitments: commitments
        .filter((c) => c.focus_area_id === fa.id)
        .map((c) => ({
          id: c.id,
          title: c.title,
          description: c.description,
          activities: activities.filter((a) => a.commitment_id === c.id).map(toActivity),
        })),
    })),
  };
}

/** Inserts a validated pledge with all its content. Call inside a transaction. */
export async function insertPledgeTree(
  db: Executor,
  ids: { next(): string },
  id: string,
  p: ValidPledgeInput,
  slug: string,
  now: string,
): Promise<void> {
  await db
    .insertInto('pledge')
    .values({
      id,
      title: p.title,
      starts_on: p.startsOn,
      ends_on: p.endsOn,
      period_slug: slug,
      background: p.background,
      state: p.state,
      is_demo: p.isDemo ? 1 : 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('pledge_party')
    .values(p.partyIds.map((partyId, position) => ({ pledge_id: id, party_id: partyId, position })))
    .execute();
  if (p.signatories.length > 0) {
    await db
      .insertInto('signatory')
      .values(p.signatories.map((s, position) => ({ id: ids.next(), pledge_id: id, party_id: s.partyId, name: s.name, role_title: s.roleTitle, position })))
      .execute();
  }
  for (const [faPos, fa] of p.focusAreas.entries()) {
    const focusAreaId = ids.next();
    await db.insertInto('focus_area').values({ id: focusAreaId, pledge_id: id, title: fa.title, description: fa.description, position: faPos }).execute();
    for (const [cPos, c] of fa.commitments.entries()) {
      const commitmentId = ids.next();
      await db
        .insertInto('commitment')
        .values({ id: commitmentId, focus_area_id: focusAreaId, title: c.title, description: c.description, position: cPos })
        .execute();
      if (c.activities.length === 0) continue;
      await db
        .insertInto('activity')
        .values(
          c.activities.map((a, position) => ({
            id: ids.next(),
            commitment_id: commitmentId,
            owner_party_id: a.ownerPartyId,
            description: a.description,
            target_value: a.target?.kind === 'numeric' ? a.target.value : null,
            target_unit: a.target?.kind === 'numeric' ? a.target.unit : null,
            target_text: a.target?.kind === 'text' ? a.target.text : null,
            schedule_starts_on: a.schedule?.startsOn ?? null,
            schedule_ends_on: a.schedule?.endsOn ?? null,
            schedule_text: a.schedule?.text ?? null,
            status: a.status,
            position,
          })),
        )
        .execute();
    }
  }
}

/** The admin list: every pledge of a party, drafts included (or all pledges, for an operator). */
export async function listPledgesForAdmin(db: Executor, partyId: string | null): Promise<(PledgeSummary & { municipalities: string })[]> {
  let q = db.selectFrom('pledge').select(summaryColumns).orderBy('pledge.starts_on', 'desc').limit(500);
  if (partyId !== null) q = q.where('pledge.id', 'in', db.selectFrom('pledge_party').select('pledge_id').where('party_id', '=', partyId));
  const rows = await q.execute();
  if (rows.length === 0) return [];
  const names = await db
    .selectFrom('pledge_party')
    .innerJoin('party', 'party.id', 'pledge_party.party_id')
    .select(['pledge_party.pledge_id', 'party.name'])
    .where('party.kind', '=', 'municipality')
    .where('pledge_party.pledge_id', 'in', rows.map((r) => r.id))
    .execute();
  return rows.map((r) => ({ ...toSummary(r), municipalities: names.filter((n) => n.pledge_id === r.id).map((n) => n.name).join(', ') }));
}

export interface OwnedActivityRow {
  id: string;
  description: string;
  status: Activity['status'];
  pledgeId: string;
  pledgeTitle: string;
  pledgeState: PledgeSummary['state'];
}

/** Activities a party owns in pledges that are not archived: the "my activities" list. */
export async function listActivitiesOwnedBy(db: Executor, partyId: string): Promise<OwnedActivityRow[]> {
  const rows = await db
    .selectFrom('activity')
    .innerJoin('commitment', 'commitment.id', 'activity.commitment_id')
    .innerJoin('focus_area', 'focus_area.id', 'commitment.focus_area_id')
    .innerJoin('pledge', 'pledge.id', 'focus_area.pledge_id')
    .select(['activity.id', 'activity.description', 'activity.status', 'pledge.id as pledge_id', 'pledge.title as pledge_title', 'pledge.state as pledge_state'])
    .where('activity.owner_party_id', '=', partyId)
    .where('pledge.state', '<>', 'archived')
    .orderBy('pledge.starts_on', 'desc')
    .orderBy('focus_area.position')
    .orderBy('commitment.position')
    .orderBy('activity.position')
    .limit(500)
    .execute();
  return rows.map((r) => ({ id: r.id, description: r.description, status: r.status, pledgeId: r.pledge_id, pledgeTitle: r.pledge_title, pledgeState: r.pledge_state }));
}
