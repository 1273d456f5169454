import { messages } from '../../../platform/i18n/index.js';
import { formatDate, formatDateTime } from '../../../platform/views/format.js';
import { Csrf, ErrorSummary, Select, TextArea, TextField, emptyForm, type FormState } from '../../../platform/views/forms.js';
import { AdminLayout, type AdminContext } from '../../admin/views/admin-layout.js';
import { ConflictNotice } from '../../admin/views/conflict.js';
import type { EditConflictError } from '../../../platform/errors.js';
import { periodLabel, type PledgeSummary } from '../../pledges/pledge.js';
import type { Agenda, AgendaItem } from '../agenda.js';
import { MONTHS_DEFAULT, type Meeting, type MeetingState, type MeetingWithParts } from '../meeting.js';
import type { ReportListing } from '../report-repo.js';
import { reportKey } from '../reports.js';

/** Staff pages for Brå meetings: a pledge's meetings and reports, one meeting, its agenda. */

const sv = messages('sv');

export const meetingStateLabel: Record<MeetingState, string> = { planned: 'Planerat', closed: 'Stängt', cancelled: 'Inställt' };

const MONTH_OPTIONS = sv.months.map((name, i) => ({ value: String(i + 1), label: name }));

export interface MeetingsPageProps {
  ctx: AdminContext;
  pledge: PledgeSummary;
  /** The public address of the pledge, when it has a signed version. */
  publicBase: string | null;
  meetings: Meeting[];
  reports: ReportListing[];
  canManage: boolean;
  forms?: { one?: FormState; year?: FormState; yearEnd?: FormState };
  refused?: string | null;
  /** Today in Sweden: the default year of the forms. */
  today: string;
}

function Refused({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div class="error-summary" role="alert" tabIndex={-1}>
      <h2>Det gick inte</h2>
      <p>{message}</p>
    </div>
  );
}

function reportUrl(publicBase: string | null, r: Pick<ReportListing, 'kind' | 'reportDate' | 'year'>): string | null {
  return publicBase ? `${publicBase}/uppfoljning/${reportKey(r)}` : null;
}

export function MeetingsPage(p: MeetingsPageProps) {
  const { ctx, pledge } = p;
  const firstYear = Number(pledge.startsOn.slice(0, 4));
  const lastYear = Number(pledge.endsOn.slice(0, 4));
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => String(firstYear + i));
  const thisYear = Number(p.today.slice(0, 4));
  const defaultYear = String(Math.min(Math.max(thisYear, firstYear), lastYear));
  const one = p.forms?.one ?? emptyForm();
  const year = p.forms?.year ?? emptyForm({ planYear: defaultYear, month1: String(MONTHS_DEFAULT[0]), month2: String(MONTHS_DEFAULT[1]), month3: String(MONTHS_DEFAULT[2]) });
  const yearEnd = p.forms?.yearEnd ?? emptyForm({ reportYear: defaultYear });
  const title = `Brå-möten: ${pledge.title}`;
  return (
    <AdminLayout ctx={ctx} title={title}>
      <p class="crumbs">
        <a href="/admin/loften">Medborgarlöften</a> › <a href={`/admin/loften/${pledge.id}`}>{pledge.title}</a> › Brå-möten
      </p>
      <h1>{title}</h1>
      <p class="meta">{periodLabel(pledge)}</p>
      <Refused message={p.refused} />
      {p.publicBase ? null : <p class="notice">Löftet har ingen undertecknad version ännu. Möten kan planeras, men en rapport kan fastställas först när löftet är undertecknat.</p>}

      <section aria-labelledby="moten">
        <h2 id="moten">Möten</h2>
        {p.meetings.length === 0 ? (
          <p>Inga möten är planerade.</p>
        ) : (
          <div class="table-scroll">
            <table>
              <caption class="visually-hidden">Möten</caption>
              <thead>
                <tr>
                  <th scope="col">Datum</th>
                  <th scope="col">Möte</th>
                  <th scope="col">Plats</th>
                  <th scope="col">Läge</th>
                  <th scope="col">Rapport</th>
                </tr>
              </thead>
              <tbody>
                {p.meetings.map((m) => {
                  const r = p.reports.find((x) => x.meetingId === m.id);
                  const url = r ? reportUrl(p.publicBase, r) : null;
                  return (
                    <tr key={m.id}>
                      <td>{formatDate(m.heldOn, sv)}</td>
                      <td>
                        <a href={`/admin/moten/${m.id}`}>{m.title}</a>
                      </td>
                      <td>{m.location ?? '–'}</td>
                      <td>{meetingStateLabel[m.state]}</td>
                      <td>{url ? <a href={url}>Publicerad rapport<span class="visually-hidden"> från {formatDate(m.heldOn, sv)}</span></a> : '–'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {p.canManage ? (
        <>
          <section aria-labelledby="planera">
            <h2 id="planera">Planera ett möte</h2>
            <ErrorSummary state={one} />
            <form method="post" action={`/admin/loften/${pledge.id}/moten`} novalidate>
              <Csrf token={ctx.csrf} />
              <TextField state={one} name="heldOn" label="Datum" type="date" required hint="ÅÅÅÅ-MM-DD" />
              <TextField state={one} name="title" label="Rubrik" hint="Lämnas den tom blir rubriken ”Brå-möte” och datumet." />
              <TextField state={one} name="location" label="Plats" />
              <button type="submit">Planera mötet</button>
            </form>
          </section>

          <section aria-labelledby="planera-ar">
            <h2 id="planera-ar">Planera tre möten ett år</h2>
            <p>Ett möte den andra tisdagen i var och en av de tre månaderna. Dagar som redan har ett möte hoppas över, så det går att göra om.</p>
            <ErrorSummary state={year} />
            <form method="post" action={`/admin/loften/${pledge.id}/moten/ar`} novalidate>
              <Csrf token={ctx.csrf} />
              <Select state={year} name="planYear" label="År" required options={years.map((y) => ({ value: y, label: y }))} />
              <Select state={year} name="month1" label="Första mötets månad" required options={MONTH_OPTIONS} />
              <Select state={year} name="month2" label="Andra mötets månad" required options={MONTH_OPTIONS} />
              <Select state={year} name="month3" label="Tredje mötets månad" required options={MONTH_OPTIONS} />
              <TextField state={year} name="planLocation" label="Plats för alla tre" />
              <button type="submit">Planera tre möten</button>
            </form>
          </section>
        </>
      ) : null}

      <section aria-labelledby="rapporter">
        <h2 id="rapporter">Uppföljningsrapporter</h2>
        {p.reports.length === 0 ? (
          <p>Inga rapporter är fastställda ännu. En rapport fastställs när ett möte stängs.</p>
        ) : (
          <ul>
            {p.reports.map((r) => {
              const label = r.kind === 'year_end' ? `Årsrapport ${r.year}` : `Uppföljning ${formatDate(r.reportDate, sv)}`;
              const url = reportUrl(p.publicBase, r);
              return (
                <li key={r.id}>
                  {url ? <a href={url}>{label}</a> : label} <span class="muted">(fastställd {formatDateTime(r.createdAt, sv)} av {r.createdBy})</span>
                </li>
              );
            })}
          </ul>
        )}
        {p.canManage ? (
          <>
            <h3>Årsrapport</h3>
            <p>Årsrapporten fastställs som de andra rapporterna och omfattar alla uppföljningar som rapporterats under året. Görs den före årets slut gäller den läget i dag. En per år.</p>
            <ErrorSummary state={yearEnd} />
            <form method="post" action={`/admin/loften/${pledge.id}/arsrapport`} novalidate>
              <Csrf token={ctx.csrf} />
              <Select state={yearEnd} name="reportYear" label="År" required options={years.map((y) => ({ value: y, label: y }))} />
              <button type="submit">Fastställ årsrapporten</button>
            </form>
          </>
        ) : null}
      </section>
    </AdminLayout>
  );
}

export interface MeetingPageProps {
  ctx: AdminContext;
  meeting: MeetingWithParts;
  pledge: PledgeSummary;
  /** Activities of the signed version, for linking a decision. */
  activities: { id: string; description: string }[];
  canManage: boolean;
  reportUrl: string | null;
  forms?: { details?: FormState; minutes?: FormState; attendee?: FormState; decision?: FormState };
  conflict?: EditConflictError | null;
  refused?: string | null;
}

export function MeetingPage(p: MeetingPageProps) {
  const { ctx, meeting: m, pledge } = p;
  const editable = p.canManage && m.state === 'planned';
  const v = String(m.version);
  const details = p.forms?.details ?? emptyForm({ heldOn: m.heldOn, title: m.title, location: m.location ?? '', version: v });
  const minutes = p.forms?.minutes ?? emptyForm({ minutes: m.minutes, version: v });
  const attendee = p.forms?.attendee ?? emptyForm();
  const decision = p.forms?.decision ?? emptyForm();
  const activityName = new Map(p.activities.map((a) => [a.id, a.description]));
  return (
    <AdminLayout ctx={ctx} title={m.title}>
      <p class="crumbs">
        <a href="/admin/loften">Medborgarlöften</a> › <a href={`/admin/loften/${pledge.id}`}>{pledge.title}</a> › <a href={`/admin/loften/${pledge.id}/moten`}>Brå-möten</a> › {m.title}
      </p>
      <h1>{m.title}</h1>
      <p class="meta">
        {formatDate(m.heldOn, sv)}
        {m.location ? `, ${m.location}` : ''} · {meetingStateLabel[m.state]}
      </p>
      <Refused message={p.refused} />
      {p.conflict ? <ConflictNotice current={p.conflict.current} labels={{ heldOn: 'Datum', title: 'Rubrik', location: 'Plats', minutes: 'Protokoll' }} /> : null}
      {m.state === 'closed' ? (
        <p class="notice">
          Mötet stängdes {m.closedAt ? formatDateTime(m.closedAt, sv) : ''} och dess rapport är fastställd. Ett stängt möte kan inte ändras.{' '}
          {p.reportUrl ? <a href={p.reportUrl}>Den publicerade rapporten</a> : null}
        </p>
      ) : m.state === 'cancelled' ? (
        <p class="notice">Mötet är inställt.</p>
      ) : null}
      <div class="actions">
        <a href={`/admin/moten/${m.id}/dagordning`}>Dagordning</a>
        <a href={`/admin/historik/follow_up_meeting/${m.id}`}>Historik</a>
      </div>

      {editable ? (
        <section aria-labelledby="uppgifter">
          <h2 id="uppgifter">Datum, rubrik och plats</h2>
          <ErrorSummary state={details} />
          <form method="post" action={`/admin/moten/${m.id}`} novalidate>
            <Csrf token={ctx.csrf} />
            <input type="hidden" name="version" value={details.values.version ?? v} />
            <TextField state={details} name="heldOn" label="Datum" type="date" required hint="ÅÅÅÅ-MM-DD" />
            <TextField state={details} name="title" label="Rubrik" hint="Lämnas den tom blir rubriken ”Brå-möte” och datumet." />
            <TextField state={details} name="location" label="Plats" />
            <button type="submit">Spara</button>
          </form>
        </section>
      ) : null}

      <section aria-labelledby="deltagare">
        <h2 id="deltagare">Deltagare</h2>
        {m.attendees.length === 0 ? (
          <p>Inga deltagare antecknade.</p>
        ) : (
          <div class="table-scroll">
            <table>
              <caption class="visually-hidden">Deltagare</caption>
              <thead>
                <tr>
                  <th scope="col">Organisation</th>
                  <th scope="col">Namn</th>
                  <th scope="col">Roll</th>
                  {editable ? <th scope="col">Ändra</th> : null}
                </tr>
              </thead>
              <tbody>
                {m.attendees.map((a) => (
                  <tr key={a.id}>
                    <td>{a.organisation}</td>
                    <td>{a.name}</td>
                    <td>{a.roleTitle ?? '–'}</td>
                    {editable ? (
                      <td>
                        <form method="post" action={`/admin/moten/${m.id}/deltagare/ta-bort`} class="inline">
                          <Csrf token={ctx.csrf} />
                          <input type="hidden" name="attendeeId" value={a.id} />
                          <button type="submit" class="button-link">
                            Ta bort<span class="visually-hidden"> {a.name}</span>
                          </button>
                        </form>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {editable ? (
          <>
            <h3>Lägg till deltagare</h3>
            <ErrorSummary state={attendee} />
            <form method="post" action={`/admin/moten/${m.id}/deltagare`} novalidate>
              <Csrf token={ctx.csrf} />
              <TextField state={attendee} name="organisation" label="Organisation" required hint="T.ex. Polisen, Strängnäs kommun, Räddningstjänsten" />
              <TextField state={attendee} name="name" label="Namn" required />
              <TextField state={attendee} name="roleTitle" label="Roll" />
              <button type="submit">Lägg till</button>
            </form>
          </>
        ) : null}
      </section>

      <section aria-labelledby="beslut">
        <h2 id="beslut">Beslut</h2>
        {m.decisions.length === 0 ? (
          <p>Inga beslut antecknade.</p>
        ) : (
          <ol class="decisions">
            {m.decisions.map((d) => (
              <li key={d.id}>
                {d.text}
                {d.activityId ? <span class="muted"> Gäller: {activityName.get(d.activityId) ?? 'en aktivitet som inte finns i den undertecknade versionen'}</span> : null}
                {editable ? (
                  <form method="post" action={`/admin/moten/${m.id}/beslut/ta-bort`} class="inline">
                    <Csrf token={ctx.csrf} />
                    <input type="hidden" name="decisionId" value={d.id} />{' '}
                    <button type="submit" class="button-link">
                      Ta bort<span class="visually-hidden"> beslutet</span>
                    </button>
                  </form>
                ) : null}
              </li>
            ))}
          </ol>
        )}
        {editable ? (
          <>
            <h3>Anteckna ett beslut</h3>
            <ErrorSummary state={decision} />
            <form method="post" action={`/admin/moten/${m.id}/beslut`} novalidate>
              <Csrf token={ctx.csrf} />
              <TextArea state={decision} name="text" label="Beslut" required rows={3} />
              <Select state={decision} name="activityId" label="Gäller aktivitet" options={p.activities.map((a) => ({ value: a.id, label: a.description }))} />
              <button type="submit">Anteckna beslutet</button>
            </form>
          </>
        ) : null}
      </section>

      <section aria-labelledby="protokoll">
        <h2 id="protokoll">Protokoll</h2>
        {editable ? (
          <>
            <ErrorSummary state={minutes} />
            <form method="post" action={`/admin/moten/${m.id}/protokoll`} novalidate>
              <Csrf token={ctx.csrf} />
              <input type="hidden" name="version" value={minutes.values.version ?? v} />
              <TextArea state={minutes} name="minutes" label="Anteckningar från mötet" rows={8} hint="Publiceras i rapporten när mötet stängs. Skriv inga personuppgifter om enskilda." />
              <button type="submit">Spara protokollet</button>
            </form>
          </>
        ) : m.minutes ? (
          m.minutes.split(/\n+/).map((line) => <p>{line}</p>)
        ) : (
          <p>Inget protokoll antecknat.</p>
        )}
      </section>

      {editable ? (
        <section aria-labelledby="stang">
          <h2 id="stang">Stäng mötet</h2>
          <p>
            När mötet stängs fastställs uppföljningsrapporten: läget för varje aktivitet i det undertecknade löftet den {formatDate(m.heldOn, sv)}, vad som har hänt sedan förra rapporten,
            deltagare, beslut och protokoll. Rapporten publiceras och kan aldrig ändras, och mötet kan inte heller ändras efteråt.
          </p>
          <div class="meeting-actions">
            <form method="post" action={`/admin/moten/${m.id}/stang`}>
              <Csrf token={ctx.csrf} />
              <input type="hidden" name="version" value={v} />
              <button type="submit">Stäng mötet och fastställ rapporten</button>
            </form>
            <form method="post" action={`/admin/moten/${m.id}/stall-in`}>
              <Csrf token={ctx.csrf} />
              <input type="hidden" name="version" value={v} />
              <button type="submit" class="button-secondary">
                Ställ in mötet
              </button>
            </form>
          </div>
        </section>
      ) : null}
    </AdminLayout>
  );
}

function AgendaList({ items, flag }: { items: AgendaItem[]; flag?: string }) {
  return (
    <ul class="agenda">
      {items.map((a) => (
        <li key={a.activityId}>
          <h3>
            <a href={`/admin/aktiviteter/${a.activityId}`}>{a.description}</a>
            {flag ? <strong class="flag"> – {flag}</strong> : null}
          </h3>
          <p class="meta">
            {a.ownerName} · {a.focusArea} › {a.commitment} · {sv.status[a.status]}
            {a.lastReportedOn ? ` · senast rapporterad ${formatDate(a.lastReportedOn, sv)}` : ' · aldrig rapporterad'}
          </p>
          {a.news.length > 0 ? (
            <ul>
              {a.news.map((u) => (
                <li key={u.id}>
                  {formatDate(u.reportedOn, sv)}: {sv.status[u.status]}
                  {u.status !== u.previousStatus && u.statusReason ? ` (${u.statusReason})` : ''}
                  {u.narrative ? ` – ${u.narrative}` : ''}
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

export function AgendaPage({ ctx, meeting, pledge, agenda }: { ctx: AdminContext; meeting: Meeting; pledge: PledgeSummary; agenda: Agenda | null }) {
  const title = `Dagordning: ${meeting.title}`;
  return (
    <AdminLayout ctx={ctx} title={title}>
      <p class="crumbs">
        <a href="/admin/loften">Medborgarlöften</a> › <a href={`/admin/loften/${pledge.id}`}>{pledge.title}</a> › <a href={`/admin/loften/${pledge.id}/moten`}>Brå-möten</a> ›{' '}
        <a href={`/admin/moten/${meeting.id}`}>{meeting.title}</a> › Dagordning
      </p>
      <h1>{title}</h1>
      {agenda === null ? (
        <p>Löftet har ingen undertecknad version ännu, så det finns inga aktiviteter att följa upp.</p>
      ) : (
        <>
          <p>
            Aktiviteterna i det undertecknade löftet, med rapporter från {formatDate(agenda.from, sv)} till {formatDate(agenda.to, sv)}
            {agenda.previousMeeting ? ` (efter förra mötet, ${agenda.previousMeeting.title})` : ' (sedan periodens början)'}.
          </p>
          <section aria-labelledby="nytt">
            <h2 id="nytt">Med nya rapporter ({agenda.withNews.length})</h2>
            {agenda.withNews.length === 0 ? <p>Inga aktiviteter har rapporterat sedan dess.</p> : <AgendaList items={agenda.withNews} />}
          </section>
          <section aria-labelledby="ingen-rapport">
            <h2 id="ingen-rapport">Ingen rapport ({agenda.noReport.length})</h2>
            {agenda.noReport.length === 0 ? <p>Alla pågående aktiviteter har rapporterat.</p> : <AgendaList items={agenda.noReport} flag="Ingen rapport" />}
          </section>
          {agenda.finished.length > 0 ? (
            <section aria-labelledby="avslutade">
              <h2 id="avslutade">Avslutade, inget nytt ({agenda.finished.length})</h2>
              <AgendaList items={agenda.finished} />
            </section>
          ) : null}
        </>
      )}
    </AdminLayout>
  );
}
