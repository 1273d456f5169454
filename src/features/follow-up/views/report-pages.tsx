import type { Messages } from '../../../platform/i18n/index.js';
import { BarChart } from '../../../platform/views/charts/index.js';
import { formatDate, stockholmDateOf } from '../../../platform/views/format.js';
import { Layout, type PageContext } from '../../../platform/views/layout.js';
import { href } from '../../../platform/views/links.js';
import { periodLabel } from '../../pledges/pledge.js';
import type { MunicipalityView } from '../../pledges/pledge-service.js';
import { percent } from '../progress.js';
import type { ReportSnapshot } from '../report.js';
import type { StoredReport } from '../report-repo.js';
import { chartDescription, lastReportText, outcomeChangeText, outcomeText, progressText, promisedText, reportSummary, rolledUpPercent } from '../report-text.js';
import { reportKey, reportLabel, reportPath } from '../reports.js';

/** The public follow-up reports: the list, one report, and the links from the pledge page. */

function Crumbs({ ctx, view, trail }: { ctx: PageContext; view: MunicipalityView; trail: { label: string; url?: string }[] }) {
  const { m } = ctx;
  return (
    <nav aria-label={m.lang === 'sv' ? 'Brödsmulor' : 'Breadcrumbs'} class="crumbs">
      <a href={href('/', ctx.locale)}>{m.siteName}</a> › <a href={href(`/kommun/${view.municipality.slug}/${view.pledge.periodSlug}`, ctx.locale)}>{view.municipality.name} {periodLabel(view.pledge)}</a>
      {trail.map((t) => (
        <>
          {' › '}
          {t.url ? <a href={href(t.url, ctx.locale)}>{t.label}</a> : <span aria-current="page">{t.label}</span>}
        </>
      ))}
    </nav>
  );
}

function DemoNotice({ demo, m }: { demo: boolean; m: Messages }) {
  return demo ? (
    <p class="notice demo" role="note">
      {m.pledge.demoNotice}
    </p>
  ) : null;
}

const listPath = (view: MunicipalityView) => `/kommun/${view.municipality.slug}/${view.pledge.periodSlug}/uppfoljning`;

/** The pledge page's "Uppföljning" section: the latest report and the list, when there are reports. */
export function ReportLinks({ ctx, view, reports }: { ctx: PageContext; view: MunicipalityView; reports: readonly StoredReport[] }) {
  const { m } = ctx;
  const latest = reports[0];
  if (!latest) return null;
  return (
    <ul class="report-links">
      <li>
        <a href={href(reportPath(view.municipality.slug, view.pledge.periodSlug, latest), ctx.locale)}>{m.reports.latest(reportLabel(latest, m))}</a>
        <span class="muted"> – {reportSummary(latest.snapshot, m)}</span>
      </li>
      <li>
        <a href={href(listPath(view), ctx.locale)}>{m.reports.allReports}</a> ({reports.length})
      </li>
    </ul>
  );
}

export function ReportListPage({ ctx, view, reports }: { ctx: PageContext; view: MunicipalityView; reports: readonly StoredReport[] }) {
  const { m } = ctx;
  const title = m.reports.listTitle(view.pledge.title);
  return (
    <Layout ctx={ctx} title={`${m.reports.listHeading}: ${view.municipality.name} ${periodLabel(view.pledge)}`} description={m.reports.listIntro}>
      <Crumbs ctx={ctx} view={view} trail={[{ label: m.reports.listHeading }]} />
      <DemoNotice demo={view.pledge.isDemo} m={m} />
      <h1>{title}</h1>
      <p>{m.reports.listIntro}</p>
      {reports.length === 0 ? (
        <p>{m.reports.none}</p>
      ) : (
        <div class="table-scroll">
          <table class="reports">
            <caption class="visually-hidden">{m.reports.listHeading}</caption>
            <thead>
              <tr>
                <th scope="col">{m.reports.colReport}</th>
                <th scope="col">{m.reports.colKind}</th>
                <th scope="col">{m.reports.colSummary}</th>
              </tr>
            </thead>
            <tbody>
              {reports.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <a href={href(reportPath(view.municipality.slug, view.pledge.periodSlug, r), ctx.locale)}>{reportLabel(r, m)}</a>
                  </th>
                  <td>{r.kind === 'year_end' ? m.reports.kindYear : m.reports.kindMeeting}</td>
                  <td>{reportSummary(r.snapshot, m)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

function Changes({ s, m, previous, ctx, view }: { s: ReportSnapshot; m: Messages; previous: StoredReport | null; ctx: PageContext; view: MunicipalityView }) {
  const c = s.changes;
  const none = c.statusChanges.length + c.newOutcomes.length + c.added.length + c.removed.length === 0;
  return (
    <section aria-labelledby="andringar">
      <h2 id="andringar">{m.reports.changesHeading}</h2>
      <p>
        {c.since.kind === 'report' ? (
          <>
            {m.reports.comparedWith}{' '}
            {previous ? <a href={href(reportPath(view.municipality.slug, view.pledge.periodSlug, previous), ctx.locale)}>{reportLabel(previous, m)}</a> : formatDate(c.since.date, m)}.
          </>
        ) : (
          m.reports.sinceStart(formatDate(c.since.date, m))
        )}
      </p>
      {none ? <p>{m.reports.noChanges}</p> : null}
      {c.statusChanges.length > 0 ? (
        <>
          <h3>{m.reports.statusChangesHeading}</h3>
          <ul class="changes">
            {c.statusChanges.map((x) => (
              <li>
                <strong>{x.description}</strong>: {m.reports.statusChange(m.status[x.from], m.status[x.to])}
                {x.reason ? (
                  <>
                    {'. '}
                    {m.reports.reason}: {x.reason}
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {c.newOutcomes.length > 0 ? (
        <>
          <h3>{m.reports.outcomesHeading}</h3>
          <ul class="changes">
            {c.newOutcomes.map((x) => (
              <li>
                <strong>{x.description}</strong>: {outcomeChangeText(x, m)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {c.added.length > 0 ? (
        <>
          <h3>{m.reports.addedHeading}</h3>
          <ul class="changes">
            {c.added.map((x) => (
              <li>{x.description}</li>
            ))}
          </ul>
        </>
      ) : null}
      {c.removed.length > 0 ? (
        <>
          <h3>{m.reports.removedHeading}</h3>
          <ul class="changes">
            {c.removed.map((x) => (
              <li>{x.description}</li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function Progress({ s, m }: { s: ReportSnapshot; m: Messages }) {
  return (
    <section aria-labelledby="framsteg">
      <h2 id="framsteg">{m.reports.progressHeading}</h2>
      <BarChart
        id="framsteg-diagram"
        title={m.reports.chartTitle}
        description={chartDescription(s, m)}
        bars={s.focusAreas.map((fa) => ({ label: fa.title, value: fa.progress.ratio === null ? null : percent(fa.progress.ratio) }))}
        max={100}
        suffix=" %"
        lang={m.lang === 'en' ? 'en' : 'sv'}
      />
      <p>{chartDescription(s, m)}</p>
      <div class="table-scroll">
        <table class="chart-data">
          <caption>{m.reports.tableCaption}</caption>
          <thead>
            <tr>
              <th scope="col">{m.reports.colFocusArea}</th>
              <th scope="col">{m.reports.colProgress}</th>
              <th scope="col">{m.reports.colCounted}</th>
              <th scope="col">{m.reports.colComplete}</th>
              <th scope="col">{m.reports.colExcluded}</th>
            </tr>
          </thead>
          <tbody>
            {s.focusAreas.map((fa) => (
              <tr>
                <th scope="row">{fa.title}</th>
                <td class="num">{rolledUpPercent(fa.progress, m)}</td>
                <td class="num">{fa.progress.counted}</td>
                <td class="num">{fa.progress.complete}</td>
                <td class="num">{fa.progress.excluded}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{m.reports.wholePledge}</th>
              <td class="num">{rolledUpPercent(s.total, m)}</td>
              <td class="num">{s.total.counted}</td>
              <td class="num">{s.total.complete}</td>
              <td class="num">{s.total.excluded}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p class="muted">{m.followUp.rule}</p>
    </section>
  );
}

function Outcomes({ s, m }: { s: ReportSnapshot; m: Messages }) {
  return (
    <section aria-labelledby="utfall">
      <h2 id="utfall">{m.reports.outcomeHeading}</h2>
      <p>{m.reports.tally(s.tally.activities, s.tally.withReport, s.tally.noReport, s.tally.updates)}</p>
      {s.focusAreas.map((fa) => (
        <>
          <h3>{fa.title}</h3>
          {fa.commitments
            .filter((c) => c.activities.length > 0)
            .map((c) => (
              <div class="table-scroll">
                <table class="outcomes">
                  <caption>{m.reports.outcomeCaption(c.title)}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{m.reports.colActivity}</th>
                      <th scope="col">{m.reports.colOwner}</th>
                      <th scope="col">{m.reports.colPromised}</th>
                      <th scope="col">{m.reports.colOutcome}</th>
                      <th scope="col">{m.followUp.colStatusProgress}</th>
                      <th scope="col">{m.reports.colLastReport}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.activities.map((a) => (
                      <tr class={a.noReport ? 'no-report' : undefined}>
                        <th scope="row">{a.description}</th>
                        <td>{a.ownerName}</td>
                        <td>{promisedText(a, m)}</td>
                        <td>
                          <strong>{outcomeText(a, m)}</strong>
                        </td>
                        <td>
                          <span class={`status s-${a.status}`}>{m.status[a.status]}</span> <span class="progress">{progressText(a.progress, m)}</span>
                        </td>
                        <td>{a.noReport ? <strong class="flag">{lastReportText(a, m)}</strong> : lastReportText(a, m)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
        </>
      ))}
    </section>
  );
}

function Updates({ s, m }: { s: ReportSnapshot; m: Messages }) {
  const withNews = s.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities)).filter((a) => a.updates.length > 0);
  return (
    <section aria-labelledby="rapporter">
      <h2 id="rapporter">{m.reports.updatesHeading}</h2>
      {withNews.length === 0 ? <p>{m.reports.noUpdates}</p> : null}
      {withNews.map((a) => (
        <>
          <h3>{a.description}</h3>
          <ul class="report-updates">
            {a.updates.map((u) => (
              <li>
                <strong>{formatDate(u.reportedOn, m)}</strong>: <span class={`status s-${u.status}`}>{m.status[u.status]}</span>
                {u.correction ? ` (${m.reports.correction.toLocaleLowerCase(m.lang)})` : null}
                {u.statusReason && u.status !== u.previousStatus ? `. ${m.reports.reason}: ${u.statusReason}` : null}
                {u.narrative ? <p>{u.narrative}</p> : null}
                {u.counts.length > 0 || u.outcome ? (
                  <p class="muted">{[u.outcome ? `${m.reports.colOutcome}: ${outcomeText({ outcome: u.outcome, counts: [], status: u.status }, m)}` : '', ...u.counts.map((c) => `${c.label}: ${c.value}`)].filter(Boolean).join(' · ')}</p>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ))}
    </section>
  );
}

function MeetingPart({ s, m }: { s: ReportSnapshot; m: Messages }) {
  const mt = s.meeting;
  if (!mt) return null;
  return (
    <section aria-labelledby="motet">
      <h2 id="motet">{m.reports.meetingHeading}</h2>
      <p>
        <strong>{mt.title}</strong>, {m.reports.meetingWhen(formatDate(mt.heldOn, m), mt.location)}
      </p>
      <h3>{m.reports.attendeesHeading}</h3>
      {mt.attendees.length === 0 ? (
        <p>{m.reports.noAttendees}</p>
      ) : (
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">{m.reports.attendeesHeading}</caption>
            <thead>
              <tr>
                <th scope="col">{m.reports.colOrganisation}</th>
                <th scope="col">{m.reports.colName}</th>
                <th scope="col">{m.reports.colRole}</th>
              </tr>
            </thead>
            <tbody>
              {mt.attendees.map((a) => (
                <tr>
                  <td>{a.organisation}</td>
                  <td>{a.name}</td>
                  <td>{a.roleTitle ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>{m.reports.decisionsHeading}</h3>
      {mt.decisions.length === 0 ? (
        <p>{m.reports.noDecisions}</p>
      ) : (
        <ol class="decisions">
          {mt.decisions.map((d) => (
            <li>
              {d.text}
              {d.activityDescription ? <span class="muted"> {m.reports.aboutActivity(d.activityDescription)}</span> : null}
            </li>
          ))}
        </ol>
      )}
      <h3>{m.reports.minutesHeading}</h3>
      {mt.minutes.trim() ? (
        mt.minutes
          .split(/\n+/)
          .map((p) => p.trim())
          .filter(Boolean)
          .map((p) => <p>{p}</p>)
      ) : (
        <p>{m.reports.noMinutes}</p>
      )}
    </section>
  );
}

export function ReportPage({ ctx, view, report, previous }: { ctx: PageContext; view: MunicipalityView; report: StoredReport; previous: StoredReport | null }) {
  const { m } = ctx;
  const s = report.snapshot;
  const label = reportLabel(report, m);
  const base = listPath(view);
  return (
    <Layout ctx={ctx} title={`${label}: ${view.municipality.name} ${periodLabel(view.pledge)}`} description={reportSummary(s, m)}>
      <Crumbs ctx={ctx} view={view} trail={[{ label: m.reports.listHeading, url: base }, { label }]} />
      <DemoNotice demo={s.pledge.isDemo} m={m} />
      <h1>
        {label}: {s.pledge.title}
      </h1>
      <p class="meta">{m.reports.covers(formatDate(s.coversFrom, m), formatDate(s.coversTo, m))}</p>
      <p class="meta">
        {m.reports.frozen(formatDate(stockholmDateOf(report.createdAt), m))} {m.reports.basedOn(s.pledge.versionNumber)}
      </p>
      <p>
        <a href={href(`${base}/${reportKey(report)}.pdf`, ctx.locale)} type="application/pdf">
          {m.reports.pdfLink}
        </a>
      </p>
      <Changes s={s} m={m} previous={previous} ctx={ctx} view={view} />
      <Progress s={s} m={m} />
      <Outcomes s={s} m={m} />
      <MeetingPart s={s} m={m} />
      <Updates s={s} m={m} />
    </Layout>
  );
}
