import type { Role } from '../../../db/schema.js';
import { AdminLayout, type AdminContext } from '../../admin/views/admin-layout.js';
import { Csrf, ErrorSummary, Select, TextField, fieldId, type FormState } from '../../../platform/views/forms.js';
import type { ManageableParty, UserForAdmin, UserGroup } from '../account-service.js';
import { ROLES, roleDescription, roleLabel, type User } from '../user.js';

const stockholm = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', dateStyle: 'medium', timeStyle: 'short' });

/** "2026-11-27T12:00:00.000Z" → "27 nov. 2026 13:00", in Swedish time. */
export function formatDateTime(isoTimestamp: string): string {
  return stockholm.format(new Date(isoTimestamp));
}

const roleOptions = ROLES.map((r) => ({ value: r, label: roleLabel[r] }));
const roleHint = ROLES.map((r) => `${roleLabel[r]}: ${roleDescription[r].toLocaleLowerCase('sv')}`).join(' ');

function roleText(u: Pick<User, 'role' | 'isSuperadmin'>): string {
  return u.isSuperadmin ? 'Superadministratör' : u.role ? roleLabel[u.role as Role] : '–';
}

function StatusText({ user, now }: { user: User; now: string }) {
  if (user.disabledAt) return <span class="badge">Inaktiverat</span>;
  if (user.lockedUntil && user.lockedUntil > now) return <span class="badge">Låst till {formatDateTime(user.lockedUntil)}</span>;
  if (!user.hasPassword) return <span class="badge">Inget lösenord ännu</span>;
  return <span class="badge ok">Aktivt</span>;
}

export function UserListPage(props: { ctx: AdminContext; groups: UserGroup[]; canCreate: boolean; now: string }) {
  const { ctx, groups } = props;
  return (
    <AdminLayout ctx={ctx} title="Användare">
      <h1>Användare</h1>
      {props.canCreate ? (
        <p>
          <a href="/admin/anvandare/ny">Lägg till en användare</a>
        </p>
      ) : null}
      <p class="muted">Konton tas aldrig bort, eftersom ändringshistoriken visar vem som gjorde vad. Ett konto som inte ska användas längre inaktiveras.</p>
      {groups.map((g) => (
        <section key={g.partyId ?? 'superadmins'} aria-labelledby={`g-${g.partyId ?? 'superadmins'}`}>
          <h2 id={`g-${g.partyId ?? 'superadmins'}`}>{g.title}</h2>
          {g.users.length === 0 ? (
            <p>Inga användare ännu.</p>
          ) : (
            <div class="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Namn</th>
                    <th scope="col">E-postadress</th>
                    <th scope="col">Roll</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {g.users.map((u) => (
                    <tr key={u.id}>
                      <th scope="row">
                        <a href={`/admin/anvandare/${u.id}`}>{u.name}</a>
                      </th>
                      <td>{u.email}</td>
                      <td>{roleText(u)}</td>
                      <td>
                        <StatusText user={u} now={props.now} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
    </AdminLayout>
  );
}

export function NewUserPage(props: { ctx: AdminContext; state: FormState; parties: ManageableParty[] }) {
  const { ctx, state } = props;
  const only = props.parties.length === 1 ? props.parties[0] : undefined;
  return (
    <AdminLayout ctx={ctx} title="Lägg till en användare">
      <p class="crumbs">
        <a href="/admin/anvandare">Användare</a>
      </p>
      <h1>Lägg till en användare</h1>
      <ErrorSummary state={state} />
      <form method="post" action="/admin/anvandare/ny" novalidate>
        <Csrf token={ctx.csrf} />
        <TextField state={state} name="name" label="Namn" autoComplete="off" required />
        <TextField state={state} name="email" label="E-postadress" type="email" autoComplete="off" required />
        {only ? (
          <p>
            <input type="hidden" name="partyId" value={only.id} />
            Användaren hör till <strong>{only.name}</strong>.
          </p>
        ) : (
          <Select state={state} name="partyId" label="Part" options={[{ value: '', label: 'Välj en part' }, ...props.parties.map((p) => ({ value: p.id, label: p.name }))]} required />
        )}
        <Select state={state} name="role" label="Roll" hint={roleHint} options={roleOptions} required />
        <div class="field check">
          <input type="checkbox" id={fieldId('sendLink')} name="sendLink" value="ja" checked={state.values.sendLink === 'ja'} />
          <label for={fieldId('sendLink')}>Skicka en länk där användaren väljer sitt lösenord (gäller i tre dygn)</label>
        </div>
        <div class="actions">
          <button type="submit">Lägg till</button>
          <a href="/admin/anvandare">Avbryt</a>
        </div>
      </form>
    </AdminLayout>
  );
}

export interface ConflictView {
  /** The stored values, in words, as describeForConflict gives them. */
  current: Record<string, string>;
}

export function EditUserPage(props: { ctx: AdminContext; user: UserForAdmin; state: FormState; conflict?: ConflictView; now: string }) {
  const { ctx, user, state } = props;
  const self = ctx.actor.userId === user.id;
  const version = state.values.version ?? String(user.version);
  return (
    <AdminLayout ctx={ctx} title={user.name}>
      <p class="crumbs">
        <a href="/admin/anvandare">Användare</a>
      </p>
      <h1>{user.name}</h1>
      <p class="meta">
        {user.email} · {user.partyName ?? 'Ingen part'} · {roleText(user)} · <StatusText user={user} now={props.now} /> ·{' '}
        <a href={`/admin/historik/user/${user.id}`}>Historik</a>
      </p>
      {props.conflict ? (
        <div class="conflict" role="alert">
          <h2>Någon annan har ändrat användaren medan du redigerade</h2>
          <p>Så här ser kontot ut nu:</p>
          <dl>
            {Object.entries(props.conflict.current).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
          <p>Dina ändringar finns kvar i formuläret nedan. Spara igen om de ska gälla i stället.</p>
        </div>
      ) : null}
      <ErrorSummary state={state} />
      <form method="post" action={`/admin/anvandare/${user.id}`} novalidate>
        <Csrf token={ctx.csrf} />
        <input type="hidden" name="version" value={version} />
        <TextField state={state} name="name" label="Namn" autoComplete="off" required />
        {user.isSuperadmin ? (
          <p>Superadministratörer har ingen roll i en part.</p>
        ) : (
          <Select state={state} name="role" label="Roll" hint={roleHint} options={roleOptions} required />
        )}
        <div class="actions">
          <button type="submit" name="atgard" value="spara">
            Spara
          </button>
        </div>
      </form>

      <h2>Konto</h2>
      {user.disabledAt ? (
        <form method="post" action={`/admin/anvandare/${user.id}`}>
          <Csrf token={ctx.csrf} />
          <input type="hidden" name="version" value={version} />
          <p>Kontot inaktiverades {formatDateTime(user.disabledAt)}. Användaren kan inte logga in.</p>
          <button type="submit" name="atgard" value="aktivera" class="button-secondary">
            Aktivera kontot
          </button>
        </form>
      ) : self ? (
        <p>Du kan inte inaktivera ditt eget konto.</p>
      ) : (
        <form method="post" action={`/admin/anvandare/${user.id}`}>
          <Csrf token={ctx.csrf} />
          <input type="hidden" name="version" value={version} />
          <p>Ett inaktiverat konto kan inte logga in, och alla dess inloggningar avslutas. Kontot och dess historik finns kvar.</p>
          <button type="submit" name="atgard" value="inaktivera" class="button-secondary">
            Inaktivera kontot
          </button>
        </form>
      )}
      {user.disabledAt ? null : (
        <form method="post" action={`/admin/anvandare/${user.id}`}>
          <Csrf token={ctx.csrf} />
          <p>Skicka en länk där användaren väljer ett nytt lösenord. Länken gäller i tre dygn.</p>
          <button type="submit" name="atgard" value="skicka-lank" class="button-secondary">
            Skicka lösenordslänk
          </button>
        </form>
      )}
    </AdminLayout>
  );
}
