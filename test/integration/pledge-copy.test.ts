import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyOfPledge } from '../../src/features/audit/audit.js';
import { findPledgeRow } from '../../src/features/pledges/editing-repo.js';
import { addMonths, dateShift, followingPeriod, retitle } from '../../src/features/pledges/pledge-copy.js';
import { loadPledgeDocument } from '../../src/features/pledges/pledge-repo.js';
import { createParty, createPledge } from '../../src/features/pledges/pledge-service.js';
import type { Party, PledgeDocument } from '../../src/features/pledges/pledge.js';
import { openApp, type TestApp } from '../support/app.js';
import { csrfFor, postForm, signedInAs, type Session } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';

/** Posts a form whose fields may repeat (a group of checkboxes), the way a browser encodes it. */
async function postRepeated(app: FastifyInstance, formUrl: string, action: string, fields: Record<string, string | string[]>, cookie: string) {
  const c = await csrfFor(app, formUrl, cookie);
  const pairs = Object.entries({ ...fields, _csrf: c.token }).flatMap(([k, v]) => [v].flat().map((x) => [k, x]));
  return app.inject({
    method: 'POST',
    url: action,
    headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(pairs).toString(),
  });
}

const idFrom = (location: unknown) => /^\/admin\/loften\/([0-9a-f-]{36})\?klart=/.exec(String(location))?.[1];

describe('the dates of the following period', () => {
  it('follows whole years and months with the same number of months', () => {
    expect(followingPeriod({ startsOn: '2024-01-01', endsOn: '2025-12-31' })).toEqual({ startsOn: '2026-01-01', endsOn: '2027-12-31' });
    expect(followingPeriod({ startsOn: '2022-01-01', endsOn: '2022-12-31' })).toEqual({ startsOn: '2023-01-01', endsOn: '2023-12-31' });
    expect(followingPeriod({ startsOn: '2023-07-01', endsOn: '2024-06-30' })).toEqual({ startsOn: '2024-07-01', endsOn: '2025-06-30' });
  });

  it('falls back to the same number of days for other periods', () => {
    expect(followingPeriod({ startsOn: '2024-03-15', endsOn: '2024-03-24' })).toEqual({ startsOn: '2024-03-25', endsOn: '2024-04-03' });
  });

  it('moves activity dates as far as the period moved, keeping month ends valid', () => {
    expect(dateShift('2024-01-01', '2026-01-01')('2024-04-01')).toBe('2026-04-01');
    expect(dateShift('2024-01-01', '2025-01-01')('2024-02-29')).toBe('2025-02-28');
    expect(dateShift('2024-01-10', '2024-01-12')('2024-02-28')).toBe('2024-03-01');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
  });

  it('replaces the period named in a title, and leaves other titles alone', () => {
    const from = { startsOn: '2024-01-01', endsOn: '2025-12-31' };
    const to = { startsOn: '2026-01-01', endsOn: '2027-12-31' };
    expect(retitle('Medborgarlöfte Strängnäs 2024–2025', from, to)).toBe('Medborgarlöfte Strängnäs 2026–2027');
    expect(retitle('Medborgarlöfte 2024-2025', from, to)).toBe('Medborgarlöfte 2026-2027');
    expect(retitle('Medborgarlöfte 2022', { startsOn: '2022-01-01', endsOn: '2022-12-31' }, { startsOn: '2023-01-01', endsOn: '2023-12-31' })).toBe('Medborgarlöfte 2023');
    expect(retitle('Trygg i Vingåker', from, to)).toBe('Trygg i Vingåker');
  });
});

for (const target of targets) {
  describe.skipIf(target.skip)(`starting a pledge on ${target.name}`, () => {
    let s: TestApp;
    let municipality: Party;
    let police: Party;
    let partner: Party;
    let otherMunicipality: Party;
    let muniEditor: Session;
    let muniReporter: Session;
    let operator: Session;

    beforeAll(async () => {
      s = await openApp(target, { demo: false });
      municipality = await buildMunicipality(s.t.db, { name: 'Nyköpings kommun', slug: 'nykoping', municipalityCode: '0480' });
      police = await buildPoliceArea(s.t.db, { name: 'Lokalpolisområde Nyköping' });
      partner = await createParty(s.t.db, { kind: 'partner', name: 'Sörmlandskustens räddningstjänst', slug: 'sormlandskusten' });
      otherMunicipality = await buildMunicipality(s.t.db, { name: 'Oxelösunds kommun' });
      muniEditor = await signedInAs(s.t.db, { role: 'editor', partyId: municipality.id });
      muniReporter = await signedInAs(s.t.db, { role: 'reporter', partyId: municipality.id });
      operator = await signedInAs(s.t.db, { superadmin: true });
    });
    afterAll(async () => s?.close());

    const NEW = '/admin/loften/ny';
    const draft = (over: Record<string, string | string[]> = {}) => ({
      title: 'Medborgarlöfte Nyköping 2027',
      startsOn: '2027-01-01',
      endsOn: '2027-12-31',
      background: 'Lägesbilden visar otrygghet kring resecentrum.',
      partyIds: [municipality.id, police.id],
      ...over,
    });

    it('offers the form to editors with their own party fixed, and a link from the list', async () => {
      const list = await s.app.inject({ url: '/admin/loften', headers: { cookie: muniEditor.cookie } });
      expect(list.body).toContain('href="/admin/loften/ny"');
      const reporterList = await s.app.inject({ url: '/admin/loften', headers: { cookie: muniReporter.cookie } });
      expect(reporterList.body).not.toContain('href="/admin/loften/ny"');
      const form = await s.app.inject({ url: NEW, headers: { cookie: muniEditor.cookie } });
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain(`<input type="hidden" name="partyIds" value="${municipality.id}"/>`);
      expect(form.body).toContain(`value="${police.id}"`);
      expect(form.body).not.toContain(`type="checkbox" id="f-partyIds-${municipality.id}"`);
    });

    it('creates a draft with the chosen parties, audited, and redirects to it', async () => {
      const res = await postRepeated(s.app, NEW, NEW, draft({ partyIds: [municipality.id, police.id, partner.id] }), muniEditor.cookie);
      expect(res.statusCode).toBe(303);
      const id = idFrom(res.headers.location);
      expect(id).toBeDefined();
      const doc = await loadPledgeDocument(s.t.db, id!);
      expect(doc).toMatchObject({ title: 'Medborgarlöfte Nyköping 2027', state: 'draft', startsOn: '2027-01-01', endsOn: '2027-12-31', periodSlug: '2027', background: 'Lägesbilden visar otrygghet kring resecentrum.' });
      expect(doc!.parties.map((p) => p.id)).toEqual([municipality.id, police.id, partner.id]);
      const event = (await historyOfPledge(s.t.db, id!)).find((e) => e.action === 'pledge.create');
      expect(event).toMatchObject({ action: 'pledge.create', actorUserId: muniEditor.user.id, after: { state: 'draft' } });
    });

    it('keeps the new draft off the public pages and out of the API', async () => {
      expect((await s.app.inject({ url: '/kommun/nykoping' })).statusCode).toBe(404);
      expect((await s.app.inject({ url: '/kommun/nykoping/2027' })).statusCode).toBe(404);
      expect((await s.app.inject({ url: '/' })).body).not.toContain('Nyköpings kommun');
      const api = await s.app.inject({ url: '/api/v1/pledges?municipality=0480' });
      expect(api.statusCode).toBe(200);
      expect(api.json()).toEqual({ data: [] });
      const [row] = await s.t.db.selectFrom('pledge').select('id').where('title', '=', 'Medborgarlöfte Nyköping 2027').execute();
      expect((await s.app.inject({ url: `/api/v1/pledges/${row!.id}` })).statusCode).toBe(404);
    });

    it('refuses a pledge without a police area, with the message at the parties and the input kept', async () => {
      const res = await postRepeated(s.app, NEW, NEW, draft({ title: 'Utan polis', partyIds: [municipality.id, partner.id] }), muniEditor.cookie);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('href="#f-partyIds">Välj minst en kommun och ett lokalpolisområde.</a>');
      expect(res.body).toMatch(/id="f-partyIds-error"><span class="visually-hidden">Fel: <\/span>Välj minst en kommun och ett lokalpolisområde.<\/p>/);
      expect(res.body).toContain('value="Utan polis"');
      expect(res.body).toMatch(new RegExp(`name="partyIds" value="${partner.id}" checked`));
      expect(await s.t.db.selectFrom('pledge').select('id').where('title', '=', 'Utan polis').execute()).toEqual([]);
    });

    it('shows Swedish errors for title and period', async () => {
      const res = await postRepeated(s.app, NEW, NEW, draft({ title: '', startsOn: '2027-02-30', endsOn: '2026-01-01' }), muniEditor.cookie);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('href="#f-title">Ange en rubrik.</a>');
      expect(res.body).toContain('href="#f-startsOn">Datumet finns inte i kalendern.</a>');
      expect(res.body).toContain('value="2027-02-30"');
    });

    it('refuses a pledge that leaves out the actor’s own party, and lets the operator choose freely', async () => {
      const refused = await postRepeated(s.app, NEW, NEW, draft({ title: 'Åt någon annan', partyIds: [otherMunicipality.id, police.id] }), muniEditor.cookie);
      expect(refused.statusCode).toBe(403);
      expect((await postRepeated(s.app, '/admin/loften', NEW, draft(), muniReporter.cookie)).statusCode).toBe(403);
      const operatorForm = await s.app.inject({ url: NEW, headers: { cookie: operator.cookie } });
      expect(operatorForm.body).not.toContain('(din organisation)');
      const ok = await postRepeated(s.app, NEW, NEW, draft({ title: 'Oxelösund', partyIds: [otherMunicipality.id, police.id] }), operator.cookie);
      expect(ok.statusCode).toBe(303);
    });
  });

  describe.skipIf(target.skip)(`copying a pledge into a new period on ${target.name}`, () => {
    let s: TestApp;
    let municipality: Party;
    let police: Party;
    let source: PledgeDocument;
    let archived: PledgeDocument;
    let policeEditor: Session;
    let viewer: Session;

    beforeAll(async () => {
      s = await openApp(target, { demo: false });
      municipality = await buildMunicipality(s.t.db);
      police = await buildPoliceArea(s.t.db);
      source = await createPledge(
        s.t.db,
        pledgeInput(municipality, police, {
          title: 'Medborgarlöfte 2024–2025',
          background: 'Bakgrund som följer med.',
          focusAreas: [
            ...pledgeInput(municipality, police).focusAreas!,
            { title: 'Ungdomar och narkotika', description: 'Tidiga insatser', commitments: [{ title: 'Tom', activities: [] }, { title: 'Narkotikasök', activities: [{ ownerPartyId: police.id, description: 'Hund på skolor', status: 'done' }] }] },
          ],
        }),
      );
      // A year of follow-up on the source: the copy must not inherit it.
      await s.t.db.updateTable('activity').set({ status: 'delayed' }).where('id', '=', source.focusAreas[0]!.commitments[0]!.activities[0]!.id).execute();
      source = (await loadPledgeDocument(s.t.db, source.id))!;
      archived = await createPledge(s.t.db, pledgeInput(municipality, police, { title: 'Medborgarlöfte 2020', startsOn: '2020-01-01', endsOn: '2020-12-31', state: 'archived' }));
      policeEditor = await signedInAs(s.t.db, { role: 'editor', partyId: police.id });
      viewer = await signedInAs(s.t.db, { role: 'viewer', partyId: municipality.id });
    });
    afterAll(async () => s?.close());

    const copyUrl = (id: string) => `/admin/loften/${id}/kopiera`;

    it('offers the following period of the same length, with a link from the pledge for editors only', async () => {
      const page = await s.app.inject({ url: `/admin/loften/${source.id}`, headers: { cookie: policeEditor.cookie } });
      expect(page.body).toContain(`href="${copyUrl(source.id)}"`);
      const viewerPage = await s.app.inject({ url: `/admin/loften/${source.id}`, headers: { cookie: viewer.cookie } });
      expect(viewerPage.statusCode).toBe(200);
      expect(viewerPage.body).not.toContain(`href="${copyUrl(source.id)}"`);
      const form = await s.app.inject({ url: copyUrl(source.id), headers: { cookie: policeEditor.cookie } });
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('name="startsOn" type="date" value="2026-01-01"');
      expect(form.body).toContain('name="endsOn" type="date" value="2027-12-31"');
      expect(form.body).toContain('value="Medborgarlöfte 2026–2027"');
      expect((await s.app.inject({ url: copyUrl(source.id), headers: { cookie: viewer.cookie } })).statusCode).toBe(403);
    });

    it('copies a signed pledge into a new draft with the same structure, statuses reset and predecessors linked', async () => {
      const before = await loadPledgeDocument(s.t.db, source.id);
      const res = await postForm(s.app, copyUrl(source.id), copyUrl(source.id), { title: 'Medborgarlöfte 2026–2027', startsOn: '2026-01-01', endsOn: '2027-12-31' }, policeEditor.cookie);
      expect(res.statusCode).toBe(303);
      const id = idFrom(res.headers.location)!;
      const copy = (await loadPledgeDocument(s.t.db, id))!;
      expect(copy).toMatchObject({ title: 'Medborgarlöfte 2026–2027', state: 'draft', startsOn: '2026-01-01', endsOn: '2027-12-31', periodSlug: '2026-2027', background: 'Bakgrund som följer med.', version: 1 });
      expect(copy.parties.map((p) => p.id)).toEqual(source.parties.map((p) => p.id));
      expect(copy.signatories.map(({ id: _, ...rest }) => rest)).toEqual(source.signatories.map(({ id: _, ...rest }) => rest));
      // Same tree, new ids, every activity planned again, schedules moved by two years.
      const shape = (d: PledgeDocument) =>
        d.focusAreas.map((fa) => ({
          title: fa.title,
          description: fa.description,
          commitments: fa.commitments.map((c) => ({ title: c.title, description: c.description, activities: c.activities.map((a) => ({ owner: a.ownerPartyId, description: a.description, target: a.target })) })),
        }));
      expect(shape(copy)).toEqual(shape(source));
      const sourceActivities = source.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities));
      const copyActivities = copy.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities));
      expect(sourceActivities.map((a) => a.status)).toEqual(['delayed', 'planned', 'done']);
      expect(copyActivities.map((a) => a.status)).toEqual(['planned', 'planned', 'planned']);
      expect(copyActivities[0]!.schedule).toEqual({ startsOn: '2026-04-01', endsOn: '2026-09-30', text: null });
      expect(copyActivities[1]!.schedule).toEqual({ startsOn: null, endsOn: null, text: 'Varje höst' });
      expect(new Set([...copyActivities, ...copy.focusAreas, ...copy.signatories].map((x) => x.id)).size).toBe(copyActivities.length + copy.focusAreas.length + copy.signatories.length);
      expect(copyActivities.some((a) => sourceActivities.some((b) => b.id === a.id))).toBe(false);
      // Predecessor links: the pledge to its source, each activity to the one it was copied from.
      expect((await findPledgeRow(s.t.db, id))?.predecessor_id).toBe(source.id);
      const links = await s.t.db.selectFrom('activity').select(['id', 'predecessor_id']).where('id', 'in', copyActivities.map((a) => a.id)).execute();
      const byId = new Map(links.map((l) => [l.id, l.predecessor_id]));
      expect(copyActivities.map((a) => byId.get(a.id))).toEqual(sourceActivities.map((a) => a.id));
      // One audit row, on the copy; the source is untouched.
      const events = await historyOfPledge(s.t.db, id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'pledge.copy', actorUserId: policeEditor.user.id, entityId: id, after: { sourceId: source.id, startsOn: '2026-01-01', endsOn: '2027-12-31' } });
      expect(await loadPledgeDocument(s.t.db, source.id)).toEqual(before);
      expect((await historyOfPledge(s.t.db, source.id)).map((e) => e.action)).toEqual(['pledge_version.registered', 'pledge.create']);
      // A draft copy is as invisible as any draft.
      expect((await s.app.inject({ url: `/kommun/${municipality.slug}/2026-2027` })).statusCode).toBe(404);
      expect((await s.app.inject({ url: `/api/v1/pledges/${id}` })).statusCode).toBe(404);
    });

    it('allows a draft copy whose period overlaps the source', async () => {
      const res = await postForm(s.app, copyUrl(source.id), copyUrl(source.id), { title: 'Överlappande', startsOn: '2025-01-01', endsOn: '2025-12-31' }, policeEditor.cookie);
      expect(res.statusCode).toBe(303);
      const copy = await loadPledgeDocument(s.t.db, idFrom(res.headers.location)!);
      expect(copy).toMatchObject({ state: 'draft', startsOn: '2025-01-01', endsOn: '2025-12-31' });
      // Moved by one year: 2024-04-01 → 2025-04-01.
      expect(copy!.focusAreas[0]!.commitments[0]!.activities[0]!.schedule?.startsOn).toBe('2025-04-01');
    });

    it('copies from an archived pledge too', async () => {
      const res = await postForm(s.app, copyUrl(archived.id), copyUrl(archived.id), { title: 'Medborgarlöfte 2021', startsOn: '2021-01-01', endsOn: '2021-12-31' }, policeEditor.cookie);
      expect(res.statusCode).toBe(303);
      const id = idFrom(res.headers.location)!;
      expect((await findPledgeRow(s.t.db, id))).toMatchObject({ state: 'draft', predecessor_id: archived.id });
      expect((await findPledgeRow(s.t.db, archived.id))?.state).toBe('archived');
    });

    it('shows Swedish errors for the new period and keeps the input', async () => {
      const res = await postForm(s.app, copyUrl(source.id), copyUrl(source.id), { title: 'Min rubrik', startsOn: '2026-01-01', endsOn: '2025-12-31' }, policeEditor.cookie);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('href="#f-endsOn">Perioden kan inte sluta innan den börjar.</a>');
      expect(res.body).toContain('value="Min rubrik"');
      expect(res.body).toContain('value="2025-12-31"');
      expect(await s.t.db.selectFrom('pledge').select('id').where('title', '=', 'Min rubrik').execute()).toEqual([]);
    });

    it('refuses a viewer and an unknown pledge', async () => {
      const res = await postForm(s.app, `/admin/loften/${source.id}`, copyUrl(source.id), { title: 'x', startsOn: '2026-01-01', endsOn: '2026-12-31' }, viewer.cookie);
      expect(res.statusCode).toBe(403);
      expect((await s.app.inject({ url: copyUrl('00000000-0000-4000-8000-000000000000'), headers: { cookie: policeEditor.cookie } })).statusCode).toBe(404);
      expect((await s.app.inject({ url: copyUrl('inte-ett-id'), headers: { cookie: policeEditor.cookie } })).statusCode).toBe(404);
    });
  });
}
