import { AdminLayout, type AdminContext } from '../../admin/views/admin-layout.js';
import { formatDateTime } from '../../accounts/views/user-admin-pages.js';
import type { OutboxEntry, OutboxStatus } from '../mailer.js';

const statusLabel: Record<OutboxStatus, string> = { sent: 'Skickat', unsent: 'Inte skickat', error: 'Fel' };

/** The mail outbox: what the site has sent or would have sent, newest first, with the text readable. */
export function OutboxPage(props: { ctx: AdminContext; entries: OutboxEntry[]; smtp: boolean; everything: boolean }) {
  const { ctx, entries } = props;
  return (
    <AdminLayout ctx={ctx} title="Utkorg">
      <h1>Utkorg</h1>
      <p>
        {props.smtp
          ? 'Meddelandena skickas med e-post. Här syns vad som har skickats, och vad som inte gick att skicka.'
          : 'Den här installationen skickar ingen e-post (SMTP_URL är inte satt). Meddelandena stannar här; vidarebefordra dem själv till mottagaren.'}
      </p>
      {props.everything ? null : <p class="muted">Du ser meddelanden till användare i de parter du administrerar.</p>}
      {entries.length === 0 ? (
        <p>Utkorgen är tom.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Skapat</th>
                <th scope="col">Mottagare</th>
                <th scope="col">Ämne och text</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.createdAt)}</td>
                  <td>{e.to}</td>
                  <td>
                    <details>
                      <summary>{e.subject}</summary>
                      <pre class="mail-body">{e.body}</pre>
                    </details>
                  </td>
                  <td>
                    <span class={e.status === 'sent' ? 'status ok' : 'status'}>{statusLabel[e.status]}</span>
                    {e.sentAt ? <span class="muted"> {formatDateTime(e.sentAt)}</span> : null}
                    {e.error ? <p class="field-error">{e.error}</p> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminLayout>
  );
}
