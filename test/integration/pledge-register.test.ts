import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { seedDemo, seedDemoIfEmpty } from '../../src/features/demo/seed.js';
import * as repo from '../../src/features/pledges/pledge-repo.js';
import { createParty, createPledge, getPublicPledge, municipalityCurrent, municipalityPeriod, nationalIndex } from '../../src/features/pledges/pledge-service.js';
import { AppError } from '../../src/platform/errors.js';
import { targets, type TestDatabase } from '../support/databases.js';
import { buildMunicipality, buildPledge, buildPoliceArea, pledgeInput } from '../support/factories.js';

for (const target of targets) {
  describe.skipIf(target.skip)(`pledge register on ${target.name}`, () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await target.open();
    });
    afterAll(async () => t?.dispose());

    it('stores a whole pledge and reads it back field for field', async () => {
      const { pledge, municipality, police } = await buildPledge(t.db);
      const again = await repo.loadPledgeDocument(t.db, pledge.id);
      expect(again).toEqual(pledge);
      expect(pledge.periodSlug).toBe('2024-2025');
      expect(pledge.parties.map((p) => p.id)).toEqual([municipality.id, police.id]);
      expect(pledge.signatories.map((s) => s.name)).toEqual(['Pia Polischef', 'Kim Kommundirektör']);
      const [moped, walk] = pledge.focusAreas[0]!.commitments[0]!.activities;
      expect(moped).toMatchObject({ ownerPartyId: police.id, target: { kind: 'numeric', value: 12, unit: 'kontroller' }, schedule: { startsOn: '2024-04-01', endsOn: '2024-09-30', text: null }, status: 'planned' });
      expect(walk).toMatchObject({ ownerPartyId: municipality.id, target: { kind: 'text', text: 'Minst en per kommundel' }, schedule: { startsOn: null, endsOn: null, text: 'Varje höst' } });
      expect(typeof pledge.version).toBe('number');
      expect(pledge.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it('refuses a second signed pledge in force for the same municipality, and stores nothing of it', async () => {
      const { municipality, police } = await buildPledge(t.db);
      const before = await repo.countPledges(t.db);
      const overlapping = pledgeInput(municipality, police, { startsOn: '2025-01-01', endsOn: '2026-12-31' });
      const err = await createPledge(t.db, overlapping).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('pledge_in_force_overlap');
      expect((err as AppError).message).toMatch(/2024–2025/);
      expect(await repo.countPledges(t.db)).toBe(before);
    });

    it('allows a draft for the next period while one is in force, and the following signed period', async () => {
      const { municipality, police } = await buildPledge(t.db);
      await createPledge(t.db, pledgeInput(municipality, police, { startsOn: '2025-01-01', endsOn: '2026-12-31', state: 'draft' }));
      await createPledge(t.db, pledgeInput(municipality, police, { startsOn: '2026-01-01', endsOn: '2026-12-31' }));
      const all = await repo.listPledgeSummariesOfParty(t.db, municipality.id);
      expect(all.map((p) => `${p.periodSlug}:${p.state}`)).toEqual(['2026:signed', '2025-2026:draft', '2024-2025:signed']);
    });

    it('rejects an activity owned by a party outside the pledge, naming the field', async () => {
      const municipality = await buildMunicipality(t.db);
      const police = await buildPoliceArea(t.db);
      const stranger = await buildPoliceArea(t.db);
      const input = pledgeInput(municipality, police);
      input.focusAreas![0]!.commitments![0]!.activities![0]!.ownerPartyId = stranger.id;
      const err = (await createPledge(t.db, input).catch((e: unknown) => e)) as AppError;
      expect(err.code).toBe('validation_failed');
      expect(err.fields).toContainEqual({ field: 'focusAreas.0.commitments.0.activities.0.ownerPartyId', message: 'Ansvarig part måste vara en part i löftet.' });
    });

    it('requires a municipality and a police area among the parties', async () => {
      const a = await buildPoliceArea(t.db);
      const b = await buildPoliceArea(t.db);
      const err = (await createPledge(t.db, { title: 'x', startsOn: '2024-01-01', endsOn: '2024-12-31', partyIds: [a.id, b.id] }).catch((e: unknown) => e)) as AppError;
      expect(err.code).toBe('validation_failed');
      expect(err.fields[0]?.field).toBe('partyIds');
    });

    it('refuses a duplicate party slug and a municipality without kommunkod', async () => {
      const m = await buildMunicipality(t.db);
      await expect(createParty(t.db, { kind: 'police_area', name: 'X', slug: m.slug })).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(createParty(t.db, { kind: 'municipality', name: 'Y', slug: 'y-kommun' })).rejects.toMatchObject({ fields: [{ field: 'municipalityCode' }] });
    });

    it('hides drafts from every public read', async () => {
      const { pledge, municipality } = await buildPledge(t.db, { state: 'draft' });
      await expect(getPublicPledge(t.db, pledge.id)).rejects.toMatchObject({ code: 'not_found' });
      await expect(municipalityCurrent(t.db, municipality.slug, '2024-06-01')).rejects.toMatchObject({ code: 'not_found' });
      await expect(municipalityPeriod(t.db, municipality.slug, '2024-2025', '2024-06-01')).rejects.toMatchObject({ code: 'not_found' });
      const index = await nationalIndex(t.db, {}, '2024-06-01');
      expect(index.some((e) => e.municipality.id === municipality.id)).toBe(false);
    });

    it('runs migrations again as a no-op', async () => {
      expect(await migrateToLatest(t)).toEqual([]);
    });
  });

  describe.skipIf(target.skip)(`demo data on ${target.name}`, () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await target.open();
    });
    afterAll(async () => t?.dispose());

    it('seeds Strängnäs 2022–2023 with its parties, signatories, focus areas and activity owners', async () => {
      expect(await seedDemoIfEmpty(t.db)).toEqual({ parties: 6, pledges: 3 });
      const view = await municipalityPeriod(t.db, 'strangnas', '2022-2023', '2026-11-27');
      const p = view.pledge;
      expect(p.isDemo).toBe(true);
      expect(view.municipality.municipalityCode).toBe('0486');
      expect(p.parties.map((x) => x.name)).toEqual(['Strängnäs kommun', 'Lokalpolisområde Strängnäs']);
      expect(p.signatories.map((s) => `${s.name}, ${s.roleTitle}`)).toEqual(['Christer Sjökvist, Lokalpolisområdeschef', 'Lars Ekström, Kommundirektör']);
      expect(p.focusAreas.map((f) => f.title)).toEqual(['Ökad trygghet och minskad brottslighet', 'Trygg trafikmiljö']);
      const commitments = p.focusAreas.flatMap((f) => f.commitments.map((c) => c.title)).join(' | ');
      for (const theme of ['narkotika', 'våld i nära relation', 'sexuell exploatering och kränkningar', 'oskyddade trafikanter', 'Trafiksäkerhetsrådet', 'trimmade mopeder och A-traktorer', 'Dialogmöten i kommundelarna'])
        expect(commitments).toContain(theme);
      const owner = new Map(p.parties.map((x) => [x.id, x.kind]));
      const activities = p.focusAreas.flatMap((f) => f.commitments.flatMap((c) => c.activities)).map((a) => `${owner.get(a.ownerPartyId)}: ${a.description}`);
      const expected: [string, RegExp][] = [
        ['police_area', /skolor och fritidsgårdar/],
        ['police_area', /narkotikasök med hund/],
        ['municipality', /avloppsvattnet i olika kommundelar/],
        ['municipality', /sexuella trakasserier och kränkningar/],
        ['municipality', /informationsmöten och utbildningar/],
        ['municipality', /En vecka fri från våld/],
        ['police_area', /trimmade mopeder och A-traktorer/],
      ];
      for (const [kind, text] of expected) expect(activities.some((a) => a.startsWith(`${kind}:`) && text.test(a)), String(text)).toBe(true);
    });

    it('is idempotent, and a non-empty register is left alone', async () => {
      expect(await seedDemo(t.db)).toEqual({ parties: 0, pledges: 0 });
      expect(await seedDemoIfEmpty(t.db)).toBeNull();
      expect(await repo.countPledges(t.db)).toBe(3);
    });

    it('lists all three demo municipalities in Swedish order', async () => {
      const index = await nationalIndex(t.db, {}, '2026-11-27');
      expect(index.map((e) => e.municipality.name)).toEqual(['Strängnäs kommun', 'Strömsunds kommun', 'Vingåkers kommun']);
      expect(index.every((e) => !e.inForce)).toBe(true);
      expect((await nationalIndex(t.db, {}, '2022-06-01')).every((e) => e.inForce)).toBe(true);
      expect((await nationalIndex(t.db, { query: 'STRÖM' }, '2026-11-27')).map((e) => e.municipality.slug)).toEqual(['stromsund']);
    });
  });
}
