import { Layout, type PageContext } from '../../../platform/views/layout.js';
import { href } from '../../../platform/views/links.js';
import { SUBSTANCE_SLUG, type SubstanceCode } from '../substances.js';
import type { ViewQuery, WastewaterView } from '../wastewater-service.js';
import { Guidance, Method, OverviewTable, ReferenceTable, SubstanceFigures, substanceTitle } from './figures.js';
import { wastewaterMessages, type WastewaterMessages } from './messages.js';

/** The page's own query parameters, as the filter form writes them (defaults left out). */
export function pageParams(q: ViewQuery, substance?: SubstanceCode | null): Record<string, string | undefined> {
  const s = substance === undefined ? q.substances?.[0] : substance;
  return {
    substans: s ? SUBSTANCE_SLUG[s] : undefined,
    fran: q.from ?? undefined,
    till: q.to ?? undefined,
    matt: q.measure === 'consumption' ? 'konsumtion' : undefined,
    loq: q.belowLoq === 'half-loq' ? 'halva' : undefined,
    amfetamin: q.amphetamineCorrection ? 'korrigerad' : undefined,
  };
}

export function FilterForm(props: { view: WastewaterView; chosen: SubstanceCode | null; action: string; w: WastewaterMessages; lang: 'sv' | 'en' }) {
  const { view, w, lang } = props;
  const q = view.query;
  return (
    <form method="get" action={props.action} class="filters" aria-labelledby="filter-heading">
      <h2 id="filter-heading">{w.filterHeading}</h2>
      {lang === 'en' ? <input type="hidden" name="lang" value="en" /> : null}
      <div class="field">
        <label for="f-substans">{w.substance}</label>
        <select id="f-substans" name="substans">
          {view.availableSubstances.map((s) => (
            <option value={SUBSTANCE_SLUG[s]} selected={s === props.chosen}>
              {substanceTitle(s, lang)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-fran">{w.from}</label>
        <input id="f-fran" name="fran" type="date" value={q.from ?? ''} min={view.firstDate ?? undefined} max={view.lastDate ?? undefined} />
      </div>
      <div class="field">
        <label for="f-till">{w.to}</label>
        <input id="f-till" name="till" type="date" value={q.to ?? ''} min={view.firstDate ?? undefined} max={view.lastDate ?? undefined} />
      </div>
      <div class="field">
        <label for="f-matt">{w.measure}</label>
        <select id="f-matt" name="matt">
          <option value="pnl" selected={q.measure === 'pnl'}>
            {w.measurePnl}
          </option>
          <option value="konsumtion" selected={q.measure === 'consumption'}>
            {w.measureConsumption}
          </option>
        </select>
      </div>
      <div class="field">
        <label for="f-loq">{w.belowLoq}</label>
        <select id="f-loq" name="loq">
          <option value="noll" selected={q.belowLoq === 'zero'}>
            {w.belowLoqZero}
          </option>
          <option value="halva" selected={q.belowLoq === 'half-loq'}>
            {w.belowLoqHalf}
          </option>
        </select>
      </div>
      <div class="field">
        <label for="f-amfetamin">{w.amphetamine}</label>
        <select id="f-amfetamin" name="amfetamin">
          <option value="okorrigerad" selected={!q.amphetamineCorrection}>
            {w.amphetamineRaw}
          </option>
          <option value="korrigerad" selected={q.amphetamineCorrection}>
            {w.amphetamineCorrectedOption}
          </option>
        </select>
      </div>
      <button type="submit">{w.show}</button>
    </form>
  );
}

/** Which substance the page details: the one asked for, else the first with data. */
export function chosenSubstance(view: WastewaterView): SubstanceCode | null {
  const asked = view.query.substances?.[0];
  if (asked && view.availableSubstances.includes(asked)) return asked;
  return view.availableSubstances[0] ?? null;
}

export function WastewaterPublicPage({ ctx, view }: { ctx: PageContext; view: WastewaterView }) {
  const lang = ctx.locale;
  const w = wastewaterMessages(lang);
  const base = `/kommun/${view.party.slug}/avloppsvatten`;
  const chosen = chosenSubstance(view);
  const series = chosen ? view.series.substances.find((s) => s.substance === chosen) : undefined;
  const params = pageParams(view.query, chosen);
  return (
    <Layout ctx={ctx} title={w.pageTitle(view.party.name)} description={w.lead(view.party.name)}>
      <nav aria-label={w.crumbs} class="crumbs">
        <a href={href('/', ctx.locale)}>{ctx.m.siteName}</a> › <a href={href(`/kommun/${view.party.slug}`, ctx.locale)}>{view.party.name}</a> ›{' '}
        <span aria-current="page">{w.title}</span>
      </nav>
      {view.isDemo ? (
        <p class="notice demo" role="note">
          {w.demoNotice}
        </p>
      ) : null}
      <h1>{w.pageTitle(view.party.name)}</h1>
      <p class="lead">{view.availableSubstances.length > 0 ? w.lead(view.party.name) : w.leadNoData(view.party.name)}</p>
      <Guidance view={view} w={w} lang={lang} headingId="las-sa-har" />

      {view.availableSubstances.length === 0 ? null : (
        <>
          <FilterForm view={view} chosen={chosen} action={base} w={w} lang={lang} />

          <section aria-labelledby="oversikt">
            <h2 id="oversikt">{w.overviewHeading}</h2>
            <OverviewTable view={view} lang={lang} w={w} />
          </section>

          {chosen && series ? (
            <section aria-labelledby="amne">
              <h2 id="amne">{substanceTitle(chosen, lang)}</h2>
              <nav aria-label={w.otherSubstances} class="substance-nav">
                <ul>
                  {view.availableSubstances.map((s) => (
                    <li>
                      {s === chosen ? (
                        <span aria-current="page">{substanceTitle(s, lang)}</span>
                      ) : (
                        <a href={href(base, ctx.locale, pageParams(view.query, s))}>{substanceTitle(s, lang)}</a>
                      )}
                    </li>
                  ))}
                </ul>
              </nav>
              <SubstanceFigures view={view} series={series} lang={lang} w={w} idPrefix="s" />
              <h3 id="jamforelse">{w.comparisonHeading}</h3>
              <p>{w.comparisonIntro}</p>
              <ReferenceTable reference={view.references[chosen]} substance={chosen} measure={view.query.measure} lang={lang} w={w} />
            </section>
          ) : null}

          <section aria-labelledby="ladda-ner">
            <h2 id="ladda-ner">{w.downloadsHeading}</h2>
            <ul>
              <li>
                <a href={href(`${base}/data.csv`, ctx.locale, params)}>{w.downloadCsv}</a>
              </li>
              <li>
                <a href={href(`${base}/data.json`, ctx.locale, params)}>{w.downloadJson}</a>
              </li>
            </ul>
            <p>
              {w.apiNote} <code>{`/api/v1/municipalities/${view.party.municipalityCode}/wastewater`}</code>
            </p>
          </section>
        </>
      )}
      <Method w={w} headingId="metod" />
    </Layout>
  );
}
