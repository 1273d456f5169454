import { LineChart, type ChartSeries, type ReferenceLine } from '../../../platform/views/charts/index.js';
import { Layout, type PageContext } from '../../../platform/views/layout.js';
import { href } from '../../../platform/views/links.js';
import { GENDERS, expectedFrom, hasNumber, seriesOf, type Gender, type IndicatorValue } from '../indicator.js';
import type { PublicIndicator } from '../indicator-service.js';
import { formatMonth, formatPeriod, formatReading, indicatorSentence } from '../indicator-text.js';
import { IndicatorSparkline } from './pledge-indicators.js';

/** /indikatorer/{id}: the whole series, a chart with its data table, what the indicator is and what it follows up. */
export function IndicatorPage({ ctx, data, today }: { ctx: PageContext; data: PublicIndicator; today: string }) {
  const { m } = ctx;
  const t = m.indicators;
  const { indicator, party, links } = data;
  const unit = indicator.unit;
  const genders = GENDERS.filter((g) => data.values.some((v) => v.gender === g));
  const total = seriesOf(data.values, 'T');
  const periods = [...new Set(data.values.map((v) => v.period))].sort();
  const cell = new Map(data.values.map((v) => [`${v.period}|${v.gender}`, v]));
  const series: ChartSeries[] = genders.map((g) => ({
    label: t.gender[g],
    points: seriesOf(data.values, g).map((v) => ({ x: v.period, y: hasNumber(v.status) ? v.value : null })),
  }));
  const first = links[0];
  const refs: ReferenceLine[] = [];
  if (first?.baseline) refs.push({ label: `${t.baseline} ${first.baseline.year}`, y: first.baseline.value });
  if (first?.target) refs.push({ label: `${t.target} ${first.target.year}`, y: first.target.value });
  const last = total[total.length - 1];
  const next = last && /^\d{4}$/.test(last.period) ? String(Number(last.period) + (hasNumber(last.status) ? 1 : 0)) : null;
  const due = next ? expectedFrom(next, indicator.reportingLagMonths) : null;
  const partyHref = party.kind === 'municipality' ? href(`/kommun/${party.slug}`, ctx.locale) : null;
  const valueNote = (v: IndicatorValue) =>
    v.previous ? t.corrected(formatReading(v.previous, unit, m), v.previous.correctedAt.slice(0, 10)) : null;

  return (
    <Layout ctx={ctx} title={indicator.name} description={indicator.definition || indicator.name}>
      <nav aria-label={m.lang === 'sv' ? 'Brödsmulor' : 'Breadcrumbs'} class="crumbs">
        <a href={href('/', ctx.locale)}>{m.siteName}</a> › {partyHref ? <a href={partyHref}>{party.name}</a> : party.name} › <span aria-current="page">{indicator.name}</span>
      </nav>
      {indicator.isDemo ? (
        <p class="notice demo" role="note">
          {t.demoNotice}
        </p>
      ) : null}
      <h1>{indicator.name}</h1>
      {indicator.definition ? <p class="lead">{indicator.definition}</p> : null}

      <section aria-labelledby="foljer-upp">
        <h2 id="foljer-upp">{t.linksHeading}</h2>
        <ul class="indicator-list">
          {links.map((l) => {
            const pledgeHref = data.pledgeHrefs.get(l.place.pledgeId);
            return (
              <li key={l.id} class="indicator-card">
                <h3>{pledgeHref ? <a href={href(pledgeHref, ctx.locale)}>{l.place.pledgeTitle}</a> : l.place.pledgeTitle}</h3>
                <p class="muted">{[l.place.focusAreaTitle, l.place.commitmentTitle].filter(Boolean).join(' › ')}</p>
                <div class="indicator-row">
                  <IndicatorSparkline id={`spark-${l.id}`} name={indicator.name} unit={unit} series={total} baseline={l.baseline} target={l.target} m={m} />
                  <p class="indicator-sentence">{indicatorSentence(indicator, l, total, m)}</p>
                </div>
              </li>
            );
          })}
        </ul>
      </section>

      <section aria-labelledby="alla-varden">
        <h2 id="alla-varden">{t.seriesHeading}</h2>
        {periods.length === 0 ? (
          <p>{t.noValues}</p>
        ) : (
          <>
            <LineChart
              id="indikator-diagram"
              title={t.chartTitle(indicator.name)}
              series={series}
              unit={t.unitName[unit]}
              referenceLines={refs}
              formatX={(x) => formatPeriod(x, m)}
              lang={m.lang === 'en' ? 'en' : 'sv'}
            />
            <div class="table-scroll" role="region" aria-label={t.tableCaption(indicator.name)} tabIndex={0}>
              <table class="indicator-values">
                <caption>{t.tableCaption(indicator.name)}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.colPeriod}</th>
                    {genders.map((g) => (
                      <th scope="col" key={g} class="num">
                        {t.gender[g]}
                      </th>
                    ))}
                    <th scope="col">{t.colNote}</th>
                  </tr>
                </thead>
                <tbody>
                  {periods.map((p) => {
                    const notes = genders
                      .map((g) => cell.get(`${p}|${g}`))
                      .filter((v): v is IndicatorValue => Boolean(v?.previous))
                      .map((v) => `${genders.length > 1 ? `${t.gender[v.gender as Gender]}: ` : ''}${valueNote(v)}`);
                    return (
                      <tr key={p}>
                        <th scope="row">{formatPeriod(p, m)}</th>
                        {genders.map((g) => {
                          const v = cell.get(`${p}|${g}`);
                          return (
                            <td key={g} class={v && v.value === null ? 'num missing' : 'num'}>
                              {v ? formatReading(v, unit, m) : t.none}
                              {v?.status === 'preliminary' ? ` (${t.valueStatus.preliminary.toLocaleLowerCase(m.lang)})` : ''}
                            </td>
                          );
                        })}
                        <td>{notes.join('; ')}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {genders.length > 1 ? <p class="muted">{t.genderNote}</p> : null}
          </>
        )}
        {due && next && `${due}-01` > today ? <p>{t.nextExpected(next, formatMonth(due, m))}</p> : null}
        <p>
          <a href={`/indikatorer/${indicator.id}/varden.csv`} type="text/csv" download>
            {t.downloadCsv}
          </a>
        </p>
      </section>

      <section aria-labelledby="om-indikatorn">
        <h2 id="om-indikatorn">{t.aboutHeading}</h2>
        <dl class="facts">
          <dt>{t.sourceLabel}</dt>
          <dd>
            {[t.source[indicator.source], indicator.koladaKpi ? t.koladaLink(indicator.koladaKpi) : null, indicator.sourceDetail || null].filter(Boolean).join(', ')}
          </dd>
          <dt>{t.unitLabel}</dt>
          <dd>{t.unitName[unit]}</dd>
          <dt>{t.directionLabel}</dt>
          <dd>{t.direction[indicator.direction]}</dd>
          <dt>{t.levelLabel}</dt>
          <dd>{[t.level[indicator.level], indicator.areaName ?? party.name].join(': ')}</dd>
          <dt>{t.lagLabel}</dt>
          <dd>{t.lagMonths(indicator.reportingLagMonths)}</dd>
        </dl>
      </section>
    </Layout>
  );
}
