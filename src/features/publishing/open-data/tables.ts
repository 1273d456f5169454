import { messages } from '../../../platform/i18n/index.js';
import { swedishDate, type Activity, type Party, type PledgeDocument } from '../../pledges/pledge.js';

/**
 * The two open-data tables, pledges and activities, defined once as columns. The CSV and the JSON
 * download are both written from these definitions, so a row in one is the same row in the other,
 * under the same stable English snake_case names (documented in docs/decisions/open-data.md).
 * Changing a name breaks everyone's spreadsheets and scripts: add columns at the end instead.
 */

/** A cell: lists are for parties and signatories of a pledge, which can be more than one. */
export type Cell = string | number | boolean | null | readonly string[];

export interface Column<R> {
  name: string;
  value(row: R): Cell;
}

export interface Table<R> {
  columns: readonly Column<R>[];
  rows: readonly R[];
}

/** Builds absolute links into the site (public base URL, see urls.ts). */
export interface Links {
  page(slug: string, period: string): string;
  version(slug: string, period: string, n: number): string;
  api(pledgeId: string): string;
}

const sv = messages('sv');

const names = (parties: readonly Party[], kind: Party['kind']) => parties.filter((p) => p.kind === kind).map((p) => p.name);

function firstMunicipality(p: PledgeDocument): Party | undefined {
  return p.parties.find((x) => x.kind === 'municipality');
}

/** The signed version a public document is: always set on documents from the published functions. */
function signing(p: PledgeDocument) {
  if (!p.signing) throw new Error(`pledge ${p.id} is not a published document`);
  return p.signing;
}

/** Swedish calendar day of a timestamp: what "signed on" means to a Swedish reader. */
export function swedishDay(iso: string): string {
  return swedishDate(new Date(iso));
}

// ---------------------------------------------------------------------------------------------
// Pledges: one row per public pledge

export function pledgeColumns(links: Links): Column<PledgeDocument>[] {
  return [
    { name: 'pledge_id', value: (p) => p.id },
    { name: 'title', value: (p) => p.title },
    { name: 'municipality_codes', value: (p) => p.parties.filter((x) => x.kind === 'municipality').map((x) => x.municipalityCode ?? '') },
    { name: 'municipality_names', value: (p) => names(p.parties, 'municipality') },
    { name: 'police_areas', value: (p) => names(p.parties, 'police_area') },
    { name: 'partners', value: (p) => names(p.parties, 'partner') },
    { name: 'period', value: (p) => p.periodSlug },
    { name: 'starts_on', value: (p) => p.startsOn },
    { name: 'ends_on', value: (p) => p.endsOn },
    { name: 'state', value: (p) => p.state },
    { name: 'version_number', value: (p) => signing(p).versionNumber },
    { name: 'content_hash', value: (p) => signing(p).contentHash },
    { name: 'signed_on', value: (p) => swedishDay(signing(p).signedAt) },
    { name: 'signed_at', value: (p) => new Date(signing(p).signedAt).toISOString() },
    {
      name: 'signatories',
      value: (p) => {
        const party = new Map(p.parties.map((x) => [x.id, x.name]));
        return signing(p).signatures.map((s) => `${s.name} (${s.roleTitle}, ${party.get(s.partyId) ?? ''})`);
      },
    },
    { name: 'focus_areas', value: (p) => p.focusAreas.map((f) => f.title) },
    { name: 'focus_area_count', value: (p) => p.focusAreas.length },
    { name: 'commitment_count', value: (p) => p.focusAreas.reduce((n, f) => n + f.commitments.length, 0) },
    { name: 'activity_count', value: (p) => p.focusAreas.reduce((n, f) => n + f.commitments.reduce((m, c) => m + c.activities.length, 0), 0) },
    { name: 'is_example_data', value: (p) => p.isDemo },
    { name: 'page_url', value: (p) => links.page(firstMunicipality(p)?.slug ?? '', p.periodSlug) },
    { name: 'version_url', value: (p) => links.version(firstMunicipality(p)?.slug ?? '', p.periodSlug, signing(p).versionNumber) },
    { name: 'api_url', value: (p) => links.api(p.id) },
  ];
}

export function pledgeTable(docs: readonly PledgeDocument[], links: Links): Table<PledgeDocument> {
  return { columns: pledgeColumns(links), rows: docs };
}

// ---------------------------------------------------------------------------------------------
// Activities: one row per activity of a public pledge, in the pledge's own order

export interface ActivityRow {
  pledge: PledgeDocument;
  focusArea: string;
  commitment: string;
  activity: Activity;
  owner: Party | undefined;
}

export function activityRows(docs: readonly PledgeDocument[]): ActivityRow[] {
  const rows: ActivityRow[] = [];
  for (const pledge of docs) {
    const parties = new Map(pledge.parties.map((x) => [x.id, x]));
    for (const fa of pledge.focusAreas)
      for (const c of fa.commitments)
        for (const a of c.activities) rows.push({ pledge, focusArea: fa.title, commitment: c.title, activity: a, owner: parties.get(a.ownerPartyId) });
  }
  return rows;
}

export function activityColumns(links: Links): Column<ActivityRow>[] {
  return [
    { name: 'pledge_id', value: (r) => r.pledge.id },
    { name: 'pledge_title', value: (r) => r.pledge.title },
    { name: 'municipality_codes', value: (r) => r.pledge.parties.filter((x) => x.kind === 'municipality').map((x) => x.municipalityCode ?? '') },
    { name: 'municipality_names', value: (r) => names(r.pledge.parties, 'municipality') },
    { name: 'police_areas', value: (r) => names(r.pledge.parties, 'police_area') },
    { name: 'period', value: (r) => r.pledge.periodSlug },
    { name: 'version_number', value: (r) => signing(r.pledge).versionNumber },
    { name: 'content_hash', value: (r) => signing(r.pledge).contentHash },
    { name: 'signed_on', value: (r) => swedishDay(signing(r.pledge).signedAt) },
    { name: 'focus_area', value: (r) => r.focusArea },
    { name: 'commitment', value: (r) => r.commitment },
    { name: 'activity_id', value: (r) => r.activity.id },
    { name: 'activity', value: (r) => r.activity.description },
    { name: 'owner', value: (r) => r.owner?.name ?? null },
    { name: 'owner_kind', value: (r) => r.owner?.kind ?? null },
    { name: 'target_value', value: (r) => (r.activity.target?.kind === 'numeric' ? r.activity.target.value : null) },
    { name: 'target_unit', value: (r) => (r.activity.target?.kind === 'numeric' ? r.activity.target.unit : null) },
    { name: 'target_text', value: (r) => (r.activity.target?.kind === 'text' ? r.activity.target.text : null) },
    { name: 'schedule_starts_on', value: (r) => r.activity.schedule?.startsOn ?? null },
    { name: 'schedule_ends_on', value: (r) => r.activity.schedule?.endsOn ?? null },
    { name: 'schedule_text', value: (r) => r.activity.schedule?.text ?? null },
    { name: 'status', value: (r) => r.activity.status },
    { name: 'status_sv', value: (r) => sv.status[r.activity.status] },
    { name: 'is_example_data', value: (r) => r.pledge.isDemo },
    { name: 'page_url', value: (r) => links.page(firstMunicipality(r.pledge)?.slug ?? '', r.pledge.periodSlug) },
  ];
}

export function activityTable(docs: readonly PledgeDocument[], links: Links): Table<ActivityRow> {
  return { columns: activityColumns(links), rows: activityRows(docs) };
}
