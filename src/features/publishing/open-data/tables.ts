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

/** What a column holds, for the OpenAPI schema and the shape tests. `list` is an array of strings in JSON. */
export type CellType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'date-time' | 'uri' | 'uuid' | 'list';

export interface Column<R> {
  name: string;
  type: CellType;
  /** May be null (an empty cell in the CSV). */
  nullable?: boolean;
  /** One line of English for the OpenAPI document. */
  about: string;
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
    { name: 'pledge_id', type: 'uuid', about: "The pledge's id, as in the API.", value: (p) => p.id },
    { name: 'title', type: 'string', about: 'Title of the signed version.', value: (p) => p.title },
    { name: 'municipality_codes', type: 'list', about: 'Four-digit kommunkod of each municipality of the pledge.', value: (p) => p.parties.filter((x) => x.kind === 'municipality').map((x) => x.municipalityCode ?? '') },
    { name: 'municipality_names', type: 'list', about: 'Name of each municipality of the pledge.', value: (p) => names(p.parties, 'municipality') },
    { name: 'police_areas', type: 'list', about: 'Name of each local police area (lokalpolisområde) of the pledge.', value: (p) => names(p.parties, 'police_area') },
    { name: 'partners', type: 'list', about: 'Other parties that take part without signing.', value: (p) => names(p.parties, 'partner') },
    { name: 'period', type: 'string', about: 'Period as in URLs: 2022 or 2022-2023.', value: (p) => p.periodSlug },
    { name: 'starts_on', type: 'date', about: 'First day of the period.', value: (p) => p.startsOn },
    { name: 'ends_on', type: 'date', about: 'Last day of the period.', value: (p) => p.endsOn },
    { name: 'state', type: 'string', about: 'signed (the pledge in its period) or archived.', value: (p) => p.state },
    { name: 'version_number', type: 'integer', about: 'Number of the signed version shown; amendments get a new one.', value: (p) => signing(p).versionNumber },
    { name: 'content_hash', type: 'string', about: 'SHA-256 (hex) over the canonical JSON of the signed version.', value: (p) => signing(p).contentHash },
    { name: 'signed_on', type: 'date', about: 'Day the version was signed (Swedish time).', value: (p) => swedishDay(signing(p).signedAt) },
    { name: 'signed_at', type: 'date-time', about: 'When the last signature was made (UTC).', value: (p) => new Date(signing(p).signedAt).toISOString() },
    {
      name: 'signatories',
      type: 'list',
      about: 'Who signed: name (role, party).',
      value: (p) => {
        const party = new Map(p.parties.map((x) => [x.id, x.name]));
        return signing(p).signatures.map((s) => `${s.name} (${s.roleTitle}, ${party.get(s.partyId) ?? ''})`);
      },
    },
    { name: 'focus_areas', type: 'list', about: 'Titles of the focus areas, in order.', value: (p) => p.focusAreas.map((f) => f.title) },
    { name: 'focus_area_count', type: 'integer', about: 'Number of focus areas.', value: (p) => p.focusAreas.length },
    { name: 'commitment_count', type: 'integer', about: 'Number of commitments.', value: (p) => p.focusAreas.reduce((n, f) => n + f.commitments.length, 0) },
    { name: 'activity_count', type: 'integer', about: 'Number of activities.', value: (p) => p.focusAreas.reduce((n, f) => n + f.commitments.reduce((m, c) => m + c.activities.length, 0), 0) },
    { name: 'is_example_data', type: 'boolean', about: 'True for demonstration data, not an official document.', value: (p) => p.isDemo },
    { name: 'page_url', type: 'uri', about: 'The public page of the pledge.', value: (p) => links.page(firstMunicipality(p)?.slug ?? '', p.periodSlug) },
    { name: 'version_url', type: 'uri', about: 'The public page of exactly this signed version.', value: (p) => links.version(firstMunicipality(p)?.slug ?? '', p.periodSlug, signing(p).versionNumber) },
    { name: 'api_url', type: 'uri', about: 'The whole pledge in the JSON API.', value: (p) => links.api(p.id) },
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
    { name: 'pledge_id', type: 'uuid', about: "The pledge's id, as in the API.", value: (r) => r.pledge.id },
    { name: 'pledge_title', type: 'string', about: 'Title of the signed version of the pledge.', value: (r) => r.pledge.title },
    { name: 'municipality_codes', type: 'list', about: 'Four-digit kommunkod of each municipality of the pledge.', value: (r) => r.pledge.parties.filter((x) => x.kind === 'municipality').map((x) => x.municipalityCode ?? '') },
    { name: 'municipality_names', type: 'list', about: 'Name of each municipality of the pledge.', value: (r) => names(r.pledge.parties, 'municipality') },
    { name: 'police_areas', type: 'list', about: 'Name of each local police area (lokalpolisområde) of the pledge.', value: (r) => names(r.pledge.parties, 'police_area') },
    { name: 'period', type: 'string', about: 'Period as in URLs: 2022 or 2022-2023.', value: (r) => r.pledge.periodSlug },
    { name: 'version_number', type: 'integer', about: 'Number of the signed version shown; amendments get a new one.', value: (r) => signing(r.pledge).versionNumber },
    { name: 'content_hash', type: 'string', about: 'SHA-256 (hex) over the canonical JSON of the signed version.', value: (r) => signing(r.pledge).contentHash },
    { name: 'signed_on', type: 'date', about: 'Day the version was signed (Swedish time).', value: (r) => swedishDay(signing(r.pledge).signedAt) },
    { name: 'focus_area', type: 'string', about: 'Focus area the activity belongs to.', value: (r) => r.focusArea },
    { name: 'commitment', type: 'string', about: 'Commitment the activity carries out.', value: (r) => r.commitment },
    { name: 'activity_id', type: 'uuid', about: "The activity's id, as in the API.", value: (r) => r.activity.id },
    { name: 'activity', type: 'string', about: 'What is done.', value: (r) => r.activity.description },
    { name: 'owner', type: 'string', nullable: true, about: 'The party that owns the activity and reports on it.', value: (r) => r.owner?.name ?? null },
    { name: 'owner_kind', type: 'string', nullable: true, about: 'municipality, police_area or partner.', value: (r) => r.owner?.kind ?? null },
    { name: 'target_value', type: 'number', nullable: true, about: 'Numeric target, e.g. 12.', value: (r) => (r.activity.target?.kind === 'numeric' ? r.activity.target.value : null) },
    { name: 'target_unit', type: 'string', nullable: true, about: 'Unit of the numeric target, e.g. kontroller.', value: (r) => (r.activity.target?.kind === 'numeric' ? r.activity.target.unit : null) },
    { name: 'target_text', type: 'string', nullable: true, about: 'Target in words, when it is not a number.', value: (r) => (r.activity.target?.kind === 'text' ? r.activity.target.text : null) },
    { name: 'schedule_starts_on', type: 'date', nullable: true, about: 'Planned start.', value: (r) => r.activity.schedule?.startsOn ?? null },
    { name: 'schedule_ends_on', type: 'date', nullable: true, about: 'Planned end.', value: (r) => r.activity.schedule?.endsOn ?? null },
    { name: 'schedule_text', type: 'string', nullable: true, about: 'Schedule in words, e.g. Varje höst.', value: (r) => r.activity.schedule?.text ?? null },
    { name: 'status', type: 'string', about: 'Current status: planned, in_progress, done, delayed or cancelled.', value: (r) => r.activity.status },
    { name: 'status_sv', type: 'string', about: 'The status in Swedish, as on the public page.', value: (r) => sv.status[r.activity.status] },
    { name: 'is_example_data', type: 'boolean', about: 'True for demonstration data, not an official document.', value: (r) => r.pledge.isDemo },
    { name: 'page_url', type: 'uri', about: 'The public page of the pledge.', value: (r) => links.page(firstMunicipality(r.pledge)?.slug ?? '', r.pledge.periodSlug) },
  ];
}

export function activityTable(docs: readonly PledgeDocument[], links: Links): Table<ActivityRow> {
  return { columns: activityColumns(links), rows: activityRows(docs) };
}
