import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/features/audit/audit.js';
import { nationalOverview } from '../../src/features/overview/overview-service.js';
import { freshness } from '../../src/features/overview/overview.js';
import { createParty, createPledge } from '../../src/features/pledges/pledge-service.js';
import type { PledgeInput } from '../../src/features/pledges/pledge.js';
import { openApp, type TestApp } from '../support/app.js';
import { targets } from '../support/databases.js';

/**
 * The national overview on a generated register of all 290 municipalities (synthetic names and
 * codes, no network). The expectations are computed from the generating rules below, not from
 * the code under test.
 */

const TODAY = '2026-11-27';
const COUNTIES = [
  'Blekinge län', 'Dalarnas län', 'Gotlands län', 'Gävleborgs län', 'Hallands län', 'Jämtlands län', 'Jönköpings län', 'Kalmar län', 'Kronobergs län', 'Norrbottens län', 'Skåne län',
  'Stockholms län', 'Södermanlands län', 'Uppsala län', 'Värmlands län', 'Västerbottens län', 'Västernorrlands län', 'Västmanlands län', 'Västra Götalands län', 'Örebro län', 'Östergötlands län',
];
const FOCUS = [['Ungdomar och narkotika'], ['Trygg trafikmiljö', 'Våld i nära relation'], ['Mindre NARKOTIKA i skolan'], ['Trygghet i centrum']];
const N = 290;

/** What municipality i has, by rule: 0 nothing, 1 a draft only, 2–5 and 9 a pledge in force, 6–7 an ended one, 8 an archived one. */
const kind = (i: number) => i % 10;
const hasPublic = (i: number) => kind(i) >= 2;
const inForce = (i: number) => [2, 3, 4, 5, 9].includes(kind(i));
const focusOf = (i: number) => FOCUS[i % 4]!;
/** Activities per shown pledge: 1 + i % 4, of which the first i % 3 are done and, when there are 3 or more, the last is delayed. */
const activityCount = (i: number) => 1 + (i % 4);
const doneCount = (i: number) => Math.min(i % 3, activityCount(i));
const delayedCount = (i: number) => (activityCount(i) >= 3 && doneCount(i) < activityCount(i) ? 1 : 0);
/** The latest status report, for shown pledges with i % 5 < 4: fresh, aging, stale or several with the latest fresh. */
const followUps = (i: number): string[] => [['2026-10-01T09:00:00Z'], ['2026-03-02T09:00:00Z'], ['2025-01-15T09:00:00Z'], ['2025-06-01T09:00:00Z', '2026-11-26T22:30:00Z'], []][i % 5]!;
const expectedFreshness = (i: number) => (['fresh', 'aging', 'stale', 'fresh', 'none'] as const)[i % 5]!;

const name = (i: number) => `Syntetkommun ${String(i).padStart(3, '0')}`;

for (const target of targets) {
  describe.skipIf(target.skip)(`national overview of 290 municipalities on ${target.name}`, () => {
    let s: TestApp;

    beforeAll(async () => {
      s = await openApp(target, { demo: false, today: TODAY });
      const db = s.t.db;
      const police = await createParty(db, { kind: 'police_area', name: 'Syntetpolisen', slug: 'syntetpolisen' });
      for (let i = 0; i < N; i++) {
        const m = await createParty(db, { kind: 'municipality', name: name(i), slug: `syntet-${i}`, municipalityCode: String(1000 + i), county: COUNTIES[i % COUNTIES.length]! });
        if (kind(i) === 0) continue;
        const pledge = (startsOn: string, endsOn: string, state: PledgeInput['state'], titles: string[], activities: number): PledgeInput => ({
          title: `Medborgarlöfte ${name(i)}`,
          startsOn,
          endsOn,
          state,
          partyIds: [m.id, police.id],
          focusAreas: titles.map((title, f) => ({
            title,
            commitments: [{ title: `Löfte ${f + 1}`, activities: f === 0 ? Array.from({ length: activities }, (_, a) => ({ ownerPartyId: m.id, description: `Aktivitet ${a + 1}` })) : [] }],
          })),
        });
        if (kind(i) === 1) {
          await createPledge(db, pledge('2026-01-01', '2026-12-31', 'draft', ['Hemlig narkotikasatsning i utkast'], 2));
          continue;
        }
        if (kind(i) === 9) await createPledge(db, pledge('2020-01-01', '2021-12-31', 'signed', ['Gammalt fokus om narkotika'], 3));
        const [startsOn, endsOn, state] =
          kind(i) === 6 || kind(i) === 7 ? (['2022-01-01', '2023-12-31', 'signed'] as const) : kind(i) === 8 ? (['2020-01-01', '2021-12-31', 'archived'] as const) : (['2026-01-01', '2026-12-31', 'signed'] as const);
        const shown = await createPledge(db, pledge(startsOn, endsOn, state, focusOf(i), activityCount(i)));
        const acts = shown.focusAreas[0]!.commitments[0]!.activities;
        for (let a = 0; a < acts.length; a++) {
          const status = a < doneCount(i) ? 'done' : a === acts.length - 1 && delayedCount(i) ? 'delayed' : 'planned';
          if (status !== 'planned') await db.updateTable('activity').set({ status }).where('id', '=', acts[a]!.id).execute();
        }
        for (const at of followUps(i))
          await db
            .insertInto('activity_update')
            .values({ id: randomUUID(), activity_id: acts[0]!.id, pledge_id: shown.id, party_id: acts[0]!.ownerPartyId, author_name: 'test', reported_on: at.slice(0, 10), created_at: new Date(at).toISOString(), status: 'in_progress', previous_status: 'planned', status_reason: 'test' })
            .execute();
        // Audit rows of the pledge are not follow-ups.
        await recordAudit(db, { actor: null, actorLabel: 'test', action: 'pledge.update', entityType: 'pledge', entityId: shown.id, pledgeId: shown.id }, new Date('2026-11-20T10:00:00Z'));
      }
    }, 240_000);
    afterAll(async () => s?.close());

    it('lists every municipality once, with the pledge in force or the latest, never a draft', async () => {
      const o = await nationalOverview(s.t.db, {}, TODAY);
      expect(o.total).toBe(N);
      expect(o.rows).toHaveLength(N);
      expect(o.counties).toHaveLength(21);
      expect(o.counties[0]).toBe('Blekinge län');
      expect(o.counties.at(-1)).toBe('Östergötlands län');
      expect(o.rows.map((r) => r.municipality.name)).toEqual(Array.from({ length: N }, (_, i) => name(i)));
      for (const [i, r] of o.rows.entries()) {
        expect(r.pledge !== null, name(i)).toBe(hasPublic(i));
        expect(r.inForce, name(i)).toBe(inForce(i));
        expect(r.focusAreas, name(i)).toEqual(hasPublic(i) ? focusOf(i) : []);
        if (!hasPublic(i)) {
          expect(r.activities.total).toBe(0);
          expect(r.freshness).toBe('none');
          continue;
        }
        expect(r.activities.total, name(i)).toBe(activityCount(i));
        expect(r.activities.done, name(i)).toBe(doneCount(i));
        expect(r.activities.delayed, name(i)).toBe(delayedCount(i));
        expect(r.activities.planned, name(i)).toBe(activityCount(i) - doneCount(i) - delayedCount(i));
        expect(r.freshness, name(i)).toBe(expectedFreshness(i));
        const latest = followUps(i).at(-1);
        expect(r.lastFollowUp, name(i)).toBe(latest ? new Date(latest).toISOString() : null);
      }
      expect(JSON.stringify(o.rows)).not.toContain('Hemlig');
    });

    it('filters by county, by focus area the Swedish way, and to pledges in force', async () => {
      const county = 'Södermanlands län';
      const inCounty = Array.from({ length: N }, (_, i) => i).filter((i) => COUNTIES[i % 21] === county);
      expect((await nationalOverview(s.t.db, { county }, TODAY)).rows.map((r) => r.municipality.name)).toEqual(inCounty.map(name));

      const narcotics = Array.from({ length: N }, (_, i) => i).filter((i) => hasPublic(i) && focusOf(i).some((t) => t.toLowerCase().includes('narkotika')));
      const found = await nationalOverview(s.t.db, { focus: 'NARKOTIKA' }, TODAY);
      expect(found.rows.map((r) => r.municipality.name)).toEqual(narcotics.map(name));
      expect(found.total).toBe(N);
      // "Våld i nära relation" found with its Swedish letters, not by "vald i nara".
      expect((await nationalOverview(s.t.db, { focus: 'våld i NÄRA' }, TODAY)).rows).toHaveLength(Array.from({ length: N }, (_, i) => i).filter((i) => hasPublic(i) && i % 4 === 1).length);
      expect((await nationalOverview(s.t.db, { focus: 'näRA', county: 'Gotlands län', onlyInForce: true }, TODAY)).rows.map((r) => r.municipality.name)).toEqual(
        Array.from({ length: N }, (_, i) => i).filter((i) => i % 4 === 1 && COUNTIES[i % 21] === 'Gotlands län' && inForce(i)).map(name),
      );
      const current = await nationalOverview(s.t.db, { onlyInForce: true }, TODAY);
      expect(current.rows).toHaveLength(Array.from({ length: N }, (_, i) => i).filter(inForce).length);
    });

    it('serves the page and the CSV with the same filter', async () => {
      const page = await s.app.inject({ url: '/oversikt?lan=S%C3%B6dermanlands+l%C3%A4n&fokus=narkotika' });
      expect(page.statusCode).toBe(200);
      const expected = Array.from({ length: N }, (_, i) => i).filter((i) => COUNTIES[i % 21] === 'Södermanlands län' && hasPublic(i) && focusOf(i).some((t) => t.toLowerCase().includes('narkotika')));
      expect(page.body).toContain(`${expected.length} av ${N} kommuner`);
      expect(page.body.match(/<tr>/g)).toHaveLength(expected.length + 1);
      expect(page.body).toContain('href="/oversikt.csv?lan=S%C3%B6dermanlands+l%C3%A4n&amp;fokus=narkotika"');

      const csv = await s.app.inject({ url: '/oversikt.csv?lan=S%C3%B6dermanlands+l%C3%A4n&fokus=narkotika' });
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-disposition']).toBe(`attachment; filename="medborgarloften-oversikt-${TODAY}.csv"`);
      const lines = csv.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      expect(lines[0]).toBe('Kommunkod;Kommun;Län;Period;Läge;Fokusområden;Aktiviteter;Planerade;Pågår;Genomförda;Försenade;Inställda;Senaste uppföljning;Uppföljning');
      expect(lines).toHaveLength(expected.length + 1);
      const first = expected[0]!;
      expect(lines[1]!.split(';')).toEqual([
        String(1000 + first),
        name(first),
        'Södermanlands län',
        kind(first) === 6 || kind(first) === 7 ? '2022–2023' : kind(first) === 8 ? '2020–2021' : '2026',
        expect.any(String),
        focusOf(first).join(' | '),
        String(activityCount(first)),
        String(activityCount(first) - doneCount(first) - delayedCount(first)),
        '0',
        String(doneCount(first)),
        String(delayedCount(first)),
        '0',
        followUps(first).length ? followUps(first).at(-1)!.slice(0, 10) : '',
        { fresh: 'senaste tertialet', aging: 'över 4 månader sedan', stale: 'över ett år sedan', none: 'aldrig' }[expectedFreshness(first)],
      ]);
      const all = await s.app.inject({ url: '/oversikt.csv' });
      expect(all.body.trimEnd().split('\r\n')).toHaveLength(N + 1);
    });
  });
}

describe('follow-up freshness', () => {
  it('counts Swedish calendar days: a tertial is fresh, a year is the limit', () => {
    expect(freshness(null, TODAY)).toBe('none');
    expect(freshness('2026-07-28T10:00:00Z', TODAY)).toBe('fresh'); // 122 days
    expect(freshness('2026-07-27T10:00:00Z', TODAY)).toBe('aging');
    expect(freshness('2025-11-27T10:00:00Z', TODAY)).toBe('aging'); // 365 days
    expect(freshness('2025-11-26T10:00:00Z', TODAY)).toBe('stale');
    // 23:30 UTC on 26 November is already 27 November in Stockholm.
    expect(freshness('2026-07-27T22:30:00Z', TODAY)).toBe('fresh');
  });
});
