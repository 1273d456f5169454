import { formatDate } from '../../../platform/views/format.js';
import { Layout, type PageContext } from '../../../platform/views/layout.js';
import { href } from '../../../platform/views/links.js';
import { periodLabel, swedishDate } from '../../pledges/pledge.js';
import type { Overview, OverviewFilter, OverviewRow } from '../overview-service.js';

/** /oversikt: one table over every municipality, filterable without JavaScript (a GET form). */

export function pledgeState(r: OverviewRow, today: string, m: PageContext['m']): string {
  if (!r.pledge) return m.overview.noPledge;
  const period = periodLabel(r.pledge);
  if (r.inForce) return m.overview.inForce(period);
  return r.pledge.startsOn > today ? m.overview.upcoming(period) : m.overview.latest(period);
}

export function OverviewPage({ ctx, overview, filter, today, csvHref }: { ctx: PageContext; overview: Overview; filter: OverviewFilter; today: string; csvHref: string }) {
  const { m } = ctx;
  const o = m.overview;
  return (
    <Layout ctx={ctx} title={o.title} description={o.intro}>
      <nav aria-label={m.lang === 'sv' ? 'Brödsmulor' : 'Breadcrumbs'} class="crumbs">
        <a href={href('/', ctx.locale)}>{m.siteName}</a> › <span aria-current="page">{o.title}</span>
      </nav>
      <h1>{o.title}</h1>
      <p class="lead">{o.intro}</p>

      <form method="get" action="/oversikt" class="filters" aria-labelledby="filter-heading">
        <h2 id="filter-heading" class="visually-hidden">
          {o.filtersHeading}
        </h2>
        {ctx.locale === 'en' ? <input type="hidden" name="lang" value="en" /> : null}
        <div class="field">
          <label for="f-lan">{o.countyLabel}</label>
          <select id="f-lan" name="lan">
            <option value="">{o.allCounties}</option>
            {overview.counties.map((c) => (
              <option value={c} selected={c === filter.county}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-fokus">{o.focusLabel}</label>
          <p class="hint" id="f-fokus-hint">
            {o.focusHint}
          </p>
          <input id="f-fokus" name="fokus" type="search" value={filter.focus ?? ''} aria-describedby="f-fokus-hint" />
        </div>
        <div class="check">
          <input id="f-aktuella" name="aktuella" type="checkbox" value="1" checked={filter.onlyInForce} />
          <label for="f-aktuella">{o.onlyInForce}</label>
        </div>
        <button type="submit">{o.apply}</button>
      </form>

      <p role="status">
        {o.resultsCount(overview.rows.length, overview.total)} ·{' '}
        <a href={csvHref} type="text/csv" download>
          {o.downloadCsv}
        </a>
      </p>

      {overview.rows.length === 0 ? (
        <p>{o.noResults}</p>
      ) : (
        <div class="table-scroll" role="region" aria-label={o.caption} tabIndex={0}>
          <table class="overview">
            <caption class="visually-hidden">{o.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{o.colMunicipality}</th>
                <th scope="col">{o.colCounty}</th>
                <th scope="col">{o.colPledge}</th>
                <th scope="col">{o.colFocusAreas}</th>
                <th scope="col">{o.colActivities}</th>
                <th scope="col">{o.colFollowUp}</th>
              </tr>
            </thead>
            <tbody>
              {overview.rows.map((r) => (
                <tr key={r.municipality.id}>
                  <th scope="row">{r.pledge ? <a href={href(`/kommun/${r.municipality.slug}/${r.pledge.periodSlug}`, ctx.locale)}>{r.municipality.name}</a> : r.municipality.name}</th>
                  <td>{r.municipality.county ?? '–'}</td>
                  <td>{pledgeState(r, today, m)}</td>
                  <td>
                    {r.focusAreas.length === 0 ? (
                      '–'
                    ) : (
                      <ul>
                        {r.focusAreas.map((t) => (
                          <li>{t}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    {r.pledge ? o.activitySummary(r.activities.done, r.activities.total) : '–'}
                    {r.activities.delayed > 0 ? <span class="s-delayed">{`, ${r.activities.delayed} ${m.status.delayed.toLocaleLowerCase(m.lang)}`}</span> : null}
                    {r.activities.in_progress > 0 ? `, ${r.activities.in_progress} ${m.status.in_progress.toLocaleLowerCase(m.lang)}` : null}
                  </td>
                  <td>
                    {r.lastFollowUp ? (
                      <>
                        <time dateTime={swedishDate(new Date(r.lastFollowUp))}>{formatDate(swedishDate(new Date(r.lastFollowUp)), m)}</time>
                        <br />
                        <span class="muted">{o.freshness[r.freshness]}</span>
                      </>
                    ) : r.pledge ? (
                      o.neverFollowedUp
                    ) : (
                      '–'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted">{o.followUpNote}</p>
    </Layout>
  );
}
