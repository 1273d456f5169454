import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/db/schema.js';
import { randomUUID } from 'node:crypto';
import { findActivityWithPledge, findPledgeRow, loadPledgeRef } from '../../src/features/pledges/editing-repo.js';
import { findPartyRow } from '../../src/features/pledges/party-repo.js';
import { findSection, findSignatory, insertActivity, insertSignatory } from '../../src/features/pledges/structure-repo.js';
import { openApp, type TestApp } from '../support/app.js';
import { csrfFor, signedInAs } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPledge, pledgeInput } from '../support/factories.js';
import { createUser } from '../../src/features/accounts/account-service.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { freezeForSigning } from '../../src/features/signing/signing.js';
import { findSignedVersion, findVersion } from '../../src/features/signing/version-repo.js';
import { defineIndicator, linkIndicator } from '../../src/features/indicators/indicator-service.js';
import { insertLink } from '../../src/features/indicators/indicator-repo.js';
import { insertSection } from '../../src/features/pledges/structure-repo.js';
import { multipartBody } from '../support/multipart.js';
import { readImport, startImport } from '../../src/features/wastewater/import-service.js';
import { insertSite, listSites } from '../../src/features/wastewater/wastewater-repo.js';
import { reportActivityUpdate } from '../../src/features/follow-up/activity-updates.js';
import { addAttendee, addDecision, scheduleMeeting } from '../../src/features/follow-up/meetings.js';
import { findMeetingWithParts } from '../../src/features/follow-up/meeting-repo.js';

/**
 * The permission matrix: every admin route × every role × the actor's own party and another party,
 * on a draft and on a signed pledge. Expectations are written out by hand here, independent of
 * src/features/access/policy.ts, so a change to the policy has to be a deliberate change to this table.
 *
 * Actors: anon; super (operator); {admin,editor,reporter,viewer} of `own` (the municipality that
 * owns the target activity), of `police` (the other party of the same pledge) and of `other`
 * (a municipality outside the pledge).
 */
const ROLES: Role[] = ['admin', 'editor', 'reporter', 'viewer'];
type Scope = 'own' | 'police' | 'other';
type ActorKey = 'anon' | 'super' | `${Role}@${Scope}`;
const ALL: ActorKey[] = ['anon', 'super', ...ROLES.flatMap((r) => (['own', 'police', 'other'] as Scope[]).map((s) => `${r}@${s}` as ActorKey))];
const members = (roles: Role[]): ActorKey[] => ['super', ...roles.flatMap((r) => [`${r}@own`, `${r}@police`] as ActorKey[])];
const ownOnly = (roles: Role[]): ActorKey[] => ['super', ...roles.map((r) => `${r}@own` as ActorKey)];
const signedIn = ALL.filter((a) => a !== 'anon');

interface Fixture {
  pledgeId: string;
  activityId: string;
  focusAreaId: string;
  commitmentId: string;
  signatoryId: string;
  ownPartyId: string;
  /** A viewer in the own party, for the user-management routes. */
  userId: string;
  policePartyId: string;
  /** A version of a pledge of the same two parties: awaiting signatures (draft) or signed. */
  versionId: string;
  /** An indicator of the own party, linked to the pledge's first focus area. */
  indicatorId: string;
  indicatorLinkId: string;
  /** An activity update on the municipality-owned activity. */
  updateId: string;
}

interface Case {
  method: 'GET' | 'POST';
  /** The route as registered, to prove the table covers every admin route. */
  route: string;
  /** May create what the request consumes (a removal needs a fresh row per actor). */
  url: (f: Fixture, s: TestApp) => string | Promise<string>;
  /** For POST: the page whose form supplies the CSRF token, and a valid body built from current data. */
  formUrl?: (f: Fixture) => string;
  /** An array value is a repeated field, as a group of checkboxes posts it. */
  body?: (f: Fixture, s: TestApp) => Promise<Record<string, string | string[]>>;
  /**
   * The status of success when it is not 200 (GET) or 303 (POST), e.g. a POST that answers with a
   * preview page; per pledge state when permitted actors meet a state refusal there (409).
   */
  ok?: number | { draft: number; signed: number };
  /** Posted as multipart/form-data with this file after the fields, as an upload form does. */
  upload?: { name: string; filename: string; content: string };
  allowed: { draft: ActorKey[]; signed: ActorKey[] };
}

const pledgeVersion = async (f: Fixture, s: TestApp) => String((await findPledgeRow(s.t.db, f.pledgeId))!.version);
const activityVersion = async (f: Fixture, s: TestApp) => String((await findActivityWithPledge(s.t.db, f.activityId))!.version);

const editors = { draft: members(['admin', 'editor']), signed: [] as ActorKey[] };
const ownEditors = { draft: ownOnly(['admin', 'editor']), signed: [] as ActorKey[] };
const section = (kind: 'focus_area' | 'commitment') => ({ version: async (f: Fixture, s: TestApp) => String((await findSection(s.t.db, kind, kind === 'focus_area' ? f.focusAreaId : f.commitmentId))!.version) });
const form = () => '/glomt-losenord';

const structureCases: Case[] = [
  { method: 'GET', route: '/admin/loften/:id/fokusomraden/ny', url: (f) => `/admin/loften/${f.pledgeId}/fokusomraden/ny`, allowed: editors },
  { method: 'POST', route: '/admin/loften/:id/fokusomraden/ny', url: (f) => `/admin/loften/${f.pledgeId}/fokusomraden/ny`, formUrl: form, body: async () => ({ title: 'Nytt område' }), allowed: editors },
  { method: 'GET', route: '/admin/fokusomraden/:id', url: (f) => `/admin/fokusomraden/${f.focusAreaId}`, allowed: editors },
  { method: 'POST', route: '/admin/fokusomraden/:id', url: (f) => `/admin/fokusomraden/${f.focusAreaId}`, formUrl: form, body: async (f, s) => ({ version: await section('focus_area').version(f, s), title: 'Omdöpt' }), allowed: editors },
  { method: 'POST', route: '/admin/fokusomraden/:id/flytta', url: (f) => `/admin/fokusomraden/${f.focusAreaId}/flytta`, formUrl: form, body: async () => ({ direction: 'down' }), allowed: editors },
  { method: 'POST', route: '/admin/fokusomraden/:id/ta-bort', url: (f) => `/admin/fokusomraden/${f.focusAreaId}/ta-bort`, formUrl: form, body: async () => ({}), allowed: editors },
  { method: 'GET', route: '/admin/fokusomraden/:id/atagande/ny', url: (f) => `/admin/fokusomraden/${f.focusAreaId}/atagande/ny`, allowed: editors },
  { method: 'POST', route: '/admin/fokusomraden/:id/atagande/ny', url: (f) => `/admin/fokusomraden/${f.focusAreaId}/atagande/ny`, formUrl: form, body: async () => ({ title: 'Nytt löfte' }), allowed: editors },
  { method: 'GET', route: '/admin/atagande/:id', url: (f) => `/admin/atagande/${f.commitmentId}`, allowed: editors },
  { method: 'POST', route: '/admin/atagande/:id', url: (f) => `/admin/atagande/${f.commitmentId}`, formUrl: form, body: async (f, s) => ({ version: await section('commitment').version(f, s), title: 'Omdöpt löfte' }), allowed: editors },
  { method: 'POST', route: '/admin/atagande/:id/flytta', url: (f) => `/admin/atagande/${f.commitmentId}/flytta`, formUrl: form, body: async () => ({ direction: 'up' }), allowed: editors },
  { method: 'POST', route: '/admin/atagande/:id/ta-bort', url: (f) => `/admin/atagande/${f.commitmentId}/ta-bort`, formUrl: form, body: async () => ({}), allowed: editors },
  // Either party's editors may open the form (each adds activities it owns); only the owner may add one for the municipality.
  { method: 'GET', route: '/admin/atagande/:id/aktiviteter/ny', url: (f) => `/admin/atagande/${f.commitmentId}/aktiviteter/ny`, allowed: editors },
  { method: 'POST', route: '/admin/atagande/:id/aktiviteter/ny', url: (f) => `/admin/atagande/${f.commitmentId}/aktiviteter/ny`, formUrl: form, body: async (f) => ({ ownerPartyId: f.ownPartyId, description: 'Ny aktivitet' }), allowed: ownEditors },
  {
    method: 'POST',
    route: '/admin/aktiviteter/:id/ta-bort',
    url: async (f, s) => {
      const id = randomUUID();
      await insertActivity(s.t.db, { id, commitmentId: f.commitmentId, ownerPartyId: f.ownPartyId, description: 'Att ta bort' });
      return `/admin/aktiviteter/${id}/ta-bort`;
    },
    formUrl: form,
    body: async () => ({}),
    allowed: ownEditors,
  },
  { method: 'GET', route: '/admin/loften/:id/undertecknare/ny', url: (f) => `/admin/loften/${f.pledgeId}/undertecknare/ny`, allowed: editors },
  { method: 'POST', route: '/admin/loften/:id/undertecknare/ny', url: (f) => `/admin/loften/${f.pledgeId}/undertecknare/ny`, formUrl: form, body: async (f) => ({ partyId: f.ownPartyId, name: 'Ny Person', roleTitle: 'Kommundirektör' }), allowed: editors },
  { method: 'GET', route: '/admin/undertecknare/:id', url: (f) => `/admin/undertecknare/${f.signatoryId}`, allowed: editors },
  {
    method: 'POST',
    route: '/admin/undertecknare/:id',
    url: (f) => `/admin/undertecknare/${f.signatoryId}`,
    formUrl: form,
    body: async (f, s) => ({ version: String((await findSignatory(s.t.db, f.signatoryId))!.version), partyId: f.ownPartyId, name: 'Omdöpt Person', roleTitle: 'Kommundirektör' }),
    allowed: editors,
  },
  {
    method: 'POST',
    route: '/admin/undertecknare/:id/ta-bort',
    url: async (f, s) => {
      const id = randomUUID();
      await insertSignatory(s.t.db, { id, pledgeId: f.pledgeId, partyId: f.ownPartyId, name: 'Att ta bort', roleTitle: 'Kommundirektör', userId: null });
      return `/admin/undertecknare/${id}/ta-bort`;
    },
    formUrl: form,
    body: async () => ({}),
    allowed: editors,
  },
];

/** Editors and admins of any party: who may start a pledge (with their own party in it). */
const starters: ActorKey[] = ['super', ...(['admin', 'editor'] as Role[]).flatMap((r) => (['own', 'police', 'other'] as Scope[]).map((sc) => `${r}@${sc}` as ActorKey))];
const partyAdmins: ActorKey[] = ['super', 'admin@own', 'admin@police', 'admin@other'];
const ownPartyAdmin: ActorKey[] = ['super', 'admin@own'];
const partyVersion = async (f: Fixture, s: TestApp) => String((await findPartyRow(s.t.db, f.ownPartyId))!.version);
let partySeq = 0;

const partyAndStartCases: Case[] = [
  // Parties: the operator creates them; a party's admins see and edit their own (name, county, website).
  { method: 'GET', route: '/admin/parter', url: () => '/admin/parter', allowed: { draft: partyAdmins, signed: partyAdmins } },
  { method: 'GET', route: '/admin/parter/ny', url: () => '/admin/parter/ny', allowed: { draft: ['super'], signed: ['super'] } },
  {
    method: 'POST',
    route: '/admin/parter/ny',
    url: () => '/admin/parter/ny',
    formUrl: form,
    body: async () => ({ kind: 'partner', name: 'Matrispart', slug: `matrispart-${++partySeq}`, municipalityCode: '', county: '', websiteUrl: '' }),
    allowed: { draft: ['super'], signed: ['super'] },
  },
  { method: 'GET', route: '/admin/parter/:id', url: (f) => `/admin/parter/${f.ownPartyId}`, allowed: { draft: ownPartyAdmin, signed: ownPartyAdmin } },
  {
    method: 'POST',
    route: '/admin/parter/:id',
    url: (f) => `/admin/parter/${f.ownPartyId}`,
    formUrl: form,
    body: async (f, s) => ({ version: await partyVersion(f, s), name: 'Matriskommun', county: 'Matrislän', websiteUrl: '' }),
    allowed: { draft: ownPartyAdmin, signed: ownPartyAdmin },
  },
  // Single sign-on settings: the party's own admins and the operator.
  { method: 'GET', route: '/admin/parter/:partyId/sso', url: (f) => `/admin/parter/${f.ownPartyId}/sso`, allowed: { draft: ownPartyAdmin, signed: ownPartyAdmin } },
  {
    method: 'POST',
    route: '/admin/parter/:partyId/sso',
    url: (f) => `/admin/parter/${f.ownPartyId}/sso`,
    formUrl: form,
    body: async (f, s) => {
      const row = await s.t.db.selectFrom('party_sso').select('version').where('party_id', '=', f.ownPartyId).executeTakeFirst();
      return { version: row ? String(row.version) : '', issuerUrl: 'https://login.example.se/realms/kommun', clientId: 'loften', clientSecret: 'hemlis', defaultRole: 'viewer', emailDomains: 'example.se', roleClaim: '', enabled: '1' };
    },
    allowed: { draft: ownPartyAdmin, signed: ownPartyAdmin },
  },
  // Embed settings (allow-list, look): the party's own admins and the operator.
  { method: 'GET', route: '/admin/parter/:id/inbaddning', url: (f) => `/admin/parter/${f.ownPartyId}/inbaddning`, allowed: { draft: ownPartyAdmin, signed: ownPartyAdmin } },
  {
    method: 'POST',
    route: '/admin/parter/:id/inbaddning',
    url: (f) => `/admin/parter/${f.ownPartyId}/inbaddning`,
    formUrl: form,
    body: async (f, s) => ({ version: await partyVersion(f, s), embedOrigins: 'https://www.matriskommun.se', accentColor: '#0b4fb3', logoUrl: '', headingLevel: '3' }),
    allowed: { draft: ownPartyAdmin, signed: ownPartyAdmin },
  },
  // Users and the outbox: a party's admins manage their own party's users; the operator everyone's.
  { method: 'GET', route: '/admin/anvandare', url: () => '/admin/anvandare', allowed: { draft: partyAdmins, signed: partyAdmins } },
  { method: 'GET', route: '/admin/anvandare/ny', url: () => '/admin/anvandare/ny', allowed: { draft: partyAdmins, signed: partyAdmins } },
  {
    method: 'POST',
    route: '/admin/anvandare/ny',
    url: () => '/admin/anvandare/ny',
    formUrl: form,
    body: async (f) => ({ email: `ny${++partySeq}.${Date.now()}@example.se`, name: 'Ny Användare', partyId: f.ownPartyId, role: 'viewer' }),
    allowed: { draft: ownPartyAdmin, signed: ownPartyAdmin },
  },
  { method: 'GET', route: '/admin/anvandare/:id', url: (f) => `/admin/anvandare/${f.userId}`, allowed: { draft: ownPartyAdmin, signed: ownPartyAdmin } },
  {
    method: 'POST',
    route: '/admin/anvandare/:id',
    url: (f) => `/admin/anvandare/${f.userId}`,
    formUrl: form,
    body: async (f, s) => ({ atgard: 'spara', version: String((await s.t.db.selectFrom('app_user').select('version').where('id', '=', f.userId).executeTakeFirstOrThrow()).version), name: 'Omdöpt Användare', role: 'viewer' }),
    allowed: { draft: ownPartyAdmin, signed: ownPartyAdmin },
  },
  { method: 'GET', route: '/admin/utkorg', url: () => '/admin/utkorg', allowed: { draft: partyAdmins, signed: partyAdmins } },
  // Starting a pledge: any party's editors and admins may open the form; the posted parties must include their own.
  { method: 'GET', route: '/admin/loften/ny', url: () => '/admin/loften/ny', allowed: { draft: starters, signed: starters } },
  {
    method: 'POST',
    route: '/admin/loften/ny',
    url: () => '/admin/loften/ny',
    formUrl: form,
    // The fixture pledge's two parties: `other` is not among them (the real form always adds the actor's own).
    body: async (f, s) => ({ title: 'Matrisutkast', startsOn: '2030-01-01', endsOn: '2030-12-31', background: '', partyIds: [...(await loadPledgeRef(s.t.db, f.pledgeId))!.partyIds] }),
    allowed: { draft: members(['admin', 'editor']), signed: members(['admin', 'editor']) },
  },
  // Copying into a new period: editors and admins of the source's parties, whatever the source's state.
  { method: 'GET', route: '/admin/loften/:id/kopiera', url: (f) => `/admin/loften/${f.pledgeId}/kopiera`, allowed: { draft: members(['admin', 'editor']), signed: members(['admin', 'editor']) } },
  {
    method: 'POST',
    route: '/admin/loften/:id/kopiera',
    url: (f) => `/admin/loften/${f.pledgeId}/kopiera`,
    formUrl: form,
    body: async () => ({ title: 'Matriskopia', startsOn: '2026-01-01', endsOn: '2027-12-31' }),
    allowed: { draft: members(['admin', 'editor']), signed: members(['admin', 'editor']) },
  },
];

let readySeq = 0;
/** A draft of the fixture's two parties that is ready to freeze: each signatory has an account of its party. */
async function readyDraft(f: Fixture, s: TestApp): Promise<string> {
  const n = ++readySeq;
  const signer = async (partyId: string) =>
    (await createUser(s.t.db, { email: `signer${n}.${partyId.slice(0, 8)}@example.se`, name: `Signerare ${n}`, partyId, role: 'viewer' }, null, { actorLabel: 'test' })).id;
  const input = pledgeInput({ id: f.ownPartyId } as Party, { id: f.policePartyId } as Party, { state: 'draft', title: `Redo ${n}`, startsOn: `${2040 + n}-01-01`, endsOn: `${2040 + n}-12-31` });
  const pledge = await createPledge(s.t.db, input);
  for (const sig of pledge.signatories) await s.t.db.updateTable('signatory').set({ user_id: await signer(sig.partyId) }).where('id', '=', sig.id).execute();
  return pledge.id;
}
const operator = { userId: randomUUID(), name: 'Matris', email: 'matris@example.se', partyId: null, role: null, isSuperadmin: true };
async function frozenVersion(f: Fixture, s: TestApp): Promise<string> {
  return (await freezeForSigning({ db: s.t.db, clock: () => new Date() }, operator, await readyDraft(f, s))).id;
}
async function signedPledge(f: Fixture, s: TestApp): Promise<string> {
  const n = ++readySeq;
  const input = pledgeInput({ id: f.ownPartyId } as Party, { id: f.policePartyId } as Party, { state: 'signed', title: `Undertecknat ${n}`, startsOn: `${2040 + n}-01-01`, endsOn: `${2040 + n}-12-31` });
  return (await createPledge(s.t.db, input)).id;
}
const signingManagers = { draft: members(['admin', 'editor']), signed: members(['admin', 'editor']) };

const signingCases: Case[] = [
  { method: 'GET', route: '/admin/loften/:id/undertecknande', url: (f) => `/admin/loften/${f.pledgeId}/undertecknande`, allowed: { draft: members(ROLES), signed: members(ROLES) } },
  // Freezing and amending change the workflow state, so each actor gets a pledge of its own in the right state.
  { method: 'POST', route: '/admin/loften/:id/las', url: async (f, s) => `/admin/loften/${await readyDraft(f, s)}/las`, formUrl: form, body: async () => ({}), allowed: signingManagers },
  { method: 'POST', route: '/admin/loften/:id/andra', url: async (f, s) => `/admin/loften/${await signedPledge(f, s)}/andra`, formUrl: form, body: async () => ({}), allowed: signingManagers },
  { method: 'GET', route: '/admin/versioner/:id', url: (f) => `/admin/versioner/${f.versionId}`, allowed: { draft: members(ROLES), signed: members(ROLES) } },
  // Only the person designated for a signatory signs; none of the matrix actors is one (the signing test covers who is).
  {
    method: 'POST',
    route: '/admin/versioner/:id/underteckna',
    url: (f) => `/admin/versioner/${f.versionId}/underteckna`,
    formUrl: form,
    body: async (f, s) => ({ confirm: 'yes', contentHash: (await findVersion(s.t.db, f.versionId))!.contentHash, password: 'vad som helst' }),
    allowed: { draft: [], signed: [] },
  },
  { method: 'POST', route: '/admin/versioner/:id/dra-tillbaka', url: async (f, s) => `/admin/versioner/${await frozenVersion(f, s)}/dra-tillbaka`, formUrl: form, body: async () => ({}), allowed: signingManagers },
  {
    method: 'POST',
    route: '/admin/versioner/:id/mote',
    url: (f) => `/admin/versioner/${f.versionId}/mote`,
    formUrl: form,
    body: async (f, s) => ({ version: String((await findVersion(s.t.db, f.versionId))!.rowVersion), on: '2026-11-20', kind: 'physical', note: '' }),
    allowed: signingManagers,
  },
];

/** Who may import into a party's indicators: its admins, editors and reporters (the form: any party's). */
const importers: ActorKey[] = ['super', ...(['admin', 'editor', 'reporter'] as Role[]).flatMap((r) => (['own', 'police', 'other'] as Scope[]).map((sc) => `${r}@${sc}` as ActorKey))];
const indicatorVersion = async (f: Fixture, s: TestApp) => String((await s.t.db.selectFrom('indicator').select('version').where('id', '=', f.indicatorId).executeTakeFirstOrThrow()).version);
/** A new empty focus area in the fixture's pledge, so each allowed actor has a place of its own to link to. */
async function freshFocusArea(f: Fixture, s: TestApp): Promise<string> {
  const id = randomUUID();
  await insertSection(s.t.db, 'focus_area', { id, parentId: f.pledgeId, title: `Matrisområde ${++partySeq}`, description: '' });
  return id;
}
const indicatorCsv = 'indicator;period;value\nmatris-otrygghet;2023;19\n';

const indicatorCases: Case[] = [
  // The list: every signed-in user sees their own party's indicators (the operator all of them).
  { method: 'GET', route: '/admin/indikatorer', url: () => '/admin/indikatorer', allowed: { draft: signedIn, signed: signedIn } },
  // Defining indicators: a party's editors and admins, for their own party only.
  { method: 'GET', route: '/admin/indikatorer/ny', url: () => '/admin/indikatorer/ny', allowed: { draft: starters, signed: starters } },
  {
    method: 'POST',
    route: '/admin/indikatorer/ny',
    url: () => '/admin/indikatorer/ny',
    formUrl: form,
    body: async (f) => ({ partyId: f.ownPartyId, code: `matris-${++partySeq}`, name: 'Matrisindikator', unit: 'count', direction: 'down', source: 'local', level: 'municipality', reportingLagMonths: '0' }),
    allowed: { draft: ownOnly(['admin', 'editor']), signed: ownOnly(['admin', 'editor']) },
  },
  { method: 'GET', route: '/admin/indikatorer/:id', url: (f) => `/admin/indikatorer/${f.indicatorId}`, allowed: { draft: ownOnly(ROLES), signed: ownOnly(ROLES) } },
  {
    method: 'POST',
    route: '/admin/indikatorer/:id',
    url: (f) => `/admin/indikatorer/${f.indicatorId}`,
    formUrl: form,
    body: async (f, s) => ({ version: await indicatorVersion(f, s), code: 'matris-otrygghet', name: 'Andelen som känner sig otrygga', unit: 'percent', direction: 'down', source: 'trygghetsmatning', level: 'municipality', reportingLagMonths: '3' }),
    allowed: { draft: ownOnly(['admin', 'editor']), signed: ownOnly(['admin', 'editor']) },
  },
  { method: 'GET', route: '/admin/indikatorer/:id/historik', url: (f) => `/admin/indikatorer/${f.indicatorId}/historik`, allowed: { draft: ownOnly(ROLES), signed: ownOnly(ROLES) } },
  // Linking: the indicator's party's editors, to pledges that party is in; signed ones too (outcomes are follow-up).
  { method: 'GET', route: '/admin/indikatorer/:id/kopplingar/ny', url: (f) => `/admin/indikatorer/${f.indicatorId}/kopplingar/ny`, allowed: { draft: ownOnly(['admin', 'editor']), signed: ownOnly(['admin', 'editor']) } },
  {
    method: 'POST',
    route: '/admin/indikatorer/:id/kopplingar/ny',
    url: (f) => `/admin/indikatorer/${f.indicatorId}/kopplingar/ny`,
    formUrl: form,
    body: async (f, s) => ({ place: `fa:${await freshFocusArea(f, s)}`, baselineValue: '24', baselineYear: '2021', targetValue: '18', targetYear: '2025' }),
    allowed: { draft: ownOnly(['admin', 'editor']), signed: ownOnly(['admin', 'editor']) },
  },
  { method: 'GET', route: '/admin/indikatorkopplingar/:id', url: (f) => `/admin/indikatorkopplingar/${f.indicatorLinkId}`, allowed: { draft: ownOnly(['admin', 'editor']), signed: ownOnly(['admin', 'editor']) } },
  {
    method: 'POST',
    route: '/admin/indikatorkopplingar/:id',
    url: (f) => `/admin/indikatorkopplingar/${f.indicatorLinkId}`,
    formUrl: form,
    body: async (f, s) => ({
      version: String((await s.t.db.selectFrom('indicator_link').select('version').where('id', '=', f.indicatorLinkId).executeTakeFirstOrThrow()).version),
      baselineValue: '24',
      baselineYear: '2021',
      targetValue: '17',
      targetYear: '2025',
    }),
    allowed: { draft: ownOnly(['admin', 'editor']), signed: ownOnly(['admin', 'editor']) },
  },
  {
    method: 'POST',
    route: '/admin/indikatorkopplingar/:id/ta-bort',
    url: async (f, s) => {
      const id = randomUUID();
      const now = new Date().toISOString();
      await insertLink(s.t.db, { id, indicator_id: f.indicatorId, focus_area_id: await freshFocusArea(f, s), commitment_id: null, baseline_value: null, baseline_year: null, target_value: null, target_year: null }, now);
      return `/admin/indikatorkopplingar/${id}/ta-bort`;
    },
    formUrl: form,
    body: async () => ({}),
    allowed: { draft: ownOnly(['admin', 'editor']), signed: ownOnly(['admin', 'editor']) },
  },
  // Importing values: a party's admins, editors and reporters, into their own party's indicators.
  { method: 'GET', route: '/admin/indikatorer/import', url: () => '/admin/indikatorer/import', allowed: { draft: importers, signed: importers } },
  {
    method: 'POST',
    route: '/admin/indikatorer/import',
    url: () => '/admin/indikatorer/import',
    formUrl: form,
    body: async (f) => ({ partyId: f.ownPartyId, format: 'csv' }),
    upload: { name: 'file', filename: 'matris.csv', content: indicatorCsv },
    ok: 200,
    allowed: { draft: ownOnly(['admin', 'editor', 'reporter']), signed: ownOnly(['admin', 'editor', 'reporter']) },
  },
  {
    method: 'POST',
    route: '/admin/indikatorer/import/spara',
    url: () => '/admin/indikatorer/import/spara',
    formUrl: form,
    body: async (f) => ({ partyId: f.ownPartyId, format: 'csv', fileName: 'matris.csv', content: indicatorCsv }),
    allowed: { draft: ownOnly(['admin', 'editor', 'reporter']), signed: ownOnly(['admin', 'editor', 'reporter']) },
  },
];

// Wastewater results belong to the municipality that owns the sampling sites, whatever the pledge's
// state: its members read them (even districts too small to publish), its editors and admins
// import, its admins decide what is published. The police and other parties see nothing.
const wwCsv = 'site_code;district;population;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l\nM1;Matris;5000;2024-04-02;1500;amfetamin;300;5\n';
const wwSites = new Map<string, string>();
async function wastewaterSite(f: Fixture, s: TestApp): Promise<string> {
  if (!wwSites.has(f.ownPartyId)) {
    const id = randomUUID();
    await insertSite(s.t.db, { id, partyId: f.ownPartyId, code: 'M0', name: 'Matrisverket', district: 'Matris', population: 5000, isDemo: false }, new Date().toISOString());
    wwSites.set(f.ownPartyId, id);
  }
  return wwSites.get(f.ownPartyId)!;
}
/** A read import waiting for its confirmation: a fresh one each call, as saving or cancelling uses it up. */
async function readyImport(f: Fixture, s: TestApp): Promise<string> {
  const deps = { db: s.t.db, clock: () => new Date() };
  const id = await startImport(deps, { partyId: f.ownPartyId, filename: 'matris.csv', source: 'cli', actor: null, actorLabel: 'matris' });
  await readImport(deps, id, wwCsv);
  return id;
}
const wwImports = new Map<string, string>();
const readers = { draft: ownOnly(ROLES), signed: ownOnly(ROLES) };
const wwImporters = { draft: ownOnly(['admin', 'editor']), signed: ownOnly(['admin', 'editor']) };
const configurers = { draft: ownOnly(['admin']), signed: ownOnly(['admin']) };

const wastewaterCases: Case[] = [
  { method: 'GET', route: '/admin/avloppsvatten', url: () => '/admin/avloppsvatten', allowed: { draft: signedIn, signed: signedIn } },
  { method: 'GET', route: '/admin/avloppsvatten/:partyId', url: (f) => `/admin/avloppsvatten/${f.ownPartyId}`, allowed: readers },
  { method: 'GET', route: '/admin/avloppsvatten/:partyId/data.csv', url: (f) => `/admin/avloppsvatten/${f.ownPartyId}/data.csv`, allowed: readers },
  { method: 'GET', route: '/admin/avloppsvatten/:partyId/data.json', url: (f) => `/admin/avloppsvatten/${f.ownPartyId}/data.json`, allowed: readers },
  { method: 'GET', route: '/admin/avloppsvatten/:partyId/import', url: (f) => `/admin/avloppsvatten/${f.ownPartyId}/import`, allowed: wwImporters },
  {
    method: 'POST',
    route: '/admin/avloppsvatten/:partyId/import',
    url: (f) => `/admin/avloppsvatten/${f.ownPartyId}/import`,
    formUrl: form,
    body: async () => ({}),
    upload: { name: 'file', filename: 'matris.csv', content: wwCsv },
    allowed: wwImporters,
  },
  {
    method: 'GET',
    route: '/admin/avloppsvatten/import/:id',
    url: async (f, s) => {
      if (!wwImports.has(f.ownPartyId)) wwImports.set(f.ownPartyId, await readyImport(f, s));
      return `/admin/avloppsvatten/import/${wwImports.get(f.ownPartyId)}`;
    },
    allowed: readers,
  },
  { method: 'POST', route: '/admin/avloppsvatten/import/:id/spara', url: async (f, s) => `/admin/avloppsvatten/import/${await readyImport(f, s)}/spara`, formUrl: form, body: async () => ({}), allowed: wwImporters },
  { method: 'POST', route: '/admin/avloppsvatten/import/:id/avbryt', url: async (f, s) => `/admin/avloppsvatten/import/${await readyImport(f, s)}/avbryt`, formUrl: form, body: async () => ({}), allowed: wwImporters },
  { method: 'GET', route: '/admin/avloppsvatten/:partyId/installningar', url: (f) => `/admin/avloppsvatten/${f.ownPartyId}/installningar`, allowed: configurers },
  {
    method: 'POST',
    route: '/admin/avloppsvatten/:partyId/installningar',
    url: (f) => `/admin/avloppsvatten/${f.ownPartyId}/installningar`,
    formUrl: form,
    body: async (f, s) => {
      const row = await s.t.db.selectFrom('wastewater_settings').select('version').where('party_id', '=', f.ownPartyId).executeTakeFirst();
      return { version: String(row?.version ?? 0), publicationThreshold: '2500', correctionSet: 'refined' };
    },
    allowed: configurers,
  },
  { method: 'GET', route: '/admin/avloppsvatten/matpunkter/:id', url: async (f, s) => `/admin/avloppsvatten/matpunkter/${await wastewaterSite(f, s)}`, allowed: configurers },
  {
    method: 'POST',
    route: '/admin/avloppsvatten/matpunkter/:id',
    url: async (f, s) => `/admin/avloppsvatten/matpunkter/${await wastewaterSite(f, s)}`,
    formUrl: form,
    body: async (f, s) => {
      const site = (await listSites(s.t.db, f.ownPartyId)).find((x) => x.code === 'M0')!;
      return { version: String(site.version), name: 'Matrisverket', district: 'Matris', published: '1' };
    },
    allowed: configurers,
  },
];

// Brå meetings: every member reads them; admins and editors of either party manage them. A
// meeting of a pledge without a signed version cannot be closed, nor a year-end report made: there
// permitted actors get past the policy and meet that refusal (409).
const asTest = { actor: null, label: 'test' };
const meetingDeps = (s: TestApp) => ({ db: s.t.db, clock: () => new Date('2026-11-27T12:00:00Z') });
let meetingSeq = 0;
let yearEndSeq = 0;
/** A fresh planned meeting of the fixture's pledge, each on a later day (closing needs a later day than any closed one). */
const freshMeeting = async (f: Fixture, s: TestApp) => {
  meetingSeq++;
  const day = new Date(Date.UTC(2025, 0, meetingSeq)).toISOString().slice(0, 10);
  return (await scheduleMeeting(meetingDeps(s), asTest, f.pledgeId, { heldOn: day })).id;
};
const standingMeeting = new Map<string, string>();
const meetingOf = async (f: Fixture, s: TestApp) => {
  if (!standingMeeting.has(f.pledgeId)) standingMeeting.set(f.pledgeId, await freshMeeting(f, s));
  return standingMeeting.get(f.pledgeId)!;
};
let partId = '';
let yearEndYear = 0;
const meetingManagers = { draft: members(['admin', 'editor']), signed: members(['admin', 'editor']) };
const meetingCases: Case[] = [
  { method: 'GET', route: '/admin/loften/:id/moten', url: (f) => `/admin/loften/${f.pledgeId}/moten`, allowed: { draft: members(ROLES), signed: members(ROLES) } },
  { method: 'POST', route: '/admin/loften/:id/moten', url: (f) => `/admin/loften/${f.pledgeId}/moten`, formUrl: form, body: async () => ({ heldOn: '2025-03-11', location: 'Stadshuset' }), allowed: meetingManagers },
  { method: 'POST', route: '/admin/loften/:id/moten/ar', url: (f) => `/admin/loften/${f.pledgeId}/moten/ar`, formUrl: form, body: async () => ({ planYear: '2025', month1: '4', month2: '9', month3: '12' }), allowed: meetingManagers },
  {
    method: 'POST',
    route: '/admin/loften/:id/arsrapport',
    // A fresh pledge of the same parties for each attempt (one year-end report per year), in a year long past.
    url: async (f, s) => {
      const n = ++yearEndSeq;
      yearEndYear = 1900 + n;
      const state = (await loadPledgeRef(s.t.db, f.pledgeId))!.state === 'signed' ? 'signed' : 'draft';
      const input = pledgeInput({ id: f.ownPartyId } as Party, { id: f.policePartyId } as Party, { state, title: `Årsrapport ${n}`, startsOn: `${1900 + n}-01-01`, endsOn: `${1900 + n}-12-31` });
      const p = await createPledge(s.t.db, input);
      return `/admin/loften/${p.id}/arsrapport`;
    },
    formUrl: form,
    body: async () => ({ reportYear: String(yearEndYear) }),
    ok: { draft: 409, signed: 303 },
    allowed: meetingManagers,
  },
  { method: 'GET', route: '/admin/moten/:id', url: async (f, s) => `/admin/moten/${await meetingOf(f, s)}`, allowed: { draft: members(ROLES), signed: members(ROLES) } },
  { method: 'GET', route: '/admin/moten/:id/dagordning', url: async (f, s) => `/admin/moten/${await meetingOf(f, s)}/dagordning`, allowed: { draft: members(ROLES), signed: members(ROLES) } },
  { method: 'POST', route: '/admin/moten/:id', url: async (f, s) => `/admin/moten/${await freshMeeting(f, s)}`, formUrl: form, body: async () => ({ version: '1', heldOn: '2025-06-10', title: 'Omdöpt möte' }), allowed: meetingManagers },
  { method: 'POST', route: '/admin/moten/:id/protokoll', url: async (f, s) => `/admin/moten/${await freshMeeting(f, s)}/protokoll`, formUrl: form, body: async () => ({ version: '1', minutes: 'Matrisens protokoll' }), allowed: meetingManagers },
  { method: 'POST', route: '/admin/moten/:id/deltagare', url: async (f, s) => `/admin/moten/${await meetingOf(f, s)}/deltagare`, formUrl: form, body: async () => ({ organisation: 'Polisen', name: 'Matris Person' }), allowed: meetingManagers },
  {
    method: 'POST',
    route: '/admin/moten/:id/deltagare/ta-bort',
    url: async (f, s) => {
      const id = await meetingOf(f, s);
      await addAttendee(meetingDeps(s), asTest, id, { organisation: 'Kommunen', name: 'Att ta bort' });
      partId = (await findMeetingWithParts(s.t.db, id))!.attendees.at(-1)!.id;
      return `/admin/moten/${id}/deltagare/ta-bort`;
    },
    formUrl: form,
    body: async () => ({ attendeeId: partId }),
    allowed: meetingManagers,
  },
  { method: 'POST', route: '/admin/moten/:id/beslut', url: async (f, s) => `/admin/moten/${await meetingOf(f, s)}/beslut`, formUrl: form, body: async () => ({ text: 'Matrisens beslut' }), allowed: meetingManagers },
  {
    method: 'POST',
    route: '/admin/moten/:id/beslut/ta-bort',
    url: async (f, s) => {
      const id = await meetingOf(f, s);
      await addDecision(meetingDeps(s), asTest, id, { text: 'Att ta bort' });
      partId = (await findMeetingWithParts(s.t.db, id))!.decisions.at(-1)!.id;
      return `/admin/moten/${id}/beslut/ta-bort`;
    },
    formUrl: form,
    body: async () => ({ decisionId: partId }),
    allowed: meetingManagers,
  },
  { method: 'POST', route: '/admin/moten/:id/stall-in', url: async (f, s) => `/admin/moten/${await freshMeeting(f, s)}/stall-in`, formUrl: form, body: async () => ({ version: '1' }), allowed: meetingManagers },
  { method: 'POST', route: '/admin/moten/:id/stang', url: async (f, s) => `/admin/moten/${await freshMeeting(f, s)}/stang`, formUrl: form, body: async () => ({ version: '1' }), ok: { draft: 409, signed: 303 }, allowed: meetingManagers },
];

const cases: Case[] = [
  ...structureCases,
  ...meetingCases,
  ...signingCases,
  ...partyAndStartCases,
  ...indicatorCases,
  ...wastewaterCases,
  { method: 'GET', route: '/admin', url: () => '/admin', allowed: { draft: signedIn, signed: signedIn } },
  { method: 'GET', route: '/admin/loften', url: () => '/admin/loften', allowed: { draft: signedIn, signed: signedIn } },
  { method: 'GET', route: '/admin/loften/:id', url: (f) => `/admin/loften/${f.pledgeId}`, allowed: { draft: members(ROLES), signed: members(ROLES) } },
  { method: 'GET', route: '/admin/loften/:id/uppgifter', url: (f) => `/admin/loften/${f.pledgeId}/uppgifter`, allowed: { draft: members(['admin', 'editor']), signed: [] } },
  {
    method: 'POST',
    route: '/admin/loften/:id/uppgifter',
    url: (f) => `/admin/loften/${f.pledgeId}/uppgifter`,
    formUrl: () => '/glomt-losenord',
    body: async (f, s) => ({ version: await pledgeVersion(f, s), title: 'Matrisrubrik', startsOn: '2024-01-01', endsOn: '2025-12-31', background: '' }),
    allowed: { draft: members(['admin', 'editor']), signed: [] },
  },
  { method: 'GET', route: '/admin/aktiviteter/:id', url: (f) => `/admin/aktiviteter/${f.activityId}`, allowed: { draft: members(ROLES), signed: members(ROLES) } },
  {
    method: 'POST',
    route: '/admin/aktiviteter/:id',
    url: (f) => `/admin/aktiviteter/${f.activityId}`,
    formUrl: () => '/glomt-losenord',
    body: async (f, s) => ({ version: await activityVersion(f, s), description: 'Matrisaktivitet', targetKind: 'none' }),
    allowed: { draft: ownOnly(['admin', 'editor']), signed: [] },
  },
  {
    method: 'POST',
    route: '/admin/aktiviteter/:id/status',
    url: (f) => `/admin/aktiviteter/${f.activityId}/status`,
    formUrl: () => '/glomt-losenord',
    body: async (f, s) => ({ version: await activityVersion(f, s), status: 'in_progress', statusReason: 'Matrisen rapporterar' }),
    allowed: { draft: ownOnly(['admin', 'editor', 'reporter']), signed: ownOnly(['admin', 'editor', 'reporter']) },
  },
  // Follow-up: the report on its own page is for every member; the other party (here the police) responds to it.
  { method: 'GET', route: '/admin/aktivitetsrapporter/:id', url: (f) => `/admin/aktivitetsrapporter/${f.updateId}`, allowed: { draft: members(ROLES), signed: members(ROLES) } },
  {
    method: 'POST',
    route: '/admin/aktivitetsrapporter/:id/svar',
    url: (f) => `/admin/aktivitetsrapporter/${f.updateId}/svar`,
    formUrl: () => '/glomt-losenord',
    body: async () => ({ kind: 'comment', comment: 'Matrisen kommenterar' }),
    allowed: { draft: ['admin@police', 'editor@police', 'reporter@police'], signed: ['admin@police', 'editor@police', 'reporter@police'] },
  },
  { method: 'GET', route: '/admin/historik/:type/:id', url: (f) => `/admin/historik/pledge/${f.pledgeId}`, allowed: { draft: members(ROLES), signed: members(ROLES) } },
];

for (const target of targets) {
  describe.skipIf(target.skip)(`permission matrix on ${target.name}`, () => {
    let s: TestApp;
    const fixtures: Record<'draft' | 'signed', Fixture> = {} as never;
    const cookies = new Map<ActorKey, string>();

    beforeAll(async () => {
      s = await openApp(target, { demo: false });
      const draft = await buildPledge(s.t.db, { state: 'draft' });
      const signed = await buildPledge(s.t.db, { state: 'signed' });
      const other = await buildMunicipality(s.t.db);
      // The municipality-owned activity is the second in the factory's pledge.
      const viewerIn = async (partyId: string) => (await signedInAs(s.t.db, { role: 'viewer', partyId })).user.id;
      const draftUser = await viewerIn(draft.municipality.id);
      const signedUser = await viewerIn(signed.municipality.id);
      const deps = { db: s.t.db, clock: () => new Date() };
      const indicatorFor = async (b: typeof draft) => {
        const ind = await defineIndicator(deps, { partyId: b.municipality.id, code: 'matris-otrygghet', name: 'Andelen som känner sig otrygga', unit: 'percent', direction: 'down', source: 'trygghetsmatning', level: 'municipality' }, { actor: null, label: 'test' });
        const linkId = await linkIndicator(deps, null, ind.id, { place: `fa:${b.pledge.focusAreas[0]!.id}`, baselineValue: '24', baselineYear: '2021', targetValue: '18', targetYear: '2025' }, { actor: null, label: 'test' });
        return { indicatorId: ind.id, indicatorLinkId: linkId };
      };
      const draftIndicator = await indicatorFor(draft);
      const signedIndicator = await indicatorFor(signed);
      const fixture = (b: typeof draft, versionId: string): Fixture => ({
        ...(b === draft ? draftIndicator : signedIndicator),
        versionId,
        updateId: '',
        policePartyId: b.police.id,
        userId: b === draft ? draftUser : signedUser,
        pledgeId: b.pledge.id,
        activityId: b.pledge.focusAreas[0]!.commitments[0]!.activities[1]!.id,
        focusAreaId: b.pledge.focusAreas[0]!.id,
        commitmentId: b.pledge.focusAreas[0]!.commitments[0]!.id,
        signatoryId: b.pledge.signatories[1]!.id,
        ownPartyId: b.municipality.id,
      });
      fixtures.signed = fixture(signed, (await findSignedVersion(s.t.db, signed.pledge.id))!.id);
      fixtures.draft = fixture(draft, '');
      fixtures.draft.versionId = await frozenVersion(fixtures.draft, s);
      const reporter = (await signedInAs(s.t.db, { superadmin: true })).user;
      const reportingOperator = { ...operator, userId: reporter.id };
      for (const f of [fixtures.draft, fixtures.signed]) {
        const row = (await findActivityWithPledge(s.t.db, f.activityId))!;
        f.updateId = (await reportActivityUpdate({ db: s.t.db, clock: () => new Date() }, reportingOperator, f.activityId, { version: String(row.version), status: 'planned', narrative: 'Matrisens rapport' })).id;
      }
      // One set of users for both pledges: make the signed pledge's parties the same people by
      // giving each user membership of the draft's parties and checking the signed pledge with its own.
      cookies.set('super', (await signedInAs(s.t.db, { superadmin: true })).cookie);
      for (const role of ROLES) {
        cookies.set(`${role}@other`, (await signedInAs(s.t.db, { role, partyId: other.id })).cookie);
      }
      // Per-pledge users are created lazily below, since own/police differ between the two pledges.
      memberships.draft = { own: draft.municipality.id, police: draft.police.id };
      memberships.signed = { own: signed.municipality.id, police: signed.police.id };
    });
    afterAll(async () => s?.close());

    const memberships: Record<'draft' | 'signed', { own: string; police: string }> = {} as never;
    const perPledge = new Map<string, string>();
    async function cookieFor(actor: ActorKey, state: 'draft' | 'signed'): Promise<string> {
      if (actor === 'anon') return '';
      const [role, scope] = actor.split('@') as [Role, Scope | undefined];
      if (!scope || scope === 'other') return cookies.get(actor)!;
      const key = `${actor}/${state}`;
      if (!perPledge.has(key)) perPledge.set(key, (await signedInAs(s.t.db, { role, partyId: memberships[state][scope] })).cookie);
      return perPledge.get(key)!;
    }

    it('covers every admin route', () => {
      const registered = s.app.routeTable.filter((r) => r.url.startsWith('/admin')).map((r) => `${r.method} ${r.url}`);
      const covered = new Set(cases.map((c) => `${c.method} ${c.route}`));
      expect(registered.filter((r) => !covered.has(r))).toEqual([]);
    });

    for (const state of ['draft', 'signed'] as const) {
      for (const c of cases) {
        it(`${c.method} ${c.route} on a ${state} pledge`, async () => {
          const f = fixtures[state];
          const outcome: Record<string, string> = {};
          const expected: Record<string, string> = {};
          for (const actor of ALL) {
            const cookie = await cookieFor(actor, state);
            let status: number;
            const url = await c.url(f, s);
            if (c.method === 'GET') {
              status = (await s.app.inject({ url, headers: cookie ? { cookie } : {} })).statusCode;
            } else {
              const csrf = await csrfFor(s.app, c.formUrl!(f), cookie);
              const multipart = c.upload ? multipartBody({ _csrf: csrf.token, ...((await c.body!(f, s)) as Record<string, string>) }, c.upload) : null;
              const res = await s.app.inject({
                method: 'POST',
                url,
                headers: { cookie: csrf.cookie, 'content-type': multipart ? multipart.contentType : 'application/x-www-form-urlencoded' },
                payload: multipart
                  ? multipart.payload
                  : new URLSearchParams(Object.entries({ ...(await c.body!(f, s)), _csrf: csrf.token }).flatMap(([k, v]) => [v].flat().map((x) => [k, x]))).toString(),
              });
              status = res.statusCode;
            }
            const ok = (typeof c.ok === 'object' ? c.ok[state] : c.ok) ?? (c.method === 'GET' ? 200 : 303);
            const allowed = c.allowed[state].includes(actor);
            outcome[actor] = status === ok ? 'allowed' : String(status);
            expected[actor] = allowed ? 'allowed' : actor === 'anon' ? (c.method === 'GET' ? '303' : '401') : '403';
          }
          expect(outcome).toEqual(expected);
        });
      }
    }
  });
}
