import type { Executor } from '../../src/db/executor.js';
import { createParty, createPledge } from '../../src/features/pledges/pledge-service.js';
import type { Party, PartyInput, PledgeInput } from '../../src/features/pledges/pledge.js';

/** Builders with sensible defaults, so each test states only what it is about. */
let n = 0;

export async function buildMunicipality(db: Executor, over: Partial<PartyInput> = {}): Promise<Party> {
  n++;
  return createParty(db, {
    kind: 'municipality',
    name: `Testkommun ${n}`,
    slug: `testkommun-${n}`,
    municipalityCode: String(9000 + n).padStart(4, '0').slice(-4),
    county: 'Testlän',
    ...over,
  });
}

export async function buildPoliceArea(db: Executor, over: Partial<PartyInput> = {}): Promise<Party> {
  n++;
  return createParty(db, { kind: 'police_area', name: `Lokalpolisområde Test ${n}`, slug: `lpo-test-${n}`, ...over });
}

export function pledgeInput(municipality: Party, police: Party, over: Partial<PledgeInput> = {}): PledgeInput {
  return {
    title: `Medborgarlöfte för ${municipality.name}`,
    startsOn: '2024-01-01',
    endsOn: '2025-12-31',
    state: 'signed',
    partyIds: [municipality.id, police.id],
    signatories: [
      { partyId: police.id, name: 'Pia Polischef', roleTitle: 'Lokalpolisområdeschef' },
      { partyId: municipality.id, name: 'Kim Kommundirektör', roleTitle: 'Kommundirektör' },
    ],
    focusAreas: [
      {
        title: 'Trygg trafikmiljö',
        commitments: [
          {
            title: 'Färre trimmade mopeder',
            activities: [
              { ownerPartyId: police.id, description: 'Mopedkontroller', target: { kind: 'numeric', value: 12, unit: 'kontroller' }, schedule: { startsOn: '2024-04-01', endsOn: '2024-09-30' } },
              { ownerPartyId: municipality.id, description: 'Trygghetsvandring', target: { kind: 'text', text: 'Minst en per kommundel' }, schedule: { text: 'Varje höst' } },
            ],
          },
        ],
      },
    ],
    ...over,
  };
}

export async function buildPledge(db: Executor, over: Partial<PledgeInput> = {}) {
  const municipality = await buildMunicipality(db);
  const police = await buildPoliceArea(db);
  const pledge = await createPledge(db, pledgeInput(municipality, police, over));
  return { municipality, police, pledge };
}
