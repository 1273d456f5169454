import type { Messages } from '../../../platform/i18n/index.js';
import { Sparkline } from '../../../platform/views/charts/sparkline.js';
import type { PageContext } from '../../../platform/views/layout.js';
import { href } from '../../../platform/views/links.js';
import { hasNumber, latestNumeric, periodPosition, seriesOf, trendFrom, type IndicatorValue, type Reference, type Unit } from '../indicator.js';
import type { PledgeIndicator } from '../indicator-service.js';
import { formatPeriod, formatReading, formatValue, indicatorSentence } from '../indicator-text.js';

/** Every figure of a series in words, for the sparkline's description: "2019: 13 %; 2021: redovisas inte; …". */
export function seriesInWords(series: readonly IndicatorValue[], unit: Unit, m: Messages): string {
  return series.map((v) => `${formatPeriod(v.period, m)}: ${formatReading(v, unit, m)}${v.status === 'preliminary' ? ` (${m.indicators.valueStatus.preliminary.toLocaleLowerCase(m.lang)})` : ''}`).join('; ');
}

export function IndicatorSparkline(props: { id: string; name: string; unit: Unit; series: IndicatorValue[]; baseline: Reference | null; target: Reference | null; m: Messages }) {
  const { m } = props;
  return (
    <Sparkline
      id={props.id}
      title={m.indicators.sparklineTitle(props.name)}
      description={seriesInWords(props.series, props.unit, m) || m.indicators.noValues}
      points={props.series.map((v) => ({ x: periodPosition(v.period), y: hasNumber(v.status) ? v.value : null, open: v.status === 'preliminary' }))}
      baseline={props.baseline ? { x: props.baseline.year, y: props.baseline.value } : null}
      target={props.target ? { x: props.target.year, y: props.target.value } : null}
    />
  );
}

/** The pledge page's indicator section: per linked indicator a sparkline, the sentence and the three figures. */
export function PledgeIndicators({ ctx, items }: { ctx: PageContext; items: PledgeIndicator[] }) {
  if (items.length === 0) return null;
  const { m } = ctx;
  const t = m.indicators;
  return (
    <section aria-labelledby="indikatorer" class="indicators">
      <h2 id="indikatorer">{t.sectionHeading}</h2>
      <p>{t.sectionIntro}</p>
      <ul class="indicator-list">
        {items.map((it) => {
          const series = seriesOf(it.values);
          const latest = latestNumeric(series);
          const unit = it.indicator.unit;
          // Only a figure newer than the baseline says anything about the direction.
          const newer = latest && it.baseline && latest.period > String(it.baseline.year) ? latest : null;
          const trend = trendFrom(it.indicator.direction, it.baseline?.value ?? null, newer?.value ?? null);
          return (
            <li key={it.linkId} class="indicator-card">
              <h3>{it.indicator.name}</h3>
              <p class="muted">{[it.focusAreaTitle, it.commitmentTitle].filter(Boolean).join(' › ')}</p>
              <div class="indicator-row">
                <IndicatorSparkline id={`spark-${it.linkId}`} name={it.indicator.name} unit={unit} series={series} baseline={it.baseline} target={it.target} m={m} />
                <p class="indicator-sentence">{indicatorSentence(it.indicator, it, series, m)}</p>
              </div>
              <dl class="indicator-figures">
                <div>
                  <dt>{t.baseline}</dt>
                  <dd>{it.baseline ? `${formatValue(it.baseline.value, unit, m)} (${it.baseline.year})` : t.none}</dd>
                </div>
                <div>
                  <dt>{t.latest}</dt>
                  <dd>
                    {latest ? `${formatValue(latest.value, unit, m)} (${formatPeriod(latest.period, m)})` : t.none}
                    {latest?.status === 'preliminary' ? `, ${t.valueStatus.preliminary.toLocaleLowerCase(m.lang)}` : ''}
                  </dd>
                </div>
                <div>
                  <dt>{t.target}</dt>
                  <dd>{it.target ? `${formatValue(it.target.value, unit, m)} (${it.target.year})` : t.none}</dd>
                </div>
                <div>
                  <dt>{t.directionLabel}</dt>
                  <dd>
                    {t.direction[it.indicator.direction]}. <span class={`badge trend-${trend}`}>{t.trend[trend]}</span>
                  </dd>
                </div>
              </dl>
              <p>
                <a href={href(`/indikatorer/${it.indicator.id}`, ctx.locale)}>{t.pageLink(it.indicator.name)}</a>
                <span class="muted"> · {t.source[it.indicator.source]}</span>
              </p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
