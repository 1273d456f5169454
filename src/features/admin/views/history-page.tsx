import { changes, type AuditEvent } from '../../audit/audit.js';
import { AdminLayout, type AdminContext } from './admin-layout.js';

const actionLabel: Record<string, string> = {
  'party.create': 'Part skapad',
  'pledge.create': 'Löfte skapat',
  'pledge.update': 'Löftet ändrat',
  'activity.update': 'Aktiviteten ändrad',
  'activity.status': 'Status ändrad',
  'activity.report': 'Uppföljning rapporterad',
  'activity.correct': 'Uppföljning rättad',
  'activity.acknowledge': 'Uppföljning kvitterad',
  'activity.comment': 'Uppföljning kommenterad',
  'user.create': 'Användare skapad',
  'focus_area.create': 'Fokusområde tillagt',
  'focus_area.update': 'Fokusområde ändrat',
  'focus_area.move': 'Fokusområde flyttat',
  'focus_area.delete': 'Fokusområde borttaget',
  'commitment.create': 'Löfte tillagt',
  'commitment.update': 'Löfte ändrat',
  'commitment.move': 'Löfte flyttat',
  'commitment.delete': 'Löfte borttaget',
  'activity.create': 'Aktivitet tillagd',
  'activity.delete': 'Aktivitet borttagen',
  'signatory.create': 'Undertecknare tillagd',
  'signatory.update': 'Undertecknare ändrad',
  'signatory.delete': 'Undertecknare borttagen',
  'pledge.copy': 'Kopierat till ny period',
  'party.update': 'Parten ändrad',
  'party.embed': 'Inbäddningen ändrad',
  'party_sso.create': 'Inloggning (SSO) inställd',
  'party_sso.update': 'Inloggning (SSO) ändrad',
  'user.update': 'Användaren ändrad',
  'user.disable': 'Användaren inaktiverad',
  'user.enable': 'Användaren aktiverad',
  'user.password_reset': 'Lösenordet återställt',
  'user.password_link': 'Länk för lösenord skickad',
  'indicator.create': 'Indikator skapad',
  'indicator.update': 'Indikatorn ändrad',
  'indicator.import': 'Värden importerade',
  'indicator.link': 'Kopplad till fokusområde eller löfte',
  'indicator.link.update': 'Utgångsvärde eller mål ändrat',
  'indicator.unlink': 'Kopplingen borttagen',
  'meeting.schedule': 'Brå-möte planerat',
  'meeting.edit': 'Mötets datum, rubrik eller plats ändrad',
  'meeting.minutes': 'Protokollet sparat',
  'meeting.cancel': 'Mötet inställt',
  'meeting.attendee.add': 'Deltagare tillagd',
  'meeting.attendee.remove': 'Deltagare borttagen',
  'meeting.decision.add': 'Beslut antecknat',
  'meeting.decision.remove': 'Beslut borttaget',
  'meeting.close': 'Mötet stängt och rapporten fastställd',
  'report.year_end': 'Årsrapport fastställd',
};

const fieldLabel: Record<string, string> = {
  title: 'Rubrik',
  startsOn: 'Startdatum',
  endsOn: 'Slutdatum',
  background: 'Bakgrund',
  description: 'Beskrivning',
  targetValue: 'Mål (antal)',
  targetUnit: 'Enhet',
  targetText: 'Mål (text)',
  scheduleStartsOn: 'Från',
  scheduleEndsOn: 'Till',
  scheduleText: 'När',
  status: 'Status',
  reportedOn: 'Rapportdatum',
  reported: 'Rapporterad status',
  outcome: 'Utfall',
  corrects: 'Rättar rapporten från',
  report: 'Rapporten från',
  comment: 'Kommentar',
  state: 'Läge',
  name: 'Namn',
  role: 'Roll',
  embedOrigins: 'Webbplatser som får visa löftet',
  accentColor: 'Accentfärg',
  logoUrl: 'Logotyp',
  headingLevel: 'Rubriknivå',
};

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(tomt)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Which part of the pledge an event concerns, for the pledge-wide history. */
function describe(e: AuditEvent): string {
  const v = (e.after ?? e.before ?? {}) as Record<string, unknown>;
  return String(v.title ?? v.description ?? v.name ?? e.entityType);
}

const time = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Stockholm' });

export function HistoryPage({ ctx, title, events, backHref, showEntity = false }: { ctx: AdminContext; title: string; events: AuditEvent[]; backHref: string; showEntity?: boolean }) {
  return (
    <AdminLayout ctx={ctx} title={`Historik: ${title}`}>
      <p class="crumbs">
        <a href={backHref}>Tillbaka</a>
      </p>
      <h1>Historik: {title}</h1>
      <p>Varje ändring sparas med vem som gjorde den och när. Historiken kan inte ändras.</p>
      {events.length === 0 ? (
        <p>Inga ändringar är registrerade.</p>
      ) : (
        <ol class="history" reversed>
          {events.map((e) => {
            const diff = changes(e);
            return (
              <li key={e.id}>
                <p>
                  <strong>{actionLabel[e.action] ?? e.action}</strong>
                  {showEntity && e.entityType !== 'pledge' ? ` (${describe(e)})` : ''} · <time dateTime={e.occurredAt}>{time.format(new Date(e.occurredAt))}</time> · {e.actorLabel}
                </p>
                {diff.length > 0 ? (
                  <table class="diff">
                    <caption class="visually-hidden">Ändrade fält</caption>
                    <thead>
                      <tr>
                        <th scope="col">Fält</th>
                        <th scope="col">Före</th>
                        <th scope="col">Efter</th>
                      </tr>
                    </thead>
                    <tbody>
                      {diff.map((d) => (
                        <tr key={d.field}>
                          <th scope="row">{fieldLabel[d.field] ?? d.field}</th>
                          <td>{e.before ? <del>{show(d.before)}</del> : '–'}</td>
                          <td>
                            <ins>{show(d.after)}</ins>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
    </AdminLayout>
  );
}
