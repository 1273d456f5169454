import type { Executor } from '../../db/executor.js';
import { countPledges, findPartyBySlug, listPledgeSummariesOfParty } from '../pledges/pledge-repo.js';
import { createParty, createPledge } from '../pledges/pledge-service.js';
import { periodSlug, type PledgeInput } from '../pledges/pledge.js';
import { demoParties, demoPledges, type DemoPledge } from './demo-data.js';
import { seedDemoIndicators } from './demo-indicators.js';
import { seedWastewaterDemo } from './wastewater-demo.js';
import { seedFollowUpDemo } from './follow-up-demo.js';
import { seedFollowUpMeetingsDemo } from './follow-up-meetings-demo.js';

const DEMO = { actor: null, label: 'exempeldata' };

export interface SeedResult {
  parties: number;
  pledges: number;
}

async function partyId(db: Executor, slug: string): Promise<string> {
  const p = await findPartyBySlug(db, slug);
  if (!p) throw new Error(`Demodata refererar till okänd part ${slug}`);
  return p.id;
}

async function toInput(db: Executor, d: DemoPledge): Promise<PledgeInput> {
  const ids = new Map<string, string>();
  for (const slug of d.parties) ids.set(slug, await partyId(db, slug));
  const id = (slug: string) => {
    const found = ids.get(slug);
    if (!found) throw new Error(`Demodata: ${slug} är inte en part i ${d.title}`);
    return found;
  };
  return {
    title: d.title,
    startsOn: d.startsOn,
    endsOn: d.endsOn,
    background: d.background,
    state: 'signed',
    // The sources give the month at most, so the registered signatures carry the period's first day.
    signedOn: d.startsOn,
    signingMeetingKind: d.signingMeetingKind ?? null,
    isDemo: true,
    partyIds: d.parties.map(id),
    signatories: d.signatories.map((s) => ({ partyId: id(s.party), name: s.name, roleTitle: s.roleTitle })),
    focusAreas: d.focusAreas.map((fa) => ({
      title: fa.title,
      description: fa.description ?? '',
      commitments: fa.commitments.map((c) => ({
        title: c.title,
        description: c.description ?? '',
        activities: c.activities.map((a) => ({
          ownerPartyId: id(a.owner),
          description: a.description,
          target: a.target ?? null,
          schedule: a.schedule ? { startsOn: a.schedule.startsOn ?? null, endsOn: a.schedule.endsOn ?? null, text: a.schedule.text ?? null } : null,
        })),
      })),
    })),
  };
}

/**
 * Adds whatever part of the demo is missing. Safe to run again: a party that exists by slug and a
 * pledge whose municipality already has that period are left alone.
 */
export async function seedDemo(db: Executor): Promise<SeedResult> {
  const result: SeedResult = { parties: 0, pledges: 0 };
  for (const p of demoParties) {
    if (await findPartyBySlug(db, p.slug)) continue;
    await createParty(db, p, DEMO);
    result.parties++;
  }
  for (const d of demoPledges) {
    const municipality = await partyId(db, d.parties[0]!);
    const existing = await listPledgeSummariesOfParty(db, municipality);
    if (existing.some((e) => e.periodSlug === periodSlug(d.startsOn, d.endsOn))) continue;
    await createPledge(db, await toInput(db, d), DEMO);
    result.pledges++;
  }
  await seedDemoIndicators(db);
  await seedWastewaterDemo(db);
  await seedFollowUpDemo(db);
  await seedFollowUpMeetingsDemo(db);
  return result;
}

/** First start: an empty register gets the demo, anything else is left as it is. */
export async function seedDemoIfEmpty(db: Executor): Promise<SeedResult | null> {
  if ((await countPledges(db)) > 0) return null;
  return seedDemo(db);
}
