import { Layout, type PageContext } from '../../platform/views/layout.js';
import { href } from '../../platform/views/links.js';
import { periodLabel } from '../pledges/pledge.js';
import type { IndexEntry } from '../pledges/pledge-service.js';

export function IndexPage(props: { ctx: PageContext; entries: IndexEntry[]; query: string; onlyInForce: boolean }) {
  const { ctx, entries, query } = props;
  const m = ctx.m.index;
  const searched = query !== '' || props.onlyInForce;
  return (
    <Layout ctx={ctx} title={m.title} description={ctx.m.tagline}>
      <h1>{m.heading}</h1>
      <p class="lead">{m.intro}</p>
      <form method="get" action="/" class="search" role="search">
        {ctx.locale !== 'sv' ? <input type="hidden" name="lang" value={ctx.locale} /> : null}
        <label for="q">{m.searchLabel}</label>
        <div class="search-row">
          <input id="q" name="q" type="search" value={query} autoComplete="off" />
          <button type="submit">{m.searchButton}</button>
        </div>
        <div class="check">
          <input id="aktuella" name="aktuella" type="checkbox" value="1" checked={props.onlyInForce} />
          <label for="aktuella">{m.onlyInForce}</label>
        </div>
      </form>
      <p role="status" class="count">
        {m.resultsCount(entries.length)}
        {query ? ` ${m.resultsFor(query)}` : ''}
      </p>
      {entries.length === 0 ? (
        <p>{searched ? m.noResults : m.empty}</p>
      ) : (
        <table class="list">
          <caption class="visually-hidden">{m.heading}</caption>
          <thead>
            <tr>
              <th scope="col">{m.colMunicipality}</th>
              <th scope="col">{m.colCounty}</th>
              <th scope="col">{m.colPeriod}</th>
              <th scope="col">{m.colStatus}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.municipality.id}>
                <th scope="row">
                  <a href={href(`/kommun/${e.municipality.slug}`, ctx.locale)}>{e.municipality.name}</a>
                </th>
                <td>{e.municipality.county ?? ''}</td>
                <td>{periodLabel(e.pledge)}</td>
                <td>{e.inForce ? <strong class="badge ok">{m.inForce}</strong> : m.latest}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
