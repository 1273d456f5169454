import type { Executor } from '../../db/executor.js';
import { defineIndicator, importIndicatorValues, linkIndicator } from '../indicators/indicator-service.js';
import { listIndicatorsOfParty } from '../indicators/indicator-repo.js';
import { findPartyBySlug, listPledgeSummariesOfParty, loadPledgeDocument } from '../pledges/pledge-repo.js';

/**
 * Demo indicators, only where a public source gives real figures (docs/decisions/demo-data.md):
 * Strömsund's CAN survey 2019, 13 % of pupils in åk 9 wanted to try narcotics and 17 % saw low
 * risk in weekly hash use. The 2023 survey that followed the pledge up exists, but its figures are
 * not in our sources, so 2023 is "not yet available" here rather than a made-up number.
 */

const DEMO = { actor: null, label: 'exempeldata' };

interface DemoIndicator {
  party: string;
  pledgePeriod: string;
  commitment: string;
  form: Record<string, string>;
  baseline: { value: string; year: string } | null;
  csv: string;
}

const SOURCE = 'Drogvanor i årskurs 9; 2019 års siffror enligt Strömsunds medborgarlöfte 2021–2022';

export const demoIndicators: DemoIndicator[] = [
  {
    party: 'stromsund',
    pledgePeriod: '2021-2022',
    commitment: 'Färre unga ska vilja prova narkotika',
    form: {
      code: 'can-vill-prova',
      name: 'Andelen elever i åk 9 som vill prova narkotika',
      definition: 'Andel av eleverna i årskurs 9 som i CAN:s skolundersökning svarar att de skulle vilja prova narkotika.',
      unit: 'percent',
      direction: 'down',
      source: 'can',
      sourceDetail: SOURCE,
      level: 'municipality',
      reportingLagMonths: '6',
    },
    baseline: { value: '13', year: '2019' },
    csv: 'indicator;period;value;status\ncan-vill-prova;2019;13;final\ncan-vill-prova;2023;;not_yet_available\n',
  },
  {
    party: 'stromsund',
    pledgePeriod: '2021-2022',
    commitment: 'Färre unga ska vilja prova narkotika',
    form: {
      code: 'can-lag-risk-hasch',
      name: 'Andelen elever i åk 9 som ser låg risk med att röka hasch varje vecka',
      definition: 'Andel av eleverna i årskurs 9 som i CAN:s skolundersökning bedömer risken med att röka hasch varje vecka som liten eller ingen.',
      unit: 'percent',
      direction: 'down',
      source: 'can',
      sourceDetail: SOURCE,
      level: 'municipality',
      reportingLagMonths: '6',
    },
    baseline: { value: '17', year: '2019' },
    csv: 'indicator;period;value;status\ncan-lag-risk-hasch;2019;17;final\ncan-lag-risk-hasch;2023;;not_yet_available\n',
  },
];

/** Adds whatever demo indicator, link or value is missing; safe to run again (imports are idempotent). */
export async function seedDemoIndicators(db: Executor, clock: () => Date = () => new Date()): Promise<number> {
  const deps = { db, clock };
  let created = 0;
  for (const d of demoIndicators) {
    const party = await findPartyBySlug(db, d.party);
    const summary = party ? (await listPledgeSummariesOfParty(db, party.id)).find((p) => p.periodSlug === d.pledgePeriod) : undefined;
    const pledge = summary ? await loadPledgeDocument(db, summary.id) : null;
    const commitment = pledge?.focusAreas.flatMap((fa) => fa.commitments).find((c) => c.title === d.commitment);
    if (!party || !commitment) continue;
    let indicator = (await listIndicatorsOfParty(db, party.id)).find((i) => i.code === d.form.code);
    if (!indicator) {
      indicator = await defineIndicator(deps, { ...d.form, partyId: party.id }, DEMO, { isDemo: true });
      await linkIndicator(deps, null, indicator.id, { place: `c:${commitment.id}`, baselineValue: d.baseline?.value ?? '', baselineYear: d.baseline?.year ?? '', targetValue: '', targetYear: '' }, DEMO);
      created++;
    }
    await importIndicatorValues(deps, DEMO, { partyId: party.id, format: 'csv', text: d.csv, fileName: 'exempeldata', dryRun: false });
  }
  return created;
}
