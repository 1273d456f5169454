import type { Executor } from '../../db/executor.js';
import { recordActivityUpdateAs } from '../follow-up/activity-updates.js';
import { listUpdatesOfActivities } from '../follow-up/activity-update-repo.js';
import { findActivityWithPledge } from '../pledges/editing-repo.js';
import { findPartyBySlug, listPledgeSummariesOfParty, loadPledgeDocument } from '../pledges/pledge-repo.js';

/**
 * Example follow-up history for the Strängnäs 2022–2023 demo pledge: reports before each of the
 * three Brå meetings a year (April, September, December). Invented, and labelled so: every report
 * is written by "Exempel: …" and the pledge carries the example-data notice on every page. Statuses
 * follow the reports; one report is corrected, and the wastewater measurement goes quiet after
 * April 2023, so the public page shows "ingen uppföljning sedan …".
 */

const BY = { label: 'exempeldata' };
const POLICE = 'Exempel: kommunpolisen';
const MUNICIPALITY = 'Exempel: trygghetssamordnaren';

interface DemoReport {
  on: string;
  status: 'planned' | 'in_progress' | 'done' | 'delayed' | 'cancelled';
  reason?: string;
  narrative: string;
  counts?: [string, number][];
  evidence?: { url: string; label: string };
  /** Corrects the activity's previous report (by its date). */
  corrects?: string;
}

/** Activities by the start of their description in the demo pledge, with their reports oldest first. */
const HISTORY: { activity: string; author: string; reports: DemoReport[] }[] = [
  {
    activity: 'Polisen fortsätter med täta kontakter med skolor',
    author: POLICE,
    reports: [
      { on: '2022-04-05', status: 'in_progress', reason: 'Arbetet har börjat enligt plan.', narrative: 'Kommunpolisen besöker högstadieskolorna varannan vecka och fritidsgårdarna på fredagskvällar.', counts: [['Skolbesök', 14], ['Kvällar på fritidsgårdar', 9]] },
      { on: '2022-09-06', status: 'in_progress', narrative: 'Färre besök under sommaren; fältarbete tillsammans med fritidsledarna i stället.', counts: [['Skolbesök', 11], ['Kvällar på fritidsgårdar', 12]] },
      { on: '2022-12-06', status: 'in_progress', narrative: 'Kontakterna fungerar. Skolorna hör själva av sig oftare än förra året.', counts: [['Skolbesök', 16], ['Kvällar på fritidsgårdar', 10]] },
      { on: '2023-04-04', status: 'in_progress', narrative: 'Nya kontaktpersoner på två skolor efter personalbyten.', counts: [['Skolbesök', 15], ['Kvällar på fritidsgårdar', 11]] },
      { on: '2023-09-05', status: 'in_progress', narrative: 'Besök vid skolstarten på alla högstadieskolor.', counts: [['Skolbesök', 12], ['Kvällar på fritidsgårdar', 8]] },
      { on: '2023-12-05', status: 'done', reason: 'Perioden är slut; kontakterna fortsätter i det nya löftet.', narrative: 'Arbetssättet har blivit ordinarie verksamhet.', counts: [['Skolbesök', 17], ['Kvällar på fritidsgårdar', 10]] },
    ],
  },
  {
    activity: 'Polisen genomför narkotikasök med hund',
    author: POLICE,
    reports: [
      { on: '2022-04-05', status: 'in_progress', reason: 'De första söken är gjorda.', narrative: 'Sök med narkotikahund på två skolor i samråd med rektorerna.', counts: [['Skolor där narkotikasök gjorts', 2]] },
      { on: '2022-09-06', status: 'delayed', reason: 'Hundföraren var tjänstledig under hösten och ingen ersättare fanns.', narrative: 'Inga sök sedan april. Nya sök planeras när hundföraren är tillbaka.', counts: [['Skolor där narkotikasök gjorts', 2]] },
      { on: '2022-12-06', status: 'in_progress', reason: 'Hundföraren är tillbaka i tjänst.', narrative: 'Sök på ytterligare tre skolor i november.', counts: [['Skolor där narkotikasök gjorts', 4]] },
      // Entered wrong (three, not two, schools in November) and corrected the next day.
      { on: '2022-12-06', status: 'in_progress', narrative: 'Sök på ytterligare tre skolor i november. Rättelse: antalet skolor var fem, inte fyra.', counts: [['Skolor där narkotikasök gjorts', 5]], corrects: '2022-12-06' },
      { on: '2023-04-04', status: 'in_progress', narrative: 'Två sök under våren, båda utan fynd.', counts: [['Skolor där narkotikasök gjorts', 7]] },
      { on: '2023-12-05', status: 'done', reason: 'Alla högstadie- och gymnasieskolor har fått minst ett sök under perioden.', narrative: 'Sammanlagt nio skolor. Rektorerna vill fortsätta nästa period.', counts: [['Skolor där narkotikasök gjorts', 9]] },
    ],
  },
  {
    activity: 'Kommunen mäter avloppsvattnet',
    author: MUNICIPALITY,
    reports: [
      { on: '2022-09-06', status: 'in_progress', reason: 'Avtal med laboratoriet är klart och de första proverna är tagna.', narrative: 'Provtagning vid reningsverken i Strängnäs och Mariefred en vecka per månad.', counts: [['Mätpunkter', 2]] },
      { on: '2023-04-04', status: 'in_progress', narrative: 'Åkers styckebruk har lagts till som tredje mätpunkt. Resultaten redovisas vid Brå-mötet.', counts: [['Mätpunkter', 3]] },
    ],
  },
  {
    activity: 'Kommunen bjuder i samverkan med polisen in till informationsmöten',
    author: MUNICIPALITY,
    reports: [
      { on: '2022-04-05', status: 'in_progress', reason: 'Det första informationsmötet är hållet.', narrative: 'Informationsmöte för personal inom förskola och skola, med kommunpolisen och socialtjänsten.', counts: [['Informationsmöten', 1], ['Deltagare', 64]] },
      { on: '2022-12-06', status: 'in_progress', narrative: 'Utbildning för föreningslivet och för hemtjänstens personal.', counts: [['Informationsmöten', 3], ['Deltagare', 141]] },
      { on: '2023-09-05', status: 'in_progress', narrative: 'Öppet möte för allmänheten i Mariefred.', counts: [['Informationsmöten', 4], ['Deltagare', 183]] },
      { on: '2023-12-05', status: 'done', reason: 'Alla planerade möten och utbildningar är genomförda.', narrative: 'Fem möten under perioden. Utvärderingen visar att fler vet vart de ska vända sig.', counts: [['Informationsmöten', 5], ['Deltagare', 212]], evidence: { url: 'https://www.strangnas.se/', label: 'Strängnäs kommuns webbplats' } },
    ],
  },
  {
    activity: 'Extra fokus under den nationella kampanjveckan En vecka fri från våld',
    author: MUNICIPALITY,
    reports: [
      { on: '2022-12-06', status: 'in_progress', reason: 'Kampanjveckan 2022 är genomförd.', narrative: 'Utställning på biblioteket, föreläsning och information i sociala medier under vecka 47–48.' },
      { on: '2023-12-05', status: 'done', reason: 'Kampanjveckan 2023 är genomförd, den sista under perioden.', narrative: 'Samma upplägg som 2022, med ett gemensamt pass med polisen på gymnasieskolan.' },
    ],
  },
  {
    activity: 'Kommunen utbildar fler medarbetare',
    author: MUNICIPALITY,
    reports: [
      { on: '2022-09-06', status: 'in_progress', reason: 'Utbildningen har startat.', narrative: 'Halvdagsutbildning för elevhälsan och fritidsgårdarna.', counts: [['Utbildade medarbetare', 38]] },
      { on: '2023-04-04', status: 'delayed', reason: 'Föreläsaren ställde in vårens två tillfällen.', narrative: 'Nya datum bokade till hösten.', counts: [['Utbildade medarbetare', 38]] },
      { on: '2023-09-05', status: 'in_progress', reason: 'De inställda tillfällena är ombokade och hållna.', narrative: 'Två tillfällen i augusti för skolans personal.', counts: [['Utbildade medarbetare', 96]] },
      { on: '2023-12-05', status: 'done', reason: 'Målgrupperna har fått utbildningen.', narrative: 'Sammanlagt 121 medarbetare. Utbildningen ingår nu i introduktionen för nyanställda.', counts: [['Utbildade medarbetare', 121]] },
    ],
  },
  {
    activity: 'Polisen kontrollerar trimmade mopeder',
    author: POLICE,
    reports: [
      { on: '2022-09-06', status: 'in_progress', reason: 'Sommarens kontroller är gjorda.', narrative: 'Kontroller i centrum och vid badplatserna, tillsammans med bilinspektörer.', counts: [['Kontrollerade fordon', 86], ['Fordon med förbud att köras', 11]] },
      { on: '2023-09-05', status: 'in_progress', narrative: 'Färre trimmade fordon än förra sommaren.', counts: [['Kontrollerade fordon', 74], ['Fordon med förbud att köras', 6]] },
      { on: '2023-12-05', status: 'done', reason: 'Båda säsongernas kontroller är gjorda.', narrative: 'Arbetet fortsätter som ordinarie verksamhet.', counts: [['Kontrollerade fordon', 160], ['Fordon med förbud att köras', 17]] },
    ],
  },
];

/** Adds the example history once: a pledge whose activities already have updates is left alone. */
export async function seedFollowUpDemo(db: Executor): Promise<number> {
  const strangnas = await findPartyBySlug(db, 'strangnas');
  if (!strangnas?.isDemo) return 0;
  const pledge = (await listPledgeSummariesOfParty(db, strangnas.id)).find((p) => p.periodSlug === '2022-2023' && p.isDemo);
  const doc = pledge ? await loadPledgeDocument(db, pledge.id) : null;
  if (!doc) return 0;
  const activities = doc.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities));
  if ((await listUpdatesOfActivities(db, activities.map((a) => a.id))).length > 0) return 0;
  let added = 0;
  for (const h of HISTORY) {
    const activity = activities.find((a) => a.description.startsWith(h.activity));
    if (!activity) throw new Error(`Demodata: ingen aktivitet som börjar med "${h.activity}"`);
    const ids = new Map<string, string>();
    for (const [i, r] of h.reports.entries()) {
      const row = await findActivityWithPledge(db, activity.id);
      const form: Record<string, string> = { version: String(row!.version), reportedOn: r.on, status: r.status, statusReason: r.reason ?? '', narrative: r.narrative };
      (r.counts ?? []).forEach(([label, value], n) => {
        form[`countLabel${n + 1}`] = label;
        form[`countValue${n + 1}`] = String(value);
      });
      if (r.evidence) Object.assign(form, { evidenceUrl: r.evidence.url, evidenceLabel: r.evidence.label });
      if (r.corrects) form.correctsUpdateId = ids.get(r.corrects)!;
      // Entered the morning after the day reported on (a correction a day later still), as a coordinator would.
      const enteredAt = new Date(`${r.on}T08:${String(10 + i).padStart(2, '0')}:00Z`);
      enteredAt.setUTCDate(enteredAt.getUTCDate() + (r.corrects ? 2 : 1));
      const u = await recordActivityUpdateAs({ db, clock: () => enteredAt }, { ...BY, authorName: h.author }, activity.id, form);
      ids.set(r.on, u.id);
      added++;
    }
  }
  return added;
}
