import { randomUUID } from 'node:crypto';
import type { Executor } from '../../db/executor.js';
import { findPartyBySlug } from '../pledges/pledge-repo.js';
import { applyImport, readImport, startImport } from '../wastewater/import-service.js';
import { insertSite, listSites } from '../wastewater/wastewater-repo.js';

/**
 * An example series of wastewater measurements for Strängnäs, clearly labelled as example data
 * wherever it shows. Made up, but plausible: levels in the range EUDA reports for Swedish cities,
 * a little lower than the big cities, weekends higher for cocaine and MDMA. Two campaigns a year
 * over the 2022–2023 pledge: an ordinary week in March (Tuesday to Monday) and a payday weekend in
 * September (Thursday to Monday, around the 25th). Stallarholmen and Härad are below the
 * publication threshold, so the public never sees them separately. It goes through the same
 * import as a lab's file, so the demo also exercises the import.
 */

const SITES = [
  { code: 'EKO', name: 'Ekobackens reningsverk', district: 'Strängnäs tätort', population: [24_800, 25_300], factor: 1.0 },
  { code: 'MAR', name: 'Mariefreds reningsverk', district: 'Mariefred', population: [4_600, 4_650], factor: 0.85 },
  { code: 'AKE', name: 'Åkers styckebruks reningsverk', district: 'Åkers styckebruk', population: [3_300, 3_350], factor: 1.1 },
  { code: 'STA', name: 'Stallarholmens reningsverk', district: 'Stallarholmen', population: [1_650, 1_680], factor: 0.7 },
  { code: 'HAR', name: 'Härads pumpstation', district: 'Härad', population: [750, 760], factor: 0.6 },
] as const;

/** pnl (mg/day/1000 inh.) on weekdays and at weekends, and the lab's LOQ in ng/L. */
const SUBSTANCES = [
  { lab: 'bensoylekgonin', weekday: 55, weekend: 95, loq: 1, trend: 1.12 },
  { lab: 'amfetamin', weekday: 160, weekend: 175, loq: 5, trend: 1.05 },
  { lab: 'metamfetamin', weekday: 2.2, weekend: 2.6, loq: 2, trend: 1.0 },
  { lab: 'MDMA', weekday: 8, weekend: 16, loq: 1, trend: 0.95 },
  { lab: 'THC-COOH', weekday: 45, weekend: 46, loq: 10, trend: 1.08 },
  { lab: 'ketamin', weekday: 0.4, weekend: 0.9, loq: 2, trend: 1.1 },
] as const;

/** Campaign start dates and their number of days. */
const CAMPAIGNS = [
  { start: '2022-03-15', days: 7, year: 0 },
  { start: '2022-09-22', days: 5, year: 0 },
  { start: '2023-03-14', days: 7, year: 1 },
  { start: '2023-09-21', days: 5, year: 1 },
] as const;

/** The pump at Åker failed one Sunday: a missing day, as real series have. */
const MISSING = new Set(['AKE|2022-09-25']);

function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

function isWeekend(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return wd === 5 || wd === 6 || wd === 0 || wd === 1;
}

/** mulberry32: the same example data on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sv = (x: number, digits: number) => x.toFixed(digits).replace('.', ',');

/** The example lab file, as a Swedish lab would send it: semicolons, decimal commas, "<LOQ". */
export function strangnasDemoCsv(): string {
  const rnd = random(486);
  const lines = ['site_code;district;population;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l;below_loq'];
  for (const c of CAMPAIGNS) {
    for (let i = 0; i < c.days; i++) {
      const date = addDays(c.start, i);
      for (const site of SITES) {
        if (MISSING.has(`${site.code}|${date}`)) continue;
        const population = site.population[c.year]!;
        const flow = population * (0.29 + rnd() * 0.06) * (isWeekend(date) ? 0.97 : 1);
        for (const s of SUBSTANCES) {
          const base = isWeekend(date) ? s.weekend : s.weekday;
          const pnl = base * site.factor * (c.year === 1 ? s.trend : 1) * (0.8 + rnd() * 0.4);
          const conc = (pnl * population) / flow;
          const cell = conc < s.loq ? '<LOQ' : sv(conc, conc < 10 ? 2 : 1);
          lines.push([site.code, site.district, population, date, sv(flow, 0), s.lab, cell, sv(s.loq, 1), ''].join(';'));
        }
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Adds the example series when Strängnäs has no sampling sites yet; otherwise leaves everything alone. */
export async function seedWastewaterDemo(db: Executor): Promise<boolean> {
  const party = await findPartyBySlug(db, 'strangnas', 'municipality');
  if (!party || !party.isDemo) return false;
  if ((await listSites(db, party.id)).length > 0) return false;
  const deps = { db, clock: () => new Date() };
  const now = deps.clock().toISOString();
  for (const s of SITES) {
    await insertSite(db, { id: randomUUID(), partyId: party.id, code: s.code, name: s.name, district: s.district, population: s.population[0], isDemo: true }, now);
  }
  const id = await startImport(deps, { partyId: party.id, filename: 'exempel-strangnas-avloppsvatten.csv', source: 'demo', actor: null, actorLabel: 'exempeldata' });
  const read = await readImport(deps, id, strangnasDemoCsv());
  if (read.status !== 'ready') throw new Error(`Demodata för avloppsvatten kunde inte läsas: ${read.error_message}`);
  await applyImport(deps, id, null, { actorLabel: 'exempeldata', skipAuthorization: true });
  return true;
}
