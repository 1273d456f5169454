import { stringify } from 'csv-stringify/sync';
import { CORRECTION_SETS } from './correction-factors.js';
import type { Mean } from './computation.js';
import { REFERENCE_SOURCE } from './reference.js';
import type { PeriodFigures } from './series.js';
import { SUBSTANCE_INFO } from './substances.js';
import type { WastewaterView } from './wastewater-service.js';

/**
 * The one JSON shape of a municipality's wastewater figures: the API, the JSON download and
 * `loften wastewater summary` all print exactly this. Built from a WastewaterView, so whatever
 * the view suppressed is simply not there.
 */

export const UNIT = { pnl: 'mg/dygn per 1 000 invånare', consumption: 'mg/dygn per 1 000 invånare (skattad konsumtion)' } as const;

export const CAVEATS_SV = [
  'Resultaten gäller rent ämne, inte gatuvikt.',
  'Mätningen beskriver ett helt upptagningsområde, inte enskilda personer.',
  'Den analytiska osäkerheten är ofta 6–26 procent; omräkningen till konsumtion lägger till mer.',
  'Amfetamin som läkemedel (ADHD) går inte att skilja från illegal användning.',
  'Värden under kvantifieringsgränsen (LOQ) räknas som 0 i medelvärden; är alla värden under LOQ visas "< LOQ".',
  'Resultaten ska läsas tillsammans med andra indikatorer, inte ensamma.',
];

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export interface MeanJson {
  /** null when there were no days, or when every day was below LOQ (then `belowLoq` is true). */
  value: number | null;
  days: number;
  belowLoq: boolean;
}

export function meanJson(m: Mean): MeanJson {
  return { value: m.value === null || m.allBelowLoq ? null : round(m.value), days: m.days, belowLoq: m.allBelowLoq };
}

function periodJson(p: PeriodFigures) {
  return { population: Math.round(p.population), weekday: meanJson(p.weekday), weekend: meanJson(p.weekend), week: meanJson(p.week) };
}

export function presentWastewater(view: WastewaterView) {
  const staff = view.audience === 'staff';
  return {
    municipality: { code: view.party.municipalityCode, name: view.party.name, slug: view.party.slug },
    isExampleData: view.isDemo,
    audience: view.audience,
    measure: view.query.measure,
    unit: UNIT[view.query.measure],
    belowLoq: view.query.belowLoq,
    amphetamineCorrection: view.query.amphetamineCorrection,
    correctionFactorSet: view.query.measure === 'consumption' ? { code: view.settings.correctionSet, name: CORRECTION_SETS[view.settings.correctionSet].name } : null,
    publicationThreshold: view.settings.publicationThreshold,
    from: view.query.from,
    to: view.query.to,
    weekdays: 'tisdag–torsdag',
    weekend: 'fredag–måndag',
    substances: view.series.substances.map((s) => {
      const ref = view.references[s.substance]?.latest ?? null;
      return {
        code: s.substance,
        name: SUBSTANCE_INFO[s.substance].name,
        indicates: SUBSTANCE_INFO[s.substance].indicates,
        available: s.available,
        correctionFactor: s.factor ? { cf: s.factor.cf, excretionFraction: s.factor.excretionFraction, parentDrug: s.factor.parentDrug, source: s.factor.source } : null,
        ...(view.query.amphetamineCorrection && s.substance === 'amphetamine' ? { uncorrectedDays: s.uncorrectedDays } : {}),
        weeks: s.weeks.map((w) => ({
          week: w.week,
          label: w.label,
          municipality: w.municipality ? periodJson(w.municipality) : null,
          districts: w.districts.map((d) => ({ district: d.district, ...(staff ? { hidden: d.hidden } : {}), ...periodJson(d) })),
          districtsNotShown: staff ? 0 : w.hiddenDistricts,
          notShownIncludedInTotal: w.hiddenIncluded,
        })),
        nationalReference:
          ref && view.query.measure === 'pnl'
            ? { source: 'EUDA', year: ref.year, cities: ref.cities, weekday: meanJson(ref.weekday), weekend: meanJson(ref.weekend), week: meanJson(ref.week) }
            : null,
      };
    }),
    caveats: CAVEATS_SV,
    referenceSource: REFERENCE_SOURCE,
  };
}

export type WastewaterJson = ReturnType<typeof presentWastewater>;

const svNumber = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 3, useGrouping: false });

/**
 * The same figures as a Swedish spreadsheet reads them: semicolons, decimal commas, a BOM so
 * Excel picks UTF-8. One row per substance, week, area and period.
 */
export function wastewaterCsv(view: WastewaterView): string {
  const json = presentWastewater(view);
  const rows: (string | number)[][] = [];
  const periods = [
    ['weekday', 'vardag (tis–tor)'],
    ['weekend', 'helg (fre–mån)'],
    ['week', 'hela veckan'],
  ] as const;
  const staff = view.audience === 'staff';
  for (const s of json.substances) {
    for (const w of s.weeks) {
      const areas = [...(w.municipality ? [{ name: 'Hela kommunen', hidden: false, ...w.municipality }] : []), ...w.districts.map((d) => ({ name: d.district, hidden: 'hidden' in d ? Boolean(d.hidden) : false, ...d }))];
      for (const a of areas) {
        for (const [key, label] of periods) {
          const m = a[key];
          rows.push([
            s.name,
            s.indicates,
            w.week,
            w.label,
            a.name,
            ...(staff ? [a.hidden ? 'ja' : 'nej'] : []),
            a.population,
            label,
            m.value === null ? '' : svNumber.format(m.value),
            m.belowLoq ? '< LOQ' : '',
            m.days,
            json.unit,
          ]);
        }
      }
    }
  }
  const header = ['substans', 'indikerar', 'vecka_fran_tisdag', 'vecka', 'omrade', ...(staff ? ['visas_ej_publikt'] : []), 'anslutna_invanare', 'period', 'varde', 'under_loq', 'antal_dygn', 'enhet'];
  return `\uFEFF${stringify([header, ...rows], { delimiter: ';', record_delimiter: '\r\n' })}`;
}
