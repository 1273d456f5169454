import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Executor } from '../../db/executor.js';
import { AppError } from '../../platform/errors.js';
import { compareSv, matchesSv, sortSv } from '../../platform/text.js';
import { parseOrThrow } from '../../platform/validation.js';
import {
  PartyInput,
  PledgeInput,
  pledgeTiming,
  periodSlug,
  pledgeToShow,
  type Party,
  type PledgeDocument,
  type PledgeSummary,
  type PledgeTiming,
} from './pledge.js';
import * as repo from './pledge-repo.js';
import type { Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import { loadPublishedPledge } from '../signing/published.js';
import { assertNoOverlap, registerSignedOutsideApp } from '../signing/signing.js';

/** Use-cases of the pledge register, shared by HTTP routes, the CLI, the demo seed and tests. */

const uuids = { next: () => randomUUID() };

/** Who a change is recorded as: a signed-in actor, or a label such as "demo" or "loften user add". */
export interface ChangedBy {
  actor: Actor | null;
  label?: string;
}
const SYSTEM: ChangedBy = { actor: null, label: 'system' };

export async function createParty(db: Executor, input: PartyInput, by: ChangedBy = SYSTEM, now = new Date()): Promise<Party> {
  const p = parseOrThrow(PartyInput, input);
  const taken = await repo.findPartyBySlug(db, p.slug);
  if (taken) throw new AppError('validation_failed', `Adressnamnet ${p.slug} används redan.`, [{ field: 'slug', message: 'Adressnamnet används redan av en annan part.' }]);
  if (p.municipalityCode && (await repo.findPartyByMunicipalityCode(db, p.municipalityCode)))
    throw new AppError('validation_failed', `Kommunkoden ${p.municipalityCode} används redan.`, [{ field: 'municipalityCode', message: 'Det finns redan en kommun med den kommunkoden.' }]);
  try {
    return await db.transaction().execute(async (trx) => {
      const party = await repo.insertParty(trx, randomUUID(), p, now.toISOString());
      await recordAudit(trx, { actor: by.actor, actorLabel: by.label, action: 'party.create', entityType: 'party', entityId: party.id, after: { ...party } }, now);
      return party;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('validation_failed', 'Adressnamnet eller kommunkoden används redan.', [{ field: 'slug', message: 'Adressnamnet eller kommunkoden används redan av en annan part.' }]);
    throw err;
  }
}

export async function createPledge(db: Executor, input: PledgeInput, by: ChangedBy = SYSTEM, now = new Date()): Promise<PledgeDocument> {
  const p = parseOrThrow(PledgeInput, input);
  const id = randomUUID();
  const slug = periodSlug(p.startsOn, p.endsOn);
  await db.transaction().execute(async (trx) => {
    const parties = await repo.findPartiesByIds(trx, p.partyIds);
    const missing = p.partyIds.filter((pid) => !parties.some((x) => x.id === pid));
    if (missing.length > 0)
      throw new AppError('validation_failed', `Okänd part: ${missing.join(', ')}`, [{ field: 'partyIds', message: 'En av parterna finns inte.' }]);
    const municipalities = parties.filter((x) => x.kind === 'municipality');
    if (municipalities.length === 0 || !parties.some((x) => x.kind === 'police_area'))
      throw new AppError('validation_failed', 'Ett löfte har minst en kommun och ett lokalpolisområde.', [
        { field: 'partyIds', message: 'Välj minst en kommun och ett lokalpolisområde.' },
      ]);
    const enteredAsSigned = p.state !== 'draft';
    if (enteredAsSigned) {
      await repo.lockParties(trx, municipalities.map((m) => m.id));
      await assertNoOverlap(trx, parties, { id, startsOn: p.startsOn, endsOn: p.endsOn });
    }
    await repo.insertPledgeTree(trx, uuids, id, p, slug, now.toISOString());
    await recordAudit(trx, { actor: by.actor, actorLabel: by.label, action: 'pledge.create', entityType: 'pledge', entityId: id, pledgeId: id, after: { title: p.title, startsOn: p.startsOn, endsOn: p.endsOn, state: p.state, partyIds: p.partyIds } }, now);
    if (enteredAsSigned)
      await registerSignedOutsideApp(trx, id, { signedOn: p.signedOn ?? p.startsOn, meetingKind: p.signingMeetingKind, label: by.actor ? `${by.actor.name} <${by.actor.email}>` : (by.label ?? 'system') }, now);
  });
  const created = await repo.loadPledgeDocument(db, id);
  if (!created) throw new AppError('internal', 'Löftet sparades men kunde inte läsas tillbaka.');
  return created;
}

/** A pledge as the public may see it, its signed version: drafts are indistinguishable from pledges that do not exist. */
export async function getPublicPledge(db: Executor, id: string): Promise<PledgeDocument> {
  const doc = await loadPublishedPledge(db, id);
  if (!doc) throw new AppError('not_found', 'Löftet finns inte.');
  return doc;
}

export async function getPledgeForExport(db: Executor, id: string): Promise<PledgeDocument> {
  const doc = await repo.loadPledgeDocument(db, id);
  if (!doc) throw new AppError('not_found', `Det finns inget löfte med id ${id}.`);
  return doc;
}

export interface MunicipalityView {
  municipality: Party;
  pledge: PledgeDocument;
  timing: PledgeTiming;
  /** True on /kommun/{slug} when nothing is in force and the latest pledge is shown instead. */
  fallback: boolean;
  /** Public pledges of the municipality, newest first, for the "all periods" list. */
  periods: PledgeSummary[];
}

async function publicMunicipality(db: Executor, slug: string) {
  const municipality = await repo.findPartyBySlug(db, slug, 'municipality');
  if (!municipality) throw new AppError('not_found', `Ingen kommun med adressen ${slug}.`);
  const periods = (await repo.listPublicPledgesByMunicipality(db, municipality.id)).map((r) => r.pledge);
  return { municipality, periods };
}

/** /kommun/{slug}: the pledge in force on `date`, else the latest public one. */
export async function municipalityCurrent(db: Executor, slug: string, date: string): Promise<MunicipalityView> {
  const { municipality, periods } = await publicMunicipality(db, slug);
  const shown = pledgeToShow(periods, date);
  if (!shown) throw new AppError('not_found', `${municipality.name} har inget publicerat löfte.`);
  const pledge = await getPublicPledge(db, shown.pledge.id);
  return { municipality, periods, pledge, timing: pledgeTiming(pledge, date), fallback: !shown.inForce };
}

/** /kommun/{slug}/{period}: one specific public pledge, past ones included. */
export async function municipalityPeriod(db: Executor, slug: string, period: string, date: string): Promise<MunicipalityView> {
  const { municipality, periods } = await publicMunicipality(db, slug);
  const match = periods.find((p) => p.periodSlug === period);
  if (!match) throw new AppError('not_found', `${municipality.name} har inget publicerat löfte för ${period}.`);
  const pledge = await getPublicPledge(db, match.id);
  return { municipality, periods, pledge, timing: pledgeTiming(pledge, date), fallback: false };
}

export interface IndexEntry {
  municipality: Party;
  pledge: PledgeSummary;
  inForce: boolean;
}

/**
 * The national index: one row per municipality with a public pledge, showing the one in force or
 * else its latest, sorted by Swedish collation and filtered by name in Swedish.
 */
export async function nationalIndex(
  db: Executor,
  opts: { query?: string; onlyInForce?: boolean },
  date: string,
): Promise<IndexEntry[]> {
  const rows = await repo.listPublicPledgesByMunicipality(db);
  const byMunicipality = new Map<string, { municipality: Party; pledges: PledgeSummary[] }>();
  for (const r of rows) {
    const entry = byMunicipality.get(r.municipality.id) ?? { municipality: r.municipality, pledges: [] };
    entry.pledges.push(r.pledge);
    byMunicipality.set(r.municipality.id, entry);
  }
  const entries: IndexEntry[] = [];
  for (const { municipality, pledges } of byMunicipality.values()) {
    if (opts.query && !matchesSv(municipality.name, opts.query)) continue;
    const shown = pledgeToShow(pledges, date);
    if (!shown || (opts.onlyInForce && !shown.inForce)) continue;
    entries.push({ municipality, pledge: shown.pledge, inForce: shown.inForce });
  }
  return sortSv(entries, (e) => e.municipality.name);
}


/** Public pledges for the API, optionally for one municipality, newest first. */
export async function listPublicPledges(
  db: Executor,
  opts: { municipalityCode?: string },
): Promise<{ pledge: PledgeSummary; municipalities: Party[] }[]> {
  if (opts.municipalityCode && !(await repo.findPartyByMunicipalityCode(db, opts.municipalityCode)))
    throw new AppError('not_found', `Ingen kommun med kommunkod ${opts.municipalityCode}.`);
  const rows = await repo.listPublicPledgesByMunicipality(db);
  const byPledge = new Map<string, { pledge: PledgeSummary; municipalities: Party[] }>();
  for (const r of rows) {
    const e = byPledge.get(r.pledge.id) ?? { pledge: r.pledge, municipalities: [] };
    e.municipalities.push(r.municipality);
    byPledge.set(r.pledge.id, e);
  }
  return [...byPledge.values()]
    .filter((e) => !opts.municipalityCode || e.municipalities.some((m) => m.municipalityCode === opts.municipalityCode))
    .sort((a, b) => b.pledge.startsOn.localeCompare(a.pledge.startsOn) || b.pledge.endsOn.localeCompare(a.pledge.endsOn) || compareSv(a.pledge.title, b.pledge.title));
}
