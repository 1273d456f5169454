import type { ComponentChildren } from 'preact';
import type { Actor } from '../../access/policy.js';
import { can } from '../../access/policy.js';
import { Csrf } from '../../../platform/views/forms.js';
import { Layout, type PageContext } from '../../../platform/views/layout.js';

export interface AdminContext extends PageContext {
  actor: Actor;
  csrf: string;
  flash?: string;
}

/** The staff side: same chrome as the public pages plus a navigation bar and a sign-out button. */
export function AdminLayout(props: { ctx: AdminContext; title: string; children: ComponentChildren }) {
  const { ctx } = props;
  const a = ctx.actor;
  return (
    <Layout
      ctx={ctx}
      title={props.title}
      nav={
        <nav class="admin" aria-label="Administration">
          <div class="wrap bar">
            <ul>
              <li>
                <a href="/admin">Översikt</a>
              </li>
              <li>
                <a href="/admin/loften">Medborgarlöften</a>
              </li>
              <li>
                <a href="/admin/indikatorer">Indikatorer</a>
                <a href="/admin/avloppsvatten">Avloppsvatten</a>
              </li>
              {a.isSuperadmin || (a.partyId && can(a, { action: 'party.update', partyId: a.partyId })) ? (
                <li>
                  <a href="/admin/parter">{a.isSuperadmin ? 'Parter' : 'Vår organisation'}</a>
                </li>
              ) : null}
              {a.isSuperadmin || (a.partyId && can(a, { action: 'user.manage', partyId: a.partyId })) ? (
                <li>
                  <a href="/admin/anvandare">Användare</a>
                </li>
              ) : null}
              {can(a, { action: 'outbox.read' }) ? (
                <li>
                  <a href="/admin/utkorg">Utkorg</a>
                </li>
              ) : null}
            </ul>
            <form method="post" action="/logga-ut" class="inline">
              <Csrf token={ctx.csrf} />
              <span class="muted">{a.name} · </span>
              <button type="submit" class="button-link">
                Logga ut
              </button>
            </form>
          </div>
        </nav>
      }
    >
      {ctx.flash ? (
        <p class="flash" role="status">
          {ctx.flash}
        </p>
      ) : null}
      {props.children}
    </Layout>
  );
}
