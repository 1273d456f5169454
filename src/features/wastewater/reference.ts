import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mean, populationWeightedTotal, type Mean } from './computation.js';
import { SUBSTANCE_INFO, type SubstanceCode } from './substances.js';
import { compareSv } from '../../platform/text.js';

/**
 * The national reference: EUDA's published per-day pnl values for Swedish treatment plants
 * (reference/euda-sweden-wastewater.csv, see its README entry in docs/decisions/wastewater.md).
 * A zero in that file may mean "below LOQ" or "not analysed", so zeros are treated as unknown.
 */

export interface ReferenceRow {
  city: string;
  plant: string;
  population: number;
  year: number;
  substance: string;
  weekday: string;
  pnl: number | null;
}

export interface CityYear {
  city: string;
  plant: string;
  population: number;
  year: number;
  weekday: Mean;
  weekend: Mean;
  week: Mean;
}

export interface SubstanceReference {
  substance: SubstanceCode;
  /** Every city and year with at least one known value, by city then year. */
  cities: CityYear[];
  /** The latest year with data: population-weighted over the cities measured that year. */
  latest: { year: number; cities: string[]; weekday: Mean; weekend: Mean; week: Mean } | null;
}

export const REFERENCE_SOURCE =
  'EUDA (EU:s narkotikabyrå, tidigare EMCDDA), "Wastewater analysis and drugs — a European multi-city study", publicerade källdata som öppna data.';

const here = dirname(fileURLToPath(import.meta.url));

/** The file is small (under 500 rows) and plain: split by comma, no quoting in it. */
export function parseReference(text: string): ReferenceRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`euda-sweden-wastewater.csv saknar kolumnen ${name}`);
    return i;
  };
  const c = { city: col('city'), plant: col('plant'), population: col('population'), year: col('year'), substance: col('substance'), weekday: col('weekday'), pnl: col('pnl_mg_per_day_per_1000') };
  return lines.slice(1).map((l) => {
    const f = l.split(',');
    const pnl = Number(f[c.pnl]);
    return {
      city: f[c.city]!,
      plant: f[c.plant]!,
      population: Number(f[c.population]),
      year: Number(f[c.year]),
      substance: f[c.substance]!,
      weekday: f[c.weekday]!,
      pnl: Number.isFinite(pnl) && pnl > 0 ? pnl : null,
    };
  });
}

const WEEKDAYS = new Set(['tuesday', 'wednesday', 'thursday']);

export function summariseReference(rows: readonly ReferenceRow[], substance: SubstanceCode): SubstanceReference {
  const key = SUBSTANCE_INFO[substance].euda;
  const cities: CityYear[] = [];
  if (key) {
    const groups = new Map<string, ReferenceRow[]>();
    for (const r of rows) {
      if (r.substance !== key || r.pnl === null) continue;
      const k = `${r.city}|${r.year}`;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    for (const group of groups.values()) {
      const days = (filter: (r: ReferenceRow) => boolean) =>
        mean(group.filter(filter).map((r) => ({ date: r.weekday, value: r.pnl!, belowLoq: false, population: r.population })));
      const first = group[0]!;
      cities.push({
        city: first.city,
        plant: first.plant,
        population: first.population,
        year: first.year,
        weekday: days((r) => WEEKDAYS.has(r.weekday)),
        weekend: days((r) => !WEEKDAYS.has(r.weekday)),
        week: days(() => true),
      });
    }
    cities.sort((a, b) => compareSv(a.city, b.city) || a.year - b.year);
  }
  if (cities.length === 0) return { substance, cities, latest: null };
  const year = Math.max(...cities.map((c) => c.year));
  const that = cities.filter((c) => c.year === year);
  const total = (pick: (c: CityYear) => Mean) => populationWeightedTotal(that.map((c) => ({ mean: pick(c), population: c.population }))).mean;
  return {
    substance,
    cities,
    latest: { year, cities: that.map((c) => c.city), weekday: total((c) => c.weekday), weekend: total((c) => c.weekend), week: total((c) => c.week) },
  };
}

let cached: ReferenceRow[] | null = null;

/** Read once per process: reference data that changes only with a new release of the app. */
export function referenceRows(): ReferenceRow[] {
  cached ??= parseReference(readFileSync(join(here, 'reference', 'euda-sweden-wastewater.csv'), 'utf8'));
  return cached;
}

export function nationalReference(substance: SubstanceCode): SubstanceReference {
  return summariseReference(referenceRows(), substance);
}
