import { ChartDataTable, formatChartNumber, LineChart, summarizeChart, type ChartSeries, type ReferenceLine } from '../../../platform/views/charts/index.js';
import { CORRECTION_SETS } from '../correction-factors.js';
import type { Mean } from '../computation.js';
import { REFERENCE_SOURCE, type SubstanceReference } from '../reference.js';
import { weekLabel, type PeriodFigures, type SubstanceSeries, type WeekFigures } from '../series.js';
import { compareSv } from '../../../platform/text.js';
import { SUBSTANCE_INFO, type SubstanceCode } from '../substances.js';
import type { WastewaterView } from '../wastewater-service.js';
import type { WastewaterMessages } from './messages.js';

/**
 * The figures of one substance, as the public page and the staff page both show them: a chart for
 * the whole municipality and one per district on a shared scale, each with its data table and a
 * text summary. Districts come in alphabetical order; nothing here ever orders by level.
 */

type Lang = 'sv' | 'en';

export function substanceName(code: SubstanceCode, lang: Lang): string {
  const i = SUBSTANCE_INFO[code];
  return lang === 'en' ? i.nameEn : i.name;
}

export function substanceTitle(code: SubstanceCode, lang: Lang): string {
  const i = SUBSTANCE_INFO[code];
  const what = lang === 'en' ? i.indicatesEn : i.indicates;
  const name = lang === 'en' ? i.nameEn : i.name;
  return name.toLowerCase() === what.toLowerCase() ? name : `${name} (${what})`;
}

/** "12,3", or "< LOQ" when every day was below LOQ, or "–" when there were none. */
export function meanText(m: Mean, lang: Lang, w: WastewaterMessages): string {
  if (m.value === null) return '–';
  if (m.allBelowLoq) return w.lessThanLoq;
  return formatChartNumber(m.value, lang);
}

type Pick3 = (f: PeriodFigures) => Mean;
const PERIODS: { key: 'weekday' | 'weekend' | 'week'; pick: Pick3 }[] = [
  { key: 'weekday', pick: (f) => f.weekday },
  { key: 'weekend', pick: (f) => f.weekend },
  { key: 'week', pick: (f) => f.week },
];

/** A mean as a chart value: all-below-LOQ periods are a gap in the line (the table says "< LOQ"). */
function chartValue(m: Mean | undefined): number | null {
  if (!m || m.value === null || m.allBelowLoq) return null;
  return m.value;
}

function periodSeries(weeks: { week: string; figures: PeriodFigures | null }[], w: WastewaterMessages): { series: ChartSeries[]; means: Map<string, Mean>[] } {
  const labels = { weekday: w.weekday, weekend: w.weekend, week: w.wholeWeek };
  const means = PERIODS.map((p) => new Map(weeks.filter((x) => x.figures).map((x) => [x.week, p.pick(x.figures!)] as const)));
  const series = PERIODS.map((p, i) => ({
    label: labels[p.key],
    dashed: p.key === 'weekend',
    points: weeks.map((x) => ({ x: x.week, y: chartValue(means[i]!.get(x.week)) })),
  }));
  return { series, means };
}

function cellText(means: Map<string, Mean>[], lang: Lang, w: WastewaterMessages) {
  return (i: number, p: { x: string; y: number | null }) => {
    const m = means[i]?.get(p.x);
    if (!m || m.value === null) return undefined;
    if (m.allBelowLoq) return w.lessThanLoq;
    return formatChartNumber(m.value, lang);
  };
}

function FigureBlock(props: {
  id: string;
  title: string;
  caption: string;
  weeks: { week: string; figures: PeriodFigures | null }[];
  unit: string;
  lang: Lang;
  w: WastewaterMessages;
  references?: ReferenceLine[];
  yMax?: number;
  tableOpen?: boolean;
}) {
  const { w, lang } = props;
  const { series, means } = periodSeries(props.weeks, w);
  const fx = (x: string) => weekLabel(x, lang);
  const summary = summarizeChart({
    series,
    unit: props.unit,
    referenceLines: props.references,
    formatX: fx,
    lang,
    gapLabel: (i, x) => (means[i]?.get(x)?.allBelowLoq ? w.lessThanLoq : null),
  });
  const table = <ChartDataTable caption={props.caption} xHeader={w.week} series={series} formatX={fx} cellText={cellText(means, lang, w)} lang={lang} />;
  return (
    <figure class="wastewater-figure">
      <LineChart id={props.id} title={props.title} series={series} unit={props.unit} referenceLines={props.references} formatX={fx} description={summary} lang={lang} yMax={props.yMax} />
      <figcaption class="visually-hidden">{props.title}</figcaption>
      <details open={props.tableOpen}>
        <summary>{lang === 'sv' ? 'Siffrorna som tabell och text' : 'The figures as a table and text'}</summary>
        <p class="chart-summary">{summary}</p>
        {table}
      </details>
    </figure>
  );
}

function maxValue(s: SubstanceSeries): number {
  let max = 0;
  for (const wk of s.weeks) {
    for (const f of [wk.municipality, ...wk.districts]) {
      if (!f) continue;
      for (const p of PERIODS) {
        const v = chartValue(p.pick(f));
        if (v !== null && v > max) max = v;
      }
    }
  }
  return max;
}

export function unitOf(view: WastewaterView, w: WastewaterMessages): string {
  return view.query.measure === 'consumption' ? w.unitConsumption : w.unitPnl;
}

function HiddenNote({ weeks, w }: { weeks: WeekFigures[]; w: WastewaterMessages }) {
  const latest = [...weeks].reverse().find((x) => x.hiddenDistricts > 0);
  if (!latest) return null;
  return <p class="notice">{w.hiddenDistricts(latest.hiddenDistricts, latest.hiddenIncluded)}</p>;
}

export function SubstanceFigures(props: { view: WastewaterView; series: SubstanceSeries; lang: Lang; w: WastewaterMessages; idPrefix: string }) {
  const { view, series: s, lang, w } = props;
  const staff = view.audience === 'staff';
  const name = substanceName(s.substance, lang);
  const unit = unitOf(view, w);
  const ref = view.references[s.substance]?.latest ?? null;
  const refLines: ReferenceLine[] = ref && view.query.measure === 'pnl' && ref.week.value !== null ? [{ label: `${w.referenceShort(ref.year)} (${w.wholeWeek.toLowerCase()})`, y: ref.week.value }] : [];
  const yMax = Math.max(maxValue(s), ...refLines.map((r) => r.y));
  const districts = [...new Set(s.weeks.flatMap((wk) => wk.districts.map((d) => d.district)))].sort(compareSv);

  if (!s.available) return <p class="notice">{w.noFactor}</p>;

  return (
    <>
      {s.substance === 'amphetamine' ? <p class="notice">{w.amphetamineNote}</p> : null}
      {s.substance === 'amphetamine' && view.query.amphetamineCorrection ? <p>{w.amphetamineCorrected(s.uncorrectedDays)}</p> : null}
      {s.substance === 'morphine' ? <p class="notice">{w.morphineNote}</p> : null}
      {s.factor ? (
        <p>
          {w.consumptionNote(CORRECTION_SETS[view.settings.correctionSet].name)}{' '}
          {`${s.factor.parentDrug}: CF ${formatChartNumber(s.factor.cf, lang)} (${s.factor.source}).`}
        </p>
      ) : null}

      <h3 id={`${props.idPrefix}-kommun`}>{w.municipalityHeading}</h3>
      {s.weeks.some((wk) => wk.municipality) ? (
        <FigureBlock
          id={`${props.idPrefix}-kommun-diagram`}
          title={w.municipalityChart(name)}
          caption={w.tableCaption(`${name}, ${w.municipalityHeading.toLowerCase()}`, unit)}
          weeks={s.weeks.map((wk) => ({ week: wk.week, figures: wk.municipality }))}
          unit={unit}
          lang={lang}
          w={w}
          references={refLines}
          yMax={yMax}
          tableOpen
        />
      ) : (
        <p>{w.suppressedTotal}</p>
      )}

      <h3 id={`${props.idPrefix}-delar`}>{w.districtHeading}</h3>
      {!staff ? <HiddenNote weeks={s.weeks} w={w} /> : null}
      {districts.map((district, i) => {
        const weeks = s.weeks.map((wk) => ({ week: wk.week, figures: wk.districts.find((d) => d.district === district) ?? null }));
        const latest = [...weeks].reverse().find((x) => x.figures)?.figures as (PeriodFigures & { hidden?: boolean }) | undefined;
        const hidden = staff && s.weeks.some((wk) => wk.districts.some((d) => d.district === district && d.hidden));
        return (
          <section aria-labelledby={`${props.idPrefix}-d${i}`} class="district">
            <h4 id={`${props.idPrefix}-d${i}`}>
              {district}
              {hidden ? <span class="tag"> · {w.hiddenForPublic}</span> : null}
            </h4>
            {latest ? <p class="meta">{w.population(formatChartNumber(Math.round(latest.population), lang))}</p> : null}
            <FigureBlock
              id={`${props.idPrefix}-d${i}-diagram`}
              title={w.districtChart(name, district)}
              caption={w.tableCaption(`${name}, ${district}`, unit)}
              weeks={weeks}
              unit={unit}
              lang={lang}
              w={w}
              yMax={yMax}
            />
          </section>
        );
      })}
    </>
  );
}

export function ReferenceTable(props: { reference: SubstanceReference | undefined; substance: SubstanceCode; measure: 'pnl' | 'consumption'; lang: Lang; w: WastewaterMessages }) {
  const { w, lang } = props;
  if (props.measure !== 'pnl') return <p>{w.referenceConsumptionNote}</p>;
  if (!props.reference || props.reference.cities.length === 0) return <p>{w.referenceNone}</p>;
  return (
    <div class="table-scroll">
      <table class="chart-data">
        <caption>{w.comparisonCaption(substanceName(props.substance, lang))}</caption>
        <thead>
          <tr>
            <th scope="col">{w.city}</th>
            <th scope="col">{w.year}</th>
            <th scope="col">{w.weekday}</th>
            <th scope="col">{w.weekend}</th>
            <th scope="col">{w.wholeWeek}</th>
          </tr>
        </thead>
        <tbody>
          {props.reference.cities.map((c) => (
            <tr>
              <th scope="row">{c.city}</th>
              <td class="num">{c.year}</td>
              <td class="num">{meanText(c.weekday, lang, w)}</td>
              <td class="num">{meanText(c.weekend, lang, w)}</td>
              <td class="num">{meanText(c.week, lang, w)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The municipality's latest sampling week for every substance, beside the national reference. */
export function OverviewTable(props: { view: WastewaterView; lang: Lang; w: WastewaterMessages }) {
  const { view, lang, w } = props;
  const rows = view.series.substances
    .map((s) => ({ s, latest: [...s.weeks].reverse().find((wk) => wk.municipality) }))
    .filter((r): r is { s: SubstanceSeries; latest: WeekFigures } => r.latest !== undefined && r.s.available);
  if (rows.length === 0) return null;
  const weeks = [...new Set(rows.map((r) => r.latest.week))].sort();
  const lastWeek = weeks[weeks.length - 1]!;
  return (
    <div class="table-scroll">
      <table class="chart-data">
        <caption>{w.overviewCaption(weekLabel(lastWeek, lang))} ({unitOf(view, w)})</caption>
        <thead>
          <tr>
            <th scope="col">{w.substance}</th>
            <th scope="col">{w.weekday}</th>
            <th scope="col">{w.weekend}</th>
            <th scope="col">{w.wholeWeek}</th>
            {view.query.measure === 'pnl' ? <th scope="col">{w.reference}</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ s, latest }) => {
            const ref = view.references[s.substance]?.latest;
            const m = latest.municipality!;
            return (
              <tr>
                <th scope="row">
                  {substanceTitle(s.substance, lang)}
                  {latest.week !== lastWeek ? <span class="meta"> ({weekLabel(latest.week, lang)})</span> : null}
                </th>
                <td class="num">{meanText(m.weekday, lang, w)}</td>
                <td class="num">{meanText(m.weekend, lang, w)}</td>
                <td class="num">{meanText(m.week, lang, w)}</td>
                {view.query.measure === 'pnl' ? <td class="num">{ref ? `${meanText(ref.week, lang, w)} (${ref.year})` : '–'}</td> : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function Guidance(props: { view: WastewaterView; w: WastewaterMessages; lang: Lang; headingId: string }) {
  const { w } = props;
  return (
    <section aria-labelledby={props.headingId} class="guidance">
      <h2 id={props.headingId}>{w.guidanceHeading}</h2>
      <ul>
        {w.guidance.map((g) => (
          <li>{g}</li>
        ))}
      </ul>
      <p>{w.privacy(formatChartNumber(props.view.settings.publicationThreshold, props.lang))}</p>
    </section>
  );
}

export function Method(props: { w: WastewaterMessages; headingId: string }) {
  return (
    <section aria-labelledby={props.headingId}>
      <h2 id={props.headingId}>{props.w.methodHeading}</h2>
      {props.w.method.map((p) => (
        <p>{p}</p>
      ))}
      <p class="meta">
        {props.w.source} {REFERENCE_SOURCE}
      </p>
    </section>
  );
}
