import type { Messages } from '../../../platform/i18n/index.js';
import { formatDate } from '../../../platform/views/format.js';
import { Layout, type PageContext } from '../../../platform/views/layout.js';
import { href } from '../../../platform/views/links.js';
import { activityCount, periodLabel, type Party, type PledgeDocument } from '../pledge.js';
import { PledgeBody } from './pledge-body.js';
import { SignedLine } from '../../signing/views/version-pages.js';
import type { MunicipalityView } from '../pledge-service.js';
import { OembedDiscovery } from '../../publishing/embed/views/oembed-discovery.js';
import type { PledgeIndicator } from '../../indicators/indicator-service.js';
import { PledgeIndicators } from '../../indicators/views/pledge-indicators.js';
import type { PledgeProgress } from '../../follow-up/public-progress.js';
import type { StoredReport } from '../../follow-up/report-repo.js';
import { ReportLinks } from '../../follow-up/views/report-pages.js';

/** Where the shown pledge stands today, so an old pledge is never taken for the current one (also in the embed). */
export function StateNotice({ view, m }: { view: MunicipalityView; m: Messages }) {
  const period = periodLabel(view.pledge);
  if (view.fallback) return <p class="notice">{m.pledge.notInForceNotice(period)}</p>;
  switch (view.timing) {
    case 'in_force':
      return <p class="notice ok">{m.pledge.inForceNotice}</p>;
    case 'archived':
      return <p class="notice">{m.pledge.archivedNotice}</p>;
    case 'upcoming':
      return <p class="notice">{m.pledge.futureNotice(period)}</p>;
    case 'ended':
      return <p class="notice">{m.pledge.pastNotice(period)}</p>;
  }
}

export function PledgePage({ ctx, view, indicators = [], progress, reports = [] }: { ctx: PageContext; view: MunicipalityView; indicators?: PledgeIndicator[]; progress?: PledgeProgress; reports?: readonly StoredReport[] }) {
  const { m } = ctx;
  const p: PledgeDocument = view.pledge;
  const partyName = new Map<string, Party>(p.parties.map((x) => [x.id, x]));
  const period = periodLabel(p);
  const feedLink = <link rel="alternate" type="application/atom+xml" href={`/kommun/${view.municipality.slug}/flode.atom`} title={m.pledge.feedTitle(view.municipality.name)} />;
  return (
    <Layout ctx={ctx} title={`${view.municipality.name} ${period}`} description={`${p.title}. ${m.pledge.summary(p.focusAreas.length, activityCount(p))}`} head={
        <>
          <OembedDiscovery ctx={ctx} title={p.title} />
          {feedLink}
        </>
      }>
      <nav aria-label={m.lang === 'sv' ? 'Brödsmulor' : 'Breadcrumbs'} class="crumbs">
        <a href={href('/', ctx.locale)}>{m.siteName}</a> › <span aria-current="page">{view.municipality.name}</span>
      </nav>
      {p.isDemo ? (
        <p class="notice demo" role="note">
          {m.pledge.demoNotice}
        </p>
      ) : null}
      <h1>{p.title}</h1>
      <p class="meta">
        {m.pledge.periodLabel}: <strong>{period}</strong> ({formatDate(p.startsOn, m)} – {formatDate(p.endsOn, m)})
      </p>
      <StateNotice view={view} m={m} />
      <SignedLine pledge={p} m={m} base={`/kommun/${view.municipality.slug}/${p.periodSlug}`} locale={ctx.locale} />

      <section aria-labelledby="parter">
        <h2 id="parter">{m.pledge.partiesHeading}</h2>
        <ul class="parties">
          {p.parties.map((party) => (
            <li key={party.id}>
              {party.name} <span class="muted">({m.partyKind[party.kind]})</span>
            </li>
          ))}
        </ul>
        <h3>{m.pledge.signatoriesHeading}</h3>
        {p.signatories.length === 0 ? (
          <p>{m.pledge.noSignatories}</p>
        ) : (
          <ul class="signatories">
            {p.signatories.map((s) => (
              <li key={s.id}>
                {s.name}, {s.roleTitle.toLocaleLowerCase('sv')}, {partyName.get(s.partyId)?.name}
              </li>
            ))}
          </ul>
        )}
      </section>

      {p.background ? (
        <section aria-labelledby="bakgrund">
          <h2 id="bakgrund">{m.pledge.backgroundHeading}</h2>
          <p>{p.background}</p>
        </section>
      ) : null}

      <PledgeBody pledge={p} m={m} progress={progress} />

      <PledgeIndicators ctx={ctx} items={indicators} />

      <section aria-labelledby="uppfoljning">
        <h2 id="uppfoljning">{m.pledge.followUpHeading}</h2>
        {reports.length > 0 ? <ReportLinks ctx={ctx} view={view} reports={reports} /> : null}
        {progress?.anyUpdates ? <p>{m.followUp.fromReports}</p> : reports.length > 0 ? null : <p>{m.pledge.followUpNone}</p>}
        {progress ? (
          <>
            <p>{m.followUp.rule}</p>
            <p>{m.followUp.staleRule(progress.staleAfterDays)}</p>
          </>
        ) : null}
        <p>
          <a href={`/kommun/${view.municipality.slug}/${p.periodSlug}/kalender.ics`} type="text/calendar">
            {m.followUp.calendarLink}
          </a>
        </p>
      </section>

      <section aria-labelledby="perioder" class="periods">
        <h2 id="perioder">{m.pledge.otherPeriodsHeading}</h2>
        <ul>
          {view.periods.map((o) => (
            <li key={o.id}>
              {o.id === p.id ? (
                <span aria-current="page">{periodLabel(o)}</span>
              ) : (
                <a href={href(`/kommun/${view.municipality.slug}/${o.periodSlug}`, ctx.locale)}>{periodLabel(o)}</a>
              )}
            </li>
          ))}
        </ul>
        <p>
          <a href={`/api/v1/pledges/${p.id}`} type="application/json">
            {m.pledge.downloadJson}
          </a>
          {' · '}<a href={`/kommun/${view.municipality.slug}/${p.periodSlug}.pdf`} type="application/pdf" hrefLang="sv">{m.pledge.downloadPdf}</a>
        </p>
        <p>
          <a href={`/kommun/${view.municipality.slug}/${p.periodSlug}/aktiviteter.csv`} type="text/csv">
            {m.pledge.downloadActivitiesCsv}
          </a>
          {' · '}
          <a href={`/kommun/${view.municipality.slug}/flode.atom`} type="application/atom+xml">
            {m.pledge.feedLinkText}
          </a>
        </p>
      </section>
    </Layout>
  );
}
